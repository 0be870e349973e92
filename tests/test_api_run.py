"""Running jobs through the API: POST /api/extras/jobs/<key>/run/ (app/api/views/run.py)."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

from app.config import configure
from app.config import get_config
from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from tests.test_api_support import COMPASS
from tests.test_api_support import HELLO
from tests.test_api_support import READ_CSV
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import grant
from tests.test_api_support import job
from tests.test_api_support import key_for
from tests.test_api_support import make_user

HELLO_DATA = {"person_name": "Ada", "greeting_count": 2}


def run_url(key) -> str:
    return f"/api/extras/jobs/{key}/run/"


def test_run_by_id_answers_201_with_the_pending_result(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["scheduled_job"] is None
    result = JobResult.get_by_id(body["job_result"]["id"])
    assert result.status == "PENDING" and result.job_record_id == record.id
    shape = body["job_result"]
    assert shape["status"] == {"value": "PENDING", "label": "PENDING"}
    assert shape["url"] == f"http://localhost/api/extras/job-results/{result.id}/"
    assert shape["object_type"] == "extras.jobresult"
    assert shape["job_model"]["url"] == f"http://localhost/api/extras/jobs/{record.id}/"
    assert shape["user"]["display"] == "admin"
    assert shape["celery_kwargs"]["queue"] == "default"
    assert shape["date_started"] is None and shape["date_done"] is None


def test_run_by_class_path_legacy_path_and_name(api, admin_key):
    record = enabled(HELLO)
    for key in (HELLO, "local/hello_jobs/HelloJobs", quote("Say Hello")):
        response = api.post(run_url(key), admin_key, json={"data": HELLO_DATA})
        assert response.status_code == 201, (key, response.json)
        assert response.json["job_result"]["job_model"]["id"] == str(record.id)


def test_ambiguous_name_is_400(api, admin_key):
    enabled(HELLO)
    other = enabled(COMPASS)
    other.name = "Say Hello"
    other.save()
    response = api.post(run_url(quote("Say Hello")), admin_key, json={"data": HELLO_DATA})
    assert response.status_code == 400
    assert "More than one job" in response.json["detail"]


def test_pynautobot_body_and_headers(api, admin_key):
    """pynautobot echoes job_id/job_name at the top level and sends a trailing ';' in Content-Type."""
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key,
                        data=json.dumps({"job_id": str(record.id), "data": HELLO_DATA, "commit": True}),
                        headers={"Content-Type": "application/json;", "Accept": "application/json; version=2.4"})
    assert response.status_code == 201, response.json


def test_seed_curl_example_without_body(api, admin_key):
    record = enabled(COMPASS)
    record.name = "No Vars"
    record.save()
    response = api.post(run_url(record.id), admin_key, headers={
        "Content-Type": "application/json", "Accept": "application/json; version=1.3; indent=4"})
    # CompassJob needs a direction: the point is the request is understood and answered in JSON.
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("{\n    ")
    assert response.headers["API-Version"] == "1.3"


def test_defaults_fill_missing_keys(api, admin_key):
    record = enabled(HELLO)
    assert api.post(run_url(record.id), admin_key, json={}).status_code == 201


def test_invalid_data_is_400_with_field_errors(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": {"greeting_count": 0}})
    assert response.status_code == 400
    assert list(response.json) == ["errors"]
    assert "greeting_count" in response.json["errors"]
    assert JobResult.select().count() == 0


def test_unknown_data_key_is_400(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": {**HELLO_DATA, "extra_var": 1}})
    assert response.status_code == 400
    assert response.json == {"errors": {"extra_var": ["Job data contained an unknown property"]}}


def test_data_must_be_an_object(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": [1, 2]})
    assert response.status_code == 400
    assert "data" in response.json["errors"]


def test_unsupported_body_type_is_415(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, data="person_name: x", content_type="text/plain")
    assert response.status_code == 415


def test_disabled_job_is_405(api, admin_key):
    response = api.post(run_url(job(HELLO).id), admin_key, json={"data": HELLO_DATA})
    assert response.status_code == 405
    assert response.json == {"detail": "This job is not enabled to be run."}


def test_not_installed_job_is_405(api, admin_key):
    record = enabled(HELLO)
    record.installed = False
    record.save()
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA})
    assert response.status_code == 405
    assert "not presently installed" in response.json["detail"]


def test_unknown_job_is_404(api, admin_key):
    for key in ("00000000-0000-0000-0000-000000000000", "nope.Nope", quote("No Such Job")):
        response = api.post(run_url(key), admin_key, json={})
        assert response.status_code == 404
        assert response.json == {"detail": "No Job matches the given query."}


def test_run_permission_follows_grouping_constraint(api):
    user = make_user()
    grant(user, ["view"], ["extras.job"])
    grant(user, ["run"], ["extras.job"], {"grouping": "Hello Jobs"})
    key = key_for(user)
    hello, compass = enabled(HELLO), enabled(COMPASS)
    assert api.post(run_url(hello.id), key, json={"data": HELLO_DATA}).status_code == 201
    denied = api.post(run_url(compass.id), key, json={"data": {"direction": "n"}})
    assert denied.status_code == 403
    assert "permission" in denied.json["detail"]
    assert JobResult.select().where(JobResult.job_record == compass.id).count() == 0


def test_job_neither_viewable_nor_runnable_is_404(api):
    user = make_user()
    grant(user, ["run", "view"], ["extras.job"], {"grouping": "Hello Jobs"})
    response = api.post(run_url(enabled(COMPASS).id), key_for(user), json={"data": {"direction": "n"}})
    assert response.status_code == 404


def test_permission_is_checked_before_validation(api):
    user = make_user()
    grant(user, ["view"], ["extras.job"])
    response = api.post(run_url(enabled(HELLO).id), key_for(user), json={"data": {"nonsense": 1}})
    assert response.status_code == 403


def test_task_queue(api, admin_key):
    record = enabled(HELLO)
    record.task_queues = ["default", "fast"]
    record.save()
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA, "task_queue": "fast"})
    assert response.status_code == 201
    assert JobResult.get_by_id(response.json["job_result"]["id"]).queue == "fast"
    assert response.json["job_result"]["celery_kwargs"]["queue"] == "fast"
    wrong = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA, "task_queue": "slow"})
    assert wrong.status_code == 400 and "task_queue" in wrong.json["errors"]
    odd = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA, "job_queue": 5})
    assert odd.status_code == 400


def test_profile_refused_without_debug_for_non_superusers(api):
    user = make_user()
    grant(user, ["view", "run"], ["extras.job"])
    record = enabled(HELLO)
    response = api.post(run_url(record.id), key_for(user), json={"data": HELLO_DATA, "profile": True})
    assert response.status_code == 400
    assert "JOBDECK_DEBUG" in response.json["errors"]["profile"][0]
    assert api.post(run_url(record.id), key_for(user), json={"data": HELLO_DATA, "profile": False}).status_code == 201


def test_profile_allowed_to_superusers_and_under_debug(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA, "profile": True})
    assert response.status_code == 201
    assert JobResult.get_by_id(response.json["job_result"]["id"]).options["profile"] is True
    user = make_user()
    grant(user, ["view", "run"], ["extras.job"])
    configure(get_config().replace(debug=True))  # the process-wide config, which decide() reads
    assert api.post(run_url(record.id), key_for(user), json={"data": HELLO_DATA, "profile": True}).status_code == 201


def test_a_schedule_answers_with_the_scheduled_job_and_immediately_runs_now(api, admin_key):
    record = enabled(HELLO)
    later = {"data": HELLO_DATA, "schedule": {"interval": "daily", "start_time": "2030-01-01T00:00:00Z"}}
    response = api.post(run_url(record.id), admin_key, json=later)
    assert response.status_code == 201 and response.json["job_result"] is None
    assert response.json["scheduled_job"]["next_run"] == "2030-01-01T00:00:00Z"
    now = {"data": HELLO_DATA, "schedule": {"interval": "immediately"}}
    assert api.post(run_url(record.id), admin_key, json=now).status_code == 201


def test_request_metadata_is_captured(api, admin_key):
    record = enabled(HELLO)
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA},
                        headers={"User-Agent": "python-pynautobot/3.2.0"})
    meta = JobResult.get_by_id(response.json["job_result"]["id"]).options["request_meta"]
    assert meta == {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "python-pynautobot/3.2.0"}
    assert "request_meta" not in response.json["job_result"]["celery_kwargs"]


CSV = b"hostname,ip_address\nr1,192.0.2.1\n"


def test_multipart_run_with_a_file(api, admin_key):
    record = enabled(READ_CSV)
    response = api.post(run_url(record.id), admin_key, content_type="multipart/form-data", data={
        "input_file": (io.BytesIO(CSV), "devices.csv"), "_commit": "true", "_task_queue": "default"})
    assert response.status_code == 201, response.json
    result = JobResult.get_by_id(response.json["job_result"]["id"])
    proxy = FileProxy.get(FileProxy.job_result == result.id)
    assert bytes(proxy.content) == CSV and proxy.name == "devices.csv"
    assert result.task_kwargs == {"input_file": str(proxy.id)}
    assert response.json["job_result"]["files"] == []  # inputs are not output files


def test_multipart_profile_and_errors(api):
    user = make_user()
    grant(user, ["view", "run"], ["extras.job"])
    record = enabled(READ_CSV)
    refused = api.post(run_url(record.id), key_for(user), content_type="multipart/form-data",
                       data={"input_file": (io.BytesIO(CSV), "a.csv"), "_profile": "true"})
    assert refused.status_code == 400 and "profile" in refused.json["errors"]
    unknown = api.post(run_url(record.id), key_for(user), content_type="multipart/form-data",
                       data={"input_file": (io.BytesIO(CSV), "a.csv"), "other": (io.BytesIO(b"x"), "b.txt")})
    assert unknown.json == {"errors": {"other": ["Job data contained an unknown property"]}}
    missing = api.post(run_url(record.id), key_for(user), content_type="multipart/form-data", data={"_commit": "1"})
    assert missing.status_code == 400 and "input_file" in missing.json["errors"]
    scheduled = api.post(run_url(record.id), key_for(user), content_type="multipart/form-data",
                         data={"input_file": (io.BytesIO(CSV), "a.csv"), "_schedule_interval": "custom"})
    assert scheduled.status_code == 400 and "needs a crontab" in scheduled.json["errors"]["schedule_crontab"][0]


def test_file_variable_sent_as_json_is_400(api, admin_key):
    record = enabled(READ_CSV)
    response = api.post(run_url(record.id), admin_key, json={"data": {"input_file": "abc"}})
    assert response.status_code == 400
    assert "multipart" in response.json["errors"]["input_file"][0]


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_run_route_only_takes_post(api, admin_key, method):
    assert api.request(method, run_url(enabled(HELLO).id), admin_key).status_code == 405


def test_unloadable_job_is_503(api, admin_key, jobdeck):
    record = enabled(HELLO)
    (jobdeck.jobs_root / "hello_jobs.py").write_text("raise ImportError('broken on purpose')\n")
    response = api.post(run_url(record.id), admin_key, json={"data": HELLO_DATA})
    assert response.status_code == 503
    assert "cannot be loaded" in response.json["detail"]
    assert JobRecord.get_by_id(record.id).enabled


EVERYTHING = "everything.ExampleEverythingJob"
EVERYTHING_DATA = {"example_string": "s", "example_choice": "a"}


def test_object_variable_refuses_a_job_the_user_may_not_view(api, admin_key):
    user = make_user()
    grant(user, ["view", "run"], ["extras.job"], {"grouping": "Examples"})
    key = key_for(user)
    record, hello = enabled(EVERYTHING), job(HELLO)
    unavailable = f"Select a valid JobRecord: '{hello.id}' is not one of the available choices."
    for data in ({"example_job": str(hello.id)}, {"example_jobs": [str(record.id), str(hello.id)]}):
        response = api.post(run_url(record.id), key, json={"data": {**EVERYTHING_DATA, **data}})
        assert response.status_code == 400, response.json
        assert response.json == {"errors": {name: [unavailable] for name in data}}
    by_lookup = api.post(run_url(record.id), key,
                         json={"data": {**EVERYTHING_DATA, "example_job": {"name": "Say Hello"}}})
    assert by_lookup.json == {"errors": {"example_job": ['No JobRecord matches {"name": "Say Hello"}.']}}
    assert JobResult.select().count() == 0
    # A row the user may view is accepted; the superuser may pick any.
    own = api.post(run_url(record.id), key, json={"data": {**EVERYTHING_DATA, "example_job": str(record.id)}})
    assert own.status_code == 201, own.json
    assert api.post(run_url(record.id), admin_key,
                    json={"data": {**EVERYTHING_DATA, "example_job": str(hello.id)}}).status_code == 201


def test_blank_object_variable_runs_with_none(api, admin_key):
    record = enabled(EVERYTHING)
    data = {**EVERYTHING_DATA, "example_job": None, "example_jobs": []}
    response = api.post(run_url(record.id), admin_key, json={"data": data})
    assert response.status_code == 201, response.json
    stored = JobResult.get_by_id(response.json["job_result"]["id"]).task_kwargs
    assert stored["example_job"] is None and stored["example_jobs"] == []


def test_api_and_form_give_the_same_messages(api, admin_key):
    record = enabled(EVERYTHING)
    data = {**EVERYTHING_DATA, "example_integer": "3", "example_choice": "c", "example_ip": "10.0.0",
            "example_network": "10.0.0.0/31"}
    response = api.post(run_url(record.id), admin_key, json={"data": data})
    assert response.json == {"errors": {
        "example_choice": ["Select one of: a (Alpha), b (Beta)."],
        "example_ip": ["Enter an IPv4 or IPv6 address, e.g. 192.0.2.1."],
        "example_network": ["The prefix length must be at most 30 (allowed: /8 to /30); this network is /31."],
    }}
    form = api.post(run_url(record.id), admin_key, data=data, content_type="multipart/form-data")
    assert form.json == response.json
