"""The official Nautobot client, pynautobot, driving a real Jobdeck server and worker unchanged.

Covers what job users do with it (issue 10): the version handshake, listing and filtering jobs,
fetching one by name or id, enabling it, running it with data and a queue, waiting for the result,
lazy nested attributes, reading logs (plain and threaded paging) and a 400 surfacing as RequestError.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import time
from pathlib import Path

import pynautobot
import pytest
import requests

from app.db import database
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parent.parent / "README.md"
HELLO = "hello_jobs.HelloJobs"
DATA = {"person_name": "pynautobot", "greeting_count": 3}
ACTIVE = {"RECEIVED", "PENDING", "STARTED", "RETRY"}


@pytest.fixture
def nb(live_server):
    client = pynautobot.api(live_server.url, token=live_server.token())
    client.live_server = live_server
    return client


def wait_for(nb, result_id, timeout=30.0):
    """Poll like a script would: job_results.get until the status leaves the active ones."""
    deadline = time.monotonic() + timeout
    while True:
        result = nb.extras.job_results.get(result_id)
        if str(result.status) not in ACTIVE:
            return result
        assert time.monotonic() < deadline, f"still {result.status} after {timeout} s"
        time.sleep(0.2)


def test_version_and_status(nb):
    assert nb.version == "2.4"
    status = nb.status()
    assert isinstance(status["celery-workers-running"], int)
    assert status["jobdeck-version"]


def test_list_filter_and_get(nb):
    jobs = list(nb.extras.jobs.all())
    assert len(jobs) == JobRecord.select().count()
    assert [str(job) for job in nb.extras.jobs.filter(grouping="Hello Jobs")] == ["Say Hello"]
    hello = nb.extras.jobs.get(name="Say Hello")
    assert hello.job_class_name == "HelloJobs"
    assert nb.extras.jobs.get(hello.id).name == "Say Hello"
    assert nb.extras.jobs.get(HELLO).id == hello.id  # by class path, as run accepts
    assert nb.extras.jobs.get(name="No Such Job") is None
    assert nb.extras.jobs.get("00000000-0000-0000-0000-000000000000") is None


def test_enable_run_and_poll_until_done(nb):
    hello = nb.extras.jobs.get(name="Say Hello")
    hello.enabled = True
    assert hello.save() is True
    assert JobRecord.get_for_class_path(HELLO).enabled

    run = nb.extras.jobs.run(job_id=hello.id, data=DATA)
    assert str(run.job_result.status) == "PENDING"
    result = wait_for(nb, run.job_result.id)
    assert str(result.status) == "SUCCESS"
    assert result.date_done
    assert run.job_result.job_model.name == "Say Hello"  # lazy load through the nested url
    assert result.user.username == "admin"

    logs = nb.extras.job_logs.filter(job_result=run.job_result.id)
    assert [entry.message for entry in logs][1:4] == [f"Hello, pynautobot! ({n})" for n in (1, 2, 3)]
    assert nb.extras.job_logs.count(job_result=run.job_result.id) == len(logs)


def test_run_by_name_and_from_the_record_and_run_and_wait(nb):
    nb.live_server.enable(HELLO)
    by_name = nb.extras.jobs.run(job_name="Say Hello", data=DATA, commit=True)
    assert str(wait_for(nb, by_name.job_result.id).status) == "SUCCESS"
    from_record = nb.extras.jobs.get(name="Say Hello").run(data=DATA)
    assert str(wait_for(nb, from_record.job_result.id).status) == "SUCCESS"
    waited = nb.extras.jobs.run_and_wait(job_name="Say Hello", data=DATA, interval=0.2, max_rechecks=150)
    assert str(waited.job_result.status) == "SUCCESS"
    assert JobResult.get_by_id(waited.job_result.id).status == "SUCCESS"


def test_run_with_a_task_queue(nb):
    record = nb.live_server.enable(HELLO)
    record.task_queues = ["default", "reports"]
    record.save()
    on_default = nb.extras.jobs.run(job_id=str(record.id), data=DATA, task_queue="default")
    assert str(wait_for(nb, on_default.job_result.id).status) == "SUCCESS"
    # No worker listens on "reports": the run waits there, routed as asked.
    on_reports = nb.extras.jobs.run(job_id=str(record.id), data=DATA, task_queue="reports")
    stored = JobResult.get_by_id(on_reports.job_result.id)
    assert (stored.queue, stored.status) == ("reports", "PENDING")
    assert on_reports.job_result.celery_kwargs["queue"] == "reports"


def test_bad_data_is_a_request_error(nb):
    record = nb.live_server.enable(HELLO)
    with pytest.raises(pynautobot.RequestError) as caught:
        nb.extras.jobs.run(job_id=str(record.id), data={"greeting_count": "many", "extra_var": 1})
    assert caught.value.req.status_code == 400
    errors = caught.value.req.json()["errors"]
    assert errors["extra_var"] == ["Job data contained an unknown property"]
    assert "greeting_count" in errors
    assert JobResult.select().count() == 0


def _big_log(count):
    record = JobRecord.get_for_class_path(HELLO)
    result = JobResult.create(name=record.name, job_record=record, status="SUCCESS", task_name=HELLO)
    rows = [{"job_result": result.id, "message": f"line {n}", "grouping": "run"} for n in range(count)]
    with database.atomic():
        for start in range(0, count, 1000):
            JobLogEntry.insert_many(rows[start:start + 1000]).execute()
    return result


def test_log_paging_past_the_page_cap_plain_and_threaded(nb):
    result = _big_log(2500)
    expected = {f"line {n}" for n in range(2500)}
    plain = nb.extras.job_logs.filter(job_result=str(result.id))
    assert [entry.message for entry in plain] == [f"line {n}" for n in range(2500)]
    threaded = pynautobot.api(nb.live_server.url, token=nb.token, threading=True)
    logs = threaded.extras.job_logs.filter(job_result=str(result.id))
    assert len(logs) == 2500 and {entry.message for entry in logs} == expected


def test_raw_requests_see_nautobot_headers(nb):
    response = requests.get(f"{nb.live_server.url}/api/", headers={
        "Authorization": f"Token {nb.token}", "Content-Type": "application/json;", "Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["API-Version"] == "2.4"
    refused = requests.get(f"{nb.live_server.url}/api/extras/jobs/", headers={"Authorization": "Token nope"})
    assert (refused.status_code, refused.json()) == (403, {"detail": "Invalid token"})


def test_manage_users_groups_and_permissions(nb):
    """An administrator's script: a group, a user in it, a permission for them; change; clean up."""
    from app.models import ObjectPermission
    from app.models import User

    group = nb.users.groups.create(name="Operators")
    user = nb.users.users.create(username="ada", password="a-long-secret-1", email="ada@example.com",
                                 groups=[group.id])
    assert user.username == "ada" and str(user) == "ada"
    assert user.groups[0].name == "Operators"  # lazy load through the nested group's url
    assert User.get(User.username == "ada").check_password("a-long-secret-1")
    permission = nb.users.permissions.create(name="Hello runners", object_types=["extras.job"],
                                             actions=["view", "run"], constraints={"grouping": "Hello Jobs"},
                                             groups=[group.id])
    assert permission.constraints == {"grouping": "Hello Jobs"}

    as_ada = pynautobot.api(nb.live_server.url, token=nb.live_server.token("ada"))
    assert [str(job) for job in as_ada.extras.jobs.all()] == ["Say Hello"]

    # Record.update() sends only the fields GET answered; the password goes through Endpoint.update().
    assert user.update({"first_name": "Ada", "last_name": "Lovelace"}) is True
    assert nb.users.users.update(id=user.id, data={"password": "another-secret-2"}) is True
    stored = User.get(User.username == "ada")
    assert (stored.first_name, stored.last_name) == ("Ada", "Lovelace")
    assert stored.check_password("another-secret-2")
    assert nb.users.users.get(username="ada").display == "ada"

    with pytest.raises(pynautobot.RequestError) as caught:
        nb.users.users.create(username="ada", password="x")
    assert caught.value.req.status_code == 400
    assert set(caught.value.req.json()) == {"username", "password"}

    assert permission.delete() is True and user.delete() is True and group.delete() is True
    assert User.get_or_none(User.username == "ada") is None
    assert ObjectPermission.select().count() == 0
    assert nb.users.groups.get(name="Operators") is None


