"""Honest flags: singleton runs are refused at every door until the feature lands, and the pages,
permission types and README name no job hooks or buttons."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.catalog import sync_jobs
from app.cli import main
from app.execution.submit import SINGLETON_UNAVAILABLE
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobResult
from app.testing import run_job_for_testing
from tests.conftest import REPO
from tests.conftest import enable
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import text
from tests.test_api_support import ApiClient
from tests.test_api_support import key_for
from tests.test_cli import use_environment

HELLO = "hello_jobs.HelloJobs"
SINGLETON_JOB = '''
from app.jobs import Job, register_jobs


class OneAtATime(Job):
    class Meta:
        is_singleton = True
        has_sensitive_variables = False

    def run(self):
        return "ran"


register_jobs(OneAtATime)
'''


@pytest.fixture
def approval_job(jobdeck):
    """Say Hello, enabled, with "Approval required" set on its record (an override from the edit page)."""
    record = enable(HELLO)
    record.approval_required = True
    record.approval_required_override = True
    record.save()
    return record


@pytest.fixture
def singleton_job(jobdeck):
    """A job whose Meta says ``is_singleton = True``, enabled."""
    (jobdeck.jobs_root / "one_at_a_time.py").write_text(SINGLETON_JOB)
    sync_jobs(jobdeck.jobs_root)
    return enable("one_at_a_time.OneAtATime")


def test_the_api_answers_400_with_the_sentence(singleton_job, jobdeck):
    api = ApiClient(create_app(jobdeck))
    key = key_for(make_user("root", superuser=True))
    refused = api.post(f"/api/extras/jobs/{singleton_job.id}/run/", key, json={"data": {}})
    assert refused.status_code == 400 and refused.json == {"detail": SINGLETON_UNAVAILABLE}
    assert JobResult.select().count() == 0


@pytest.mark.parametrize("where", [["--local"], []])
def test_the_cli_exits_2_with_the_sentence(singleton_job, jobdeck, monkeypatch, capsys, where):
    use_environment(jobdeck, monkeypatch)
    assert main(["runjob", *where, "one_at_a_time.OneAtATime"]) == 2
    assert capsys.readouterr().err == f"jobdeck: {SINGLETON_UNAVAILABLE}\n"
    assert JobResult.select().count() == 0


def test_run_job_for_testing_runs_them_as_nautobot_does(approval_job, singleton_job):
    assert run_job_for_testing(HELLO, data={"person_name": "Ada"}).status == Status.STATUS_SUCCESS
    assert run_job_for_testing("one_at_a_time.OneAtATime").result == "ran"


def test_the_edit_page_says_what_the_flags_do_today(approval_job, jobdeck):
    client = login_as(create_app(jobdeck), make_user("root", superuser=True))
    page = text(client.get(f"/jobs/{approval_job.id}/edit/"))
    assert "Singleton</strong> is not available yet: while it is on, every run of this job is refused" in page


def test_no_permission_type_page_or_setting_promises_what_has_not_landed(jobdeck):
    from app.web.admin_forms import OBJECT_TYPES

    offered = dict(OBJECT_TYPES)
    assert "extras.jobhook" not in offered and "extras.jobbutton" not in offered
    readme = (REPO / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"(?i)hook|button", configuration)
    for template in (REPO / "app" / "templates").rglob("*.html"):
        shown = re.sub(r"\{%.*?%\}|\{#.*?#\}", "", template.read_text(), flags=re.S)
        assert not re.search(r"(?i)job hook|job button", shown), template
