"""API root, status, content negotiation and JSON errors (app/api/__init__, negotiation, errors)."""

from __future__ import annotations

import datetime
import json
import platform

from app import __version__
from app.db import utcnow
from app.models import WorkerHeartbeat
from tests.test_api_support import HELLO
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import job


def test_root_answers_with_the_version_header_and_absolute_links(api):
    response = api.get("/api/")
    assert response.status_code == 200
    assert response.headers["API-Version"] == "2.4"
    assert response.json["extras"] == "http://localhost/api/extras/"
    assert response.json["status"] == "http://localhost/api/status/"


def test_app_roots_list_their_endpoints(api, admin_key):
    extras = api.get("/api/extras/", admin_key).json
    assert extras["jobs"] == "http://localhost/api/extras/jobs/"
    assert extras["job-logs"] == "http://localhost/api/extras/job-logs/"
    assert api.get("/api/users/", admin_key).json == {
        "users": "http://localhost/api/users/users/", "groups": "http://localhost/api/users/groups/",
        "permissions": "http://localhost/api/users/permissions/"}


def test_status_counts_live_workers_only(api, admin_key):
    WorkerHeartbeat.create(name="w1", hostname="h", pid=1)
    WorkerHeartbeat.create(name="w2", hostname="h", pid=2, last_seen=utcnow() - datetime.timedelta(hours=1))
    body = api.get("/api/status/", admin_key).json
    assert body == {"jobdeck-version": __version__, "python-version": platform.python_version(),
                    "workers-running": 1, "celery-workers-running": 1,
                    "worker-supervision": None}  # not started by `jobdeck serve`


def test_status_needs_credentials(api):
    assert api.get("/api/status/").status_code == 403


def test_api_version_header_is_on_every_response_errors_included(api, admin_key):
    for response in (api.get("/api/extras/jobs/"), api.get("/api/nowhere/"),
                     api.request("DELETE", "/api/extras/jobs/", admin_key),
                     api.get("/api/extras/jobs/", admin_key)):
        assert response.headers["API-Version"] == "2.4"
        assert response.mimetype == "application/json"


def test_accept_header_variants_are_served(api, admin_key):
    for accept in ("application/json;", "*/*", "application/json", "application/json; version=2.4",
                   "text/html,application/xhtml+xml,*/*;q=0.8", "application/*"):
        response = api.get("/api/extras/jobs/", admin_key, headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert response.headers["API-Version"] == "2.4"


def test_requested_version_is_echoed(api, admin_key):
    response = api.get("/api/extras/jobs/", admin_key, headers={"Accept": "application/json; version=2.3"})
    assert response.headers["API-Version"] == "2.3"


def test_seed_curl_accept_header_is_served_pretty_printed(api, admin_key):
    response = api.get(f"/api/extras/jobs/{job(HELLO).id}/", admin_key,
                       headers={"Accept": "application/json; version=1.3; indent=4"})
    assert response.status_code == 200
    assert response.headers["API-Version"] == "1.3"
    text = response.get_data(as_text=True)
    assert text.startswith('{\n    "id": ')
    assert json.loads(text)["name"] == "Say Hello"


def test_compact_json_without_indent(api, admin_key):
    text = api.get(f"/api/extras/jobs/{job(HELLO).id}/", admin_key).get_data(as_text=True)
    assert "\n" not in text and '{"id":' in text


def test_unknown_version_is_406(api, admin_key):
    response = api.get("/api/extras/jobs/", admin_key, headers={"Accept": "application/json; version=9.9"})
    assert response.status_code == 406
    assert "Invalid version" in response.json["detail"]
    assert response.headers["API-Version"] == "2.4"


def test_non_json_accept_is_406(api, admin_key):
    response = api.get("/api/extras/jobs/", admin_key, headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.json == {"detail": "Could not satisfy the request Accept header."}


def test_unknown_path_is_json_404(api, admin_key):
    for path in ("/api/nowhere/", "/api/extras/job-results/not-a-uuid/", "/api/extras/job-logs/abc/"):
        response = api.get(path, admin_key)
        assert response.status_code == 404
        assert response.json == {"detail": "Not found."}
    # A job is looked up by id, class path or name, so any key is a lookup.
    response = api.get("/api/extras/jobs/not-a-job/", admin_key)
    assert (response.status_code, response.json) == (404, {"detail": "No Job matches the given query."})


def test_wrong_method_is_json_405_with_allow(api, admin_key):
    response = api.request("PUT", f"/api/extras/jobs/{job(HELLO).id}/", admin_key, json={})
    assert response.status_code == 405
    assert response.json["detail"] == "Method \u201cPUT\u201d not allowed."
    assert "PATCH" in response.headers["Allow"]
    assert api.get(f"/api/extras/jobs/{job(HELLO).id}/run/", admin_key).status_code == 405
    assert api.request("OPTIONS", "/api/extras/jobs/", admin_key).status_code == 405


def test_unexpected_exception_is_json_500(api, admin_key, monkeypatch):
    from app.api.views import jobs

    def explode(record):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "serialize_job", explode)
    response = api.get(f"/api/extras/jobs/{job(HELLO).id}/", admin_key)
    assert response.status_code == 500
    assert response.json == {"detail": "Internal server error."}
    assert "boom" not in response.get_data(as_text=True)


def test_too_large_body_is_json_413(api, admin_key):
    api.app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post(f"/api/extras/jobs/{enabled(HELLO).id}/run/", admin_key, data={"x": "y" * 5000})
    assert response.status_code == 413
    assert response.json == {"detail": "The request body is too large."}


def test_web_pages_keep_their_own_errors(api):
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "API-Version" not in response.headers
