"""JSON from users has a depth and a size limit on every path: 400 or a form error, never a 500."""

from __future__ import annotations

import json

import pytest

from app import json_input
from app.models import JobRecord
from app.models import JobResult
from app.models import ObjectPermission
from tests.conftest import enable
from tests.factories import client_login
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401

JSON_JOB = "json_example.ExampleJSONVarJob"
DEEP = "[" * 100_000
TOO_DEEP = "nested deeper than 64 levels"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- the parser ---------------------------------------------------------------------------------


def test_depth_limit():
    assert json_input.loads(nested(json_input.MAX_DEPTH)) is not None
    with pytest.raises(json_input.JSONLimitError, match=TOO_DEEP):
        json_input.loads(nested(json_input.MAX_DEPTH + 1))
    with pytest.raises(json_input.JSONLimitError, match=TOO_DEEP) as caught:
        json_input.loads(DEEP)
    assert isinstance(caught.value, ValueError) and caught.value.pos == json_input.MAX_DEPTH


def test_brackets_inside_strings_do_not_count():
    document = {"text": "[" * 1000 + '\\"{' * 100, "list": [[["ok"]]]}
    assert json_input.loads(json.dumps(document)) == document
    assert json_input.loads(json.dumps(document).encode()) == document


def test_size_limit():
    big = json.dumps("x" * json_input.MAX_CHARS)
    with pytest.raises(json_input.JSONLimitError, match="longer than"):
        json_input.loads(big)


def test_syntax_errors_are_still_decode_errors():
    with pytest.raises(json.JSONDecodeError):
        json_input.loads('{"a": ')


# --- the API ------------------------------------------------------------------------------------


def run_url(record) -> str:
    return f"/api/extras/jobs/{record.id}/run/"


def test_deep_request_body_is_400(api, admin_key):
    record = enable(JSON_JOB)
    response = api.post(run_url(record), admin_key, data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert TOO_DEEP in response.json["detail"]
    patch = api.patch(f"/api/extras/jobs/{record.id}/", admin_key, data=DEEP, content_type="application/json")
    assert patch.status_code == 400 and TOO_DEEP in patch.json["detail"]


def test_deep_json_variable_in_a_json_body_is_400(api, admin_key):
    record = enable(JSON_JOB)
    body = '{"data": {"var1": ' + nested(100_000) + "}}"
    response = api.post(run_url(record), admin_key, data=body, content_type="application/json")
    assert response.status_code == 400
    assert TOO_DEEP in response.json["detail"]
    assert JobResult.select().count() == 0


def test_deep_json_variable_in_multipart_is_400(api, admin_key):
    record = enable(JSON_JOB)
    response = api.post(run_url(record), admin_key, content_type="multipart/form-data",
                        data={"var1": DEEP})
    assert response.status_code == 400
    assert TOO_DEEP in response.json["errors"]["var1"][0]
    assert JobResult.select().count() == 0


# --- the web forms ------------------------------------------------------------------------------


@pytest.fixture
def web(jobdeck):
    app = make_app(jobdeck)
    client = app.test_client()
    make_user("root", superuser=True)
    return client_login(client, "root")


def test_deep_json_variable_in_the_job_form_is_a_form_error(web):
    enable(JSON_JOB)
    url = f"/jobs/{JobRecord.get_for_class_path(JSON_JOB).id}/"
    response = web.post(url, data={"var1": DEEP, "_run-csrf_token": page_csrf(web, url)})
    assert response.status_code == 400
    assert TOO_DEEP in text(response)
    assert JobResult.select().count() == 0


def test_deep_permission_constraints_are_a_form_error(web):
    response = web.post("/admin/permissions/add/", data={
        "name": "deep", "enabled": "y", "object_types": ["extras.job"], "actions": ["view"], "constraints": DEEP})
    assert response.status_code == 200
    assert TOO_DEEP in text(response)
    assert ObjectPermission.select().count() == 0


# --- the CLI ------------------------------------------------------------------------------------


def test_runjob_deep_data_is_a_sentence(jobdeck, monkeypatch, capsys):
    from app.cli import main
    from tests.conftest import config_environment

    for name, value in config_environment(jobdeck).items():
        monkeypatch.setenv(name, value)
    enable(JSON_JOB)
    code = main(["runjob", "--local", "--data", DEEP, JSON_JOB])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("jobdeck: ") and "Traceback" not in err
    assert "--data is not valid JSON" in err and TOO_DEEP in err
