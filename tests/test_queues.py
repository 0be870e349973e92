"""Job queues: rows made by sync, the pages and the API (checked against the OpenAPI document), the
job edit override choosing among them, and the queue check at every door (form, API, runjob)."""

from __future__ import annotations

import pytest

from app import create_app
from app.catalog import sync_jobs
from app.cli import main
from app.models import JobQueue
from app.models import JobResult
from tests.factories import login_as
from tests.factories import make_request
from tests.factories import make_user as pages_user
from tests.factories import page_csrf
from tests.factories import text
from tests.test_api_support import HELLO
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

QUEUES = "/api/extras/job-queues/"
HELLO_DATA = {"person_name": "Ada", "greeting_count": 1}


def two_queues(record, queues=("default", "reports")):
    JobQueue.ensure(queues)
    record.task_queues, record.task_queues_override = list(queues), True
    record.save()
    return record


def test_sync_makes_a_row_for_the_default_queue_and_every_queue_a_job_names(jobdeck):
    assert JobQueue.names() == ["default"]
    (jobdeck.jobs_root / "routed.py").write_text(
        "from app.jobs import Job, register_jobs\n"
        "class Routed(Job):\n    class Meta:\n        task_queues = ['reports', 'bulk']\n"
        "    def run(self):\n        return 1\nregister_jobs(Routed)\n")
    sync_jobs(jobdeck.jobs_root)
    assert JobQueue.names() == ["bulk", "default", "reports"]
    sync_jobs(jobdeck.jobs_root)  # idempotent
    assert JobQueue.select().count() == 3