def readme_api_block(language: str, marker: str) -> str:
    """The code block of the README's REST API section in ``language`` that contains ``marker``."""
    section = README.read_text().split("## REST API", 1)[1].split("\n## ", 1)[0]
    blocks = [body for body in re.findall(rf"```{language}\n(.*?)```", section, re.S) if marker in body]
    assert len(blocks) == 1, f"expected one {language} block with {marker!r} in the README's REST API section"
    return blocks[0]


def as_live(code: str, nb) -> str:
    return code.replace("http://127.0.0.1:8080", nb.live_server.url).replace("<key>", nb.token)


def test_readme_pynautobot_example_prints_the_whole_log(nb):
    """The README's script waits for the run to finish before it reads the log."""
    nb.live_server.enable(HELLO)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(as_live(readme_api_block("python", "import pynautobot"), nb), {})  # noqa: S102
    lines = printed.getvalue().splitlines()
    assert "info Hello, Ada! (1)" in lines and "info Hello, Ada! (2)" in lines, lines
    assert lines[-1] == "success Job completed", lines


def test_readme_curl_example_runs_the_job(nb):
    nb.live_server.enable(HELLO)
    command = as_live(readme_api_block("bash", "curl"), nb).replace("\\\n", " ")
    assert '-H "Content-Type: application/json"' in command and '-H "Authorization: Token ' in command
    output = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30, check=True).stdout
    result = json.loads(output)["job_result"]
    assert str(wait_for(nb, result["id"]).status) == "SUCCESS"
