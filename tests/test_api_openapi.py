"""/api/openapi.json: a valid OpenAPI document that lists exactly the API's routes (app/api/openapi.py).

Response bodies are checked against it by every API test (tests/test_api_support.py ApiClient).
"""

from __future__ import annotations

import dataclasses

import pytest
from openapi_spec_validator import validate

from app.api.openapi import rule_paths
from tests import test_api_support as support
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401

IMPLICIT = {"HEAD", "OPTIONS"}


def registered(app) -> set[tuple[str, str]]:
    return {
        (path, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api")
        for path in rule_paths(rule.rule)
        for method in rule.methods - IMPLICIT
    }


def documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, methods in document["paths"].items() for method in methods}


def test_document_is_public_and_valid(api):
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    validate(response.json)
    assert response.json["openapi"].startswith("3.")
    assert response.json["info"]["version"] == "2.4"


def test_every_route_is_documented_and_nothing_else(api):
    document = api.get("/api/openapi.json").json
    assert registered(api.app) == documented(document)
    assert ("/api/extras/jobs/{job_key}/run/", "post") in documented(document)


def test_token_security_scheme(api):
    document = api.get("/api/openapi.json").json
    scheme = document["components"]["securitySchemes"]["tokenAuth"]
    expected = {"type": "apiKey", "in": "header", "name": "Authorization", "description": "\u201cToken <key>\u201d"}
    assert scheme == expected
    assert document["security"] == [{"tokenAuth": []}]
    public = {path for path, methods in document["paths"].items() for op in methods.values() if "security" in op}
    assert public == {"/api/", "/api/openapi.json", "/api/docs/"}


def test_filters_and_page_parameters_are_documented(api):
    document = api.get("/api/openapi.json").json
    params = {p["name"] for p in document["paths"]["/api/extras/jobs/"]["get"]["parameters"]}
    assert params == {"id", "name", "grouping", "module_name", "job_class_name", "class_path", "enabled",
                      "installed", "hidden", "q", "limit", "offset"}
    logs = {p["name"] for p in document["paths"]["/api/extras/job-logs/"]["get"]["parameters"]}
    assert logs == {"job_result", "log_level", "grouping", "q", "limit", "offset"}
    status = next(p for p in document["paths"]["/api/extras/job-results/"]["get"]["parameters"]
                  if p["name"] == "status")
    assert status["schema"]["items"]["enum"] == ["PENDING", "STARTED", "SUCCESS", "FAILURE", "ERRORED", "REVOKED"]


def test_run_documents_json_and_multipart_bodies_and_its_errors(api):
    run = api.get("/api/openapi.json").json["paths"]["/api/extras/jobs/{job_key}/run/"]["post"]
    assert set(run["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "400", "403", "404", "405", "406"} <= set(run["responses"])
    assert run["responses"]["201"]["headers"]["API-Version"]


def test_undocumented_status_fails_the_response_check(api, admin_key, monkeypatch):
    """The check every API test relies on does catch drift."""
    from app.api import openapi

    drifted = [dataclasses.replace(op, status=202) if op.endpoint == "api.job_list" else op
               for op in openapi.OPERATIONS]
    monkeypatch.setattr(openapi, "OPERATIONS", drifted)
    monkeypatch.setattr(support, "_document", None)
    with pytest.raises(AssertionError, match="undocumented 200"):
        api.get("/api/extras/jobs/", admin_key)
