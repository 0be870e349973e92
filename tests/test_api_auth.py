"""Token and session authentication of the API (app/api/auth.py)."""

from __future__ import annotations

import datetime

from app.db import utcnow
from app.models import Token
from app.models import UserSession
from tests.test_api_support import HELLO
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import enabled
from tests.test_api_support import key_for
from tests.test_api_support import make_user

JOBS = "/api/extras/jobs/"


def test_missing_credentials(api):
    response = api.get(JOBS)
    assert response.status_code == 403
    assert response.json == {"detail": "Authentication credentials were not provided."}


def test_other_schemes_count_as_missing(api):
    response = api.get(JOBS, headers={"Authorization": "Bearer abc"})
    assert response.json == {"detail": "Authentication credentials were not provided."}


def test_bad_token(api):
    response = api.get(JOBS, "0" * 40)
    assert response.status_code == 403
    assert response.json == {"detail": "Invalid token"}


def test_bad_token_is_refused_even_on_public_endpoints(api):
    assert api.get("/api/", "0" * 40).status_code == 403


def test_malformed_token_header(api):
    response = api.get(JOBS, headers={"Authorization": "Token"})
    assert response.status_code == 403
    assert "Invalid token header" in response.json["detail"]


def test_header_name_and_scheme_are_case_insensitive(api):
    key = key_for(make_user(is_superuser=True))
    assert api.get(JOBS, headers={"authorization": f"Token {key}"}).status_code == 200
    assert api.get(JOBS, headers={"AUTHORIZATION": f"token {key}"}).status_code == 200


def test_expired_token(api):
    key = key_for(make_user(is_superuser=True), expires=utcnow() - datetime.timedelta(seconds=1))
    response = api.get(JOBS, key)
    assert response.status_code == 403
    assert response.json == {"detail": "Token expired"}


def test_inactive_user(api):
    key = key_for(make_user(is_superuser=True, is_active=False))
    response = api.get(JOBS, key)
    assert response.status_code == 403
    assert response.json == {"detail": "User inactive or deleted."}


def test_read_only_token_reads_but_cannot_write(api):
    key = key_for(make_user(is_superuser=True), write_enabled=False)
    record = enabled(HELLO)
    assert api.get(JOBS, key).status_code == 200
    response = api.post(f"{JOBS}{record.id}/run/", key, json={"data": {}})
    assert response.status_code == 403
    assert "read-only" in response.json["detail"]
    assert api.patch(f"{JOBS}{record.id}/", key, json={"enabled": False}).status_code == 403
    assert enabled(HELLO).enabled


def test_last_used_is_recorded_at_most_once_a_minute(api):
    user = make_user(is_superuser=True)
    token, key = Token.issue(user)
    api.get(JOBS, key)
    first = Token.get_by_id(token.id).last_used
    assert first is not None
    api.get(JOBS, key)
    assert Token.get_by_id(token.id).last_used == first
    Token.update(last_used=first - datetime.timedelta(minutes=2)).where(Token.id == token.id).execute()
    api.get(JOBS, key)
    assert Token.get_by_id(token.id).last_used > first


def _log_in(api, user):
    # The session holds the key of a server-side session row, never the user id (app.web.sessions).
    key = UserSession.open(user, datetime.timedelta(hours=1))
    with api.client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def test_a_session_holding_a_bare_user_id_is_refused(api):
    user = make_user(is_superuser=True)
    with api.client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what sessions held before they became revocable
    assert api.get(JOBS).status_code == 403


def test_browser_session_may_read(api):
    _log_in(api, make_user(is_superuser=True))
    response = api.get(JOBS)
    assert response.status_code == 200
    assert response.json["count"] > 0


def test_browser_session_may_not_write(api):
    _log_in(api, make_user(is_superuser=True))
    record = enabled(HELLO)
    response = api.post(f"{JOBS}{record.id}/run/", json={"data": {}})
    assert response.status_code == 403
    assert "use a token" in response.json["detail"]


def test_token_wins_over_session(api):
    _log_in(api, make_user(is_superuser=True))
    assert api.get(JOBS, "f" * 40).status_code == 403