def test_the_api_creates_lists_changes_and_deletes_job_queues(api, admin_key):
    response = api.post(QUEUES, admin_key, json={"name": "reports", "description": "Nightly reports"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["object_type"] == "extras.jobqueue" and body["display"] == "reports"
    pk = body["id"]
    listed = api.get(QUEUES, admin_key, query_string={"name": "reports"}).json
    assert listed["count"] == 1 and listed["results"][0]["description"] == "Nightly reports"

    assert api.post(QUEUES, admin_key, json={"name": "reports"}).json == {
        "name": ["A job queue with this name already exists."]}
    bad = api.post(QUEUES, admin_key, json={"name": "two words"})
    assert bad.status_code == 400 and "Invalid queue name" in bad.json["name"][0]
    response = api.patch(f"{QUEUES}{pk}/", admin_key, json={"name": "reporting"})
    assert response.status_code == 200 and response.json["name"] == "reporting"

    default = JobQueue.get(JobQueue.name == "default")
    refused = api.delete(f"{QUEUES}{default.id}/", admin_key)
    assert refused.status_code == 409 and "default queue" in refused.json["detail"]
    assert api.delete(f"{QUEUES}{pk}/", admin_key).status_code == 204
    assert JobQueue.names() == ["default"]


def test_a_queue_jobs_use_cannot_be_renamed_or_deleted(api, admin_key):
    two_queues(enabled(HELLO))
    reports = JobQueue.get(JobQueue.name == "reports")
    renamed = api.patch(f"{QUEUES}{reports.id}/", admin_key, json={"name": "elsewhere"})
    assert renamed.status_code == 400 and "Say Hello" in renamed.json["name"][0]
    deleted = api.delete(f"{QUEUES}{reports.id}/", admin_key)
    assert deleted.status_code == 409 and "Jobs still send runs to it" in deleted.json["detail"]
    assert api.patch(f"{QUEUES}{reports.id}/", admin_key, json={"description": "ok"}).status_code == 200


def test_a_queue_a_pending_run_or_a_schedule_uses_cannot_be_deleted(api, admin_key):
    record = enabled(HELLO)
    JobQueue.ensure(["nightly", "busy"])
    schedule = make_request(record, None)
    schedule.queue = "nightly"
    schedule.save()
    JobResult.create(name="x", job_record=record, queue="busy")  # PENDING
    for name, why in (("nightly", "1 enabled scheduled job(s) send runs to it."),
                      ("busy", "1 run(s) on it are pending or running.")):
        refused = api.delete(f"{QUEUES}{JobQueue.get(JobQueue.name == name).id}/", admin_key)
        assert refused.status_code == 409 and why in refused.json["detail"]
    schedule.enabled = False
    schedule.save()
    assert api.delete(f"{QUEUES}{JobQueue.get(JobQueue.name == 'nightly').id}/", admin_key).status_code == 204


def test_job_queue_and_worker_endpoints_need_permissions(api, admin_key):
    nobody = key_for(make_user("nobody"))
    assert api.get(QUEUES, nobody).json["count"] == 0
    assert api.post(QUEUES, nobody, json={"name": "x"}).status_code == 403
    extras = api.get("/api/extras/", nobody).json
    assert extras["job-queues"] == "http://localhost/api/extras/job-queues/"
    assert extras["workers"] == "http://localhost/api/extras/workers/"
    assert api.get("/api/extras/workers/", nobody).status_code == 403
    assert api.get("/api/extras/workers/").status_code in (401, 403)

    viewer = make_user("viewer")
    grant(viewer, ["view"], ["extras.jobqueue", "extras.worker"])
    key = key_for(viewer)
    default = JobQueue.get()
    assert api.get(QUEUES, key).json["count"] == 1
    assert api.patch(f"{QUEUES}{default.id}/", key, json={"description": "x"}).status_code == 403
    assert api.delete(f"{QUEUES}{default.id}/", key).status_code == 403
    status = api.get("/api/extras/workers/", key).json
    assert status == {"workers": [], "queues": [{"id": str(default.id), "name": "default", "pending": 0,
                                                 "consumers": []}]}


def test_the_pages_add_show_edit_and_delete_a_queue(jobdeck):
    client = login_as(create_app(jobdeck), pages_user("root", superuser=True))

    def post(url, **data):
        return client.post(url, data={**data, "csrf_token": page_csrf(client, url)})

    assert 'href="/job-queues/"' in text(client.get("/"))  # the top bar's link
    page = post("/job-queues/add/", name="bad name")
    assert page.status_code == 200 and "Invalid queue name" in text(page)
    assert client.post("/job-queues/add/", data={"name": "reports"}).status_code == 400  # no CSRF token
    assert JobQueue.names() == ["default"]
    response = post("/job-queues/add/", name="reports", description="Nightly")
    assert response.status_code == 302
    queue = JobQueue.get(JobQueue.name == "reports")
    detail = f"/job-queues/{queue.id}/"
    assert response.headers["Location"].endswith(detail)
    page = text(client.get(detail))
    assert "Nightly" in page and "No live worker listens on this queue" in page
    assert "reports" in text(client.get("/job-queues/"))
    assert post(f"{detail}edit/", name="reports", description="Weekly").status_code == 302
    assert JobQueue.get_by_id(queue.id).description == "Weekly"

    default = JobQueue.get(JobQueue.name == "default")
    refused = client.get(f"/job-queues/{default.id}/delete/", follow_redirects=True)
    assert "cannot be deleted: It is the default queue" in text(refused)
    assert post(f"{detail}delete/").status_code == 302
    assert JobQueue.names() == ["default"]


def test_the_pages_follow_permissions(jobdeck):
    queue = JobQueue.get()
    nobody = login_as(create_app(jobdeck), pages_user("nobody"))
    assert 'href="/job-queues/"' not in text(nobody.get("/"))
    for url in ("/job-queues/", f"/job-queues/{queue.id}/", "/job-queues/add/", "/workers/"):
        assert nobody.get(url).status_code == 403, url
    viewer = pages_user("viewer")
    grant(viewer, ["view"], ["extras.jobqueue"])
    client = login_as(create_app(jobdeck), viewer)
    page = text(client.get(f"/job-queues/{queue.id}/"))
    assert "/edit/" not in page and "/delete/" not in page
    assert client.get(f"/job-queues/{queue.id}/edit/").status_code == 403
    assert client.get(f"/job-queues/{queue.id}/delete/").status_code == 403
    assert client.get("/workers/").status_code == 403


def test_a_job_s_queue_override_chooses_among_the_job_queues(api, admin_key):
    record = enabled(HELLO)
    url = f"/api/extras/jobs/{record.id}/"
    refused = api.patch(url, admin_key, json={"task_queues": ["default", "nowhere"]})
    assert refused.status_code == 400 and "No job queue named nowhere" in refused.json["task_queues"][0]
    JobQueue.ensure(["reports"])
    client = login_as(create_app(api.app.config["JOBDECK"]), pages_user("root", superuser=True))
    assert "among the job queues: default, reports." in text(client.get(f"/jobs/{record.id}/edit/"))
    response = api.patch(url, admin_key, json={"task_queues": ["reports", "default"]})
    assert response.status_code == 200 and response.json["task_queues"] == ["reports", "default"]


def test_the_api_accepts_only_an_allowed_queue_by_name_or_id(api, admin_key):
    record = two_queues(enabled(HELLO))
    run = f"/api/extras/jobs/{record.id}/run/"
    reports = JobQueue.get(JobQueue.name == "reports")
    response = api.post(run, admin_key, json={"data": HELLO_DATA, "job_queue": reports.id})
    assert response.status_code == 201, response.json
    assert JobResult.get_by_id(response.json["job_result"]["id"]).queue == "reports"
    response = api.post(run, admin_key, json={"data": HELLO_DATA, "job_queue": {"name": "default"}})
    assert response.status_code == 201 and response.json["job_result"]["celery_kwargs"]["queue"] == "default"

    JobQueue.ensure(["other"])
    other = JobQueue.get(JobQueue.name == "other")
    for asked in ("other", other.id, str(other.id), 9999, True):
        refused = api.post(run, admin_key, json={"data": HELLO_DATA, "job_queue": asked})
        assert refused.status_code == 400, asked
        assert refused.json["errors"]["task_queue"], asked
    assert "'other' is not a queue of this job (choose from default, reports)" in refused_message(api, admin_key, run)
    assert JobResult.select().count() == 2


def refused_message(api, key, run) -> str:
    return api.post(run, key, json={"data": HELLO_DATA, "task_queue": "other"}).json["errors"]["task_queue"][0]


def test_the_run_form_offers_only_the_job_s_queues(jobdeck):
    record = two_queues(enabled(HELLO))
    client = login_as(create_app(jobdeck), pages_user("root", superuser=True))
    url = f"/jobs/{record.id}/"
    page = text(client.get(url))
    assert '<option value="reports">' in page and "other" not in page
    token = page_csrf(client, url)
    response = client.post(url, data={**HELLO_DATA, "_run-task_queue": "other", "_run-csrf_token": token})
    assert response.status_code == 400 and "Not a valid choice" in text(response)
    assert JobResult.select().count() == 0


@pytest.mark.parametrize("queue, code, message", [
    ("other", 2, "--queue: 'other' is not a queue of this job (choose from default, reports)"),
    ("reports", 3, "No live worker listens on queue \u201creports\u201d"),
])
def test_runjob_accepts_only_an_allowed_queue(jobdeck, monkeypatch, capsys, queue, code, message):
    from tests.test_cli import use_environment

    use_environment(jobdeck, monkeypatch)
    two_queues(enabled(HELLO))
    JobQueue.ensure(["other"])
    assert main(["runjob", "--queue", queue, "--timeout", "0.2", "--data", '{"person_name": "Ada"}', HELLO]) == code
    assert message in capsys.readouterr().err
