"""Scheduling through the API: the run endpoint's ``schedule`` (JSON and multipart) and
``/api/extras/scheduled-jobs/`` (list, detail, PATCH, DELETE), every answer checked against the OpenAPI document."""

from __future__ import annotations

import datetime

from app.models import JobResult
from app.models.schedules import ScheduledJob
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

HELLO = "hello_jobs.HelloJobs"


def later(hours=1) -> str:
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)).isoformat()


def test_json_schedule_answers_201_with_the_scheduled_job(api, admin_key):
    record = enabled(HELLO)
    response = api.post(f"/api/extras/jobs/{record.id}/run/", admin_key, json={
        "data": {"person_name": "Ada"},
        "schedule": {"name": "Nightly", "interval": "custom", "crontab": "30 2 * * *", "start_time": later()}})
    assert response.status_code == 201, response.json
    assert response.json["job_result"] is None
    scheduled = response.json["scheduled_job"]
    assert (scheduled["name"], scheduled["interval"], scheduled["crontab"]) == ("Nightly", "custom", "30 2 * * *")
    assert scheduled["kwargs"]["person_name"] == "Ada" and scheduled["next_run"].endswith("02:30:00Z")
    assert JobResult.select().count() == 0


def test_multipart_schedule_fields(api, admin_key):
    record = enabled(HELLO)
    response = api.post(f"/api/extras/jobs/{record.id}/run/", admin_key, content_type="multipart/form-data", data={
        "person_name": "Bo", "greeting_count": "1", "_schedule_name": "Once", "_schedule_interval": "future",
        "_schedule_start_time": later(2)})
    assert response.status_code == 201, response.json
    assert response.json["scheduled_job"]["interval"] == "future"
    assert ScheduledJob.get().task_kwargs["person_name"] == "Bo"


def test_bad_schedules_answer_400_per_field(api, admin_key):
    record = enabled(HELLO)
    url = f"/api/extras/jobs/{record.id}/run/"
    refused = api.post(url, admin_key, json={"schedule": {"interval": "future", "start_time": "2000-01-01T00:00Z"}})
    assert refused.status_code == 400 and "in the past" in refused.json["errors"]["schedule_start_time"][0]
    refused = api.post(url, admin_key, json={"schedule": {"interval": "custom", "crontab": "1 2 3"}})
    assert "5 fields" in refused.json["errors"]["schedule_crontab"][0]
    sensitive = enabled("simple_greeting.SimpleGreetingJob")
    refused = api.post(f"/api/extras/jobs/{sensitive.id}/run/", admin_key,
                       json={"data": {"name_input": "x"}, "schedule": {"interval": "daily"}})
    assert refused.status_code == 400 and "sensitive" in refused.json["errors"]["schedule_interval"][0]
    assert ScheduledJob.select().count() == 0


def test_an_approval_required_run_answers_with_the_request(api, admin_key):
    record = enabled(HELLO)
    record.approval_required = True
    record.save()
    response = api.post(f"/api/extras/jobs/{record.id}/run/", admin_key, json={"data": {}})
    assert response.status_code == 201
    assert response.json["job_result"] is None
    assert response.json["scheduled_job"]["approval_state"] == "awaiting"


def test_list_detail_patch_delete_and_permissions(api, admin_key):
    record = enabled(HELLO)
    api.post(f"/api/extras/jobs/{record.id}/run/", admin_key,
             json={"schedule": {"name": "Hourly", "interval": "hourly", "start_time": later()}})
    row = ScheduledJob.get()
    listed = api.get("/api/extras/scheduled-jobs/", admin_key).json
    assert listed["count"] == 1 and listed["results"][0]["id"] == str(row.id)
    url = f"/api/extras/scheduled-jobs/{row.id}/"
    detail = api.get(url, admin_key).json
    changed = api.patch(url, admin_key, json={**detail, "name": "Hourly 2", "enabled": False})
    assert changed.status_code == 200 and (changed.json["name"], changed.json["enabled"]) == ("Hourly 2", False)
    refused = api.patch(url, admin_key, json={"crontab": "* * * * *"})
    assert refused.status_code == 400 and "Only a custom schedule" in refused.json["crontab"][0]
    assert api.patch(url, admin_key, json={"enabled": "no"}).status_code == 400
    assert api.patch(url, admin_key, json={"misfire_policy": "all"}).json["misfire_policy"] == "all"

    viewer = make_user("viewer")
    grant(viewer, ["view"], ["extras.scheduledjob"])
    viewer_key = key_for(viewer)
    assert api.get(url, viewer_key).status_code == 200
    assert api.patch(url, viewer_key, json={"name": "x"}).status_code == 403
    assert api.delete(url, viewer_key).status_code == 403
    assert api.get(url, key_for(make_user("nobody"))).status_code == 404

    assert api.delete(url, admin_key).status_code == 204
    assert api.get(url, admin_key).status_code == 404


def test_a_scheduled_run_links_its_schedule(api, admin_key):
    from app.scheduling.dispatcher import run_now

    record = enabled(HELLO)
    api.post(f"/api/extras/jobs/{record.id}/run/", admin_key, json={"schedule": {"interval": "daily"}})
    result = run_now(ScheduledJob.get())
    shown = api.get(f"/api/extras/job-results/{result.id}/", admin_key).json
    assert shown["scheduled_job"]["object_type"] == "extras.scheduledjob"
