"""Shared helpers of the API tests: an app with a test client, users, permissions and tokens.

Imported by the tests/test_api_*.py modules (this module holds no tests of its own).
"""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import pytest
from openapi_schema_validator import OAS31Validator
from werkzeug.exceptions import HTTPException

from app import create_app
from app.api.openapi import build_document
from app.api.openapi import documented_path
from app.models import JobRecord
from app.models import JobResult
from app.models import ObjectPermission
from app.models import PermissionUser
from app.models import Token
from app.models import User
from tests.conftest import enable

_names = itertools.count()

HELLO = "hello_jobs.HelloJobs"
COMPASS = "compass.CompassJob"
READ_CSV = "read_csv.ReadCSVJob"
EXPORT = "export_text.ExportText"


_document = None


def openapi_document() -> dict:
    global _document
    if _document is None:
        _document = build_document()
    return _document


def check_documented(app, method: str, url: str, response) -> None:
    """Fail unless the response's status is documented for its route and its body fits the schema."""
    parts = urlsplit(url)
    if response.status_code == 500 or not parts.path.startswith("/api"):
        return
    try:
        rule, values = app.url_map.bind("localhost").match(parts.path, method=method, return_rule=True)
    except HTTPException:
        return  # a routing failure: not an operation of the document
    document = openapi_document()
    operation = document["paths"][documented_path(rule.rule, values)][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {rule.rule} answered an undocumented {response.status_code}"
    content = documented.get("content", {})
    if response.status_code == 204:
        assert not response.data and not content
    elif response.mimetype == "application/json":
        schema = {**content["application/json"]["schema"], "components": document["components"]}
        OAS31Validator(schema).validate(response.json)
    elif "application/octet-stream" not in content:  # a file download: any media type
        assert response.mimetype in content, (response.mimetype, list(content))


class ApiClient:
    """A Flask test client that sends ``Authorization: Token <key>`` when given a key.

    Every answer is checked against /api/openapi.json, so the document cannot drift from what the API
    really does while the API tests pass.
    """

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def request(self, method, path, key=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if key is not None:
            headers.setdefault("Authorization", f"Token {key}")
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        check_documented(self.app, method, str(path), response)
        return response

    def get(self, path, key=None, **kwargs):
        return self.request("GET", path, key, **kwargs)

    def post(self, path, key=None, **kwargs):
        return self.request("POST", path, key, **kwargs)

    def patch(self, path, key=None, **kwargs):
        return self.request("PATCH", path, key, **kwargs)

    def put(self, path, key=None, **kwargs):
        return self.request("PUT", path, key, **kwargs)

    def delete(self, path, key=None, **kwargs):
        return self.request("DELETE", path, key, **kwargs)


@pytest.fixture(name="api")
def api_fixture(jobdeck):
    return ApiClient(create_app(jobdeck))


def make_user(username=None, **fields) -> User:
    return User.create(username=username or f"user{next(_names)}", **fields)


def grant(user, actions, object_types, constraints=None, name=None) -> ObjectPermission:
    permission = ObjectPermission.create(
        name=name or f"perm{next(_names)}", actions=list(actions), object_types=list(object_types),
        constraints=constraints,
    )
    PermissionUser.create(permission=permission, user=user)
    return permission


def key_for(user, **fields) -> str:
    return Token.issue(user, **fields)[1]


@pytest.fixture(name="admin_key")
def admin_key_fixture(jobdeck):
    return key_for(make_user("admin", is_superuser=True, is_staff=True))


def job(class_path: str) -> JobRecord:
    return JobRecord.get_for_class_path(class_path)


def enabled(class_path: str) -> JobRecord:
    return enable(class_path)


def result_for(record, user=None, status="SUCCESS", **fields) -> JobResult:
    return JobResult.create(name=record.name, job_record=record, user=user, status=status,
                            task_name=record.class_path, **fields)
