"""One rule for run options (queue, profile, schedule, commit) at every door: form, API and CLI."""

from __future__ import annotations

import pytest

from app import create_app
from app.catalog import sync_jobs
from app.cli import main
from app.config import configure
from app.config import get_config
from app.execution.options import PROFILE_REFUSED
from app.execution.options import decide
from app.jobs.forms import JobDataError
from app.models import JobResult
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text
from tests.test_api_support import ApiClient
from tests.test_api_support import key_for
from tests.test_cli import DRYRUN_JOB
from tests.test_cli import use_environment

HELLO = "hello_jobs.HelloJobs"
DRYRUN = "dryrun_report.DryRunReport"
DATA = {"person_name": "Ada", "greeting_count": 1}


@pytest.fixture
def people(jobdeck):
    """An enabled Say Hello, a superuser and a user who may run jobs (not a superuser)."""
    record = enable(HELLO)
    root = make_user("root", superuser=True)
    ann = make_user("ann")
    grant(ann, ["extras.job", "extras.jobresult"], ["view", "run"])
    return record, root, ann


def errors_of(call) -> dict:
    with pytest.raises(JobDataError) as caught:
        call()
    return caught.value.errors


# -- the rule ---------------------------------------------------------------------------------------


def test_profile_is_for_debug_superusers_and_the_local_cli(people):
    record, root, ann = people
    assert decide(record, None, profile=True).profile is True  # trusted local CLI
    assert decide(record, root, profile=True).profile is True
    assert errors_of(lambda: decide(record, ann, profile=True)) == {"profile": [PROFILE_REFUSED]}
    configure(get_config().replace(debug=True))
    assert decide(record, ann, profile=True).profile is True


def test_every_refused_option_is_named_with_its_own_message(people):
    record, _root, ann = people
    errors = errors_of(lambda: decide(record, ann, queue="nope", profile="yes", schedule={"interval": "custom"},
                                      commit="sure"))
    assert set(errors) == {"task_queue", "profile", "schedule_crontab", "commit"}
    assert "not a queue of this job" in errors["task_queue"][0]
    assert "needs a crontab" in errors["schedule_crontab"][0]
    assert decide(record, ann, schedule={"interval": "immediately"}).queue == "default"
    assert "named user" in errors_of(lambda: decide(record, None, commit=True))["commit"][0]


# -- the doors --------------------------------------------------------------------------------------


def test_the_form_offers_profile_by_the_same_rule(people, jobdeck):
    record, root, ann = people
    app = create_app(jobdeck)
    url = f"/jobs/{record.id}/"
    assert 'name="_run-profile"' in text(login_as(app, root).get(url))
    client = login_as(app, ann)
    assert 'name="_run-profile"' not in text(client.get(url))
    configure(get_config().replace(debug=True))
    assert 'name="_run-profile"' in text(client.get(url))
    response = client.post(url, data={"person_name": "Ada", "greeting_count": "1", "_run-profile": "y",
                                      "_run-csrf_token": page_csrf(client, url)})
    assert response.status_code == 302
    assert JobResult.get().options["profile"] is True


def test_the_api_applies_the_same_rule(people, jobdeck):
    record, root, ann = people
    api = ApiClient(create_app(jobdeck))
    url = f"/api/extras/jobs/{record.id}/run/"
    refused = api.post(url, key_for(ann), json={"data": DATA, "profile": True})
    assert refused.status_code == 400 and refused.json["errors"] == {"profile": [PROFILE_REFUSED]}
    assert api.post(url, key_for(root), json={"data": DATA, "profile": True}).status_code == 201
    scheduled = api.post(url, key_for(root), json={"data": DATA, "schedule": {"interval": "custom"}})
    assert scheduled.status_code == 400 and "needs a crontab" in scheduled.json["errors"]["schedule_crontab"][0]


def test_the_cli_applies_the_same_rule(people, jobdeck, monkeypatch, capsys):
    record, root, ann = people
    use_environment(jobdeck, monkeypatch)
    assert main(["runjob", "--local", "--profile", "--username", "ann", HELLO]) == 2
    err = capsys.readouterr().err
    assert f"--profile: {PROFILE_REFUSED}" in err
    assert JobResult.select().count() == 0
    assert main(["runjob", "--local", "--profile", "--username", "root", HELLO]) == 0
    assert main(["runjob", "--local", "--profile", HELLO]) == 0  # the trusted local caller


def test_api_commit_sets_dry_run_as_nautobot_1x_did(people, jobdeck):
    _record, root, _ann = people
    (jobdeck.jobs_root / "dryrun_report.py").write_text(DRYRUN_JOB)
    sync_jobs(jobdeck.jobs_root)
    dryrun = enable(DRYRUN)
    api = ApiClient(create_app(jobdeck))
    url = f"/api/extras/jobs/{dryrun.id}/run/"

    def dryrun_of(body):
        answer = api.post(url, key_for(root), json=body)
        assert answer.status_code == 201, answer.json
        return JobResult.get_by_id(answer.json["job_result"]["id"]).task_kwargs["dryrun"]

    assert dryrun_of({"data": {}, "commit": False}) is True
    assert dryrun_of({"data": {}, "commit": True}) is False
    assert dryrun_of({"data": {}}) is False  # the job's dryrun_default
    assert dryrun_of({"data": {"dryrun": True}, "commit": True}) is True  # the inputs win
