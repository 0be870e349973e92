"""Revocable sessions: logout, a password change and deactivation end copied cookies, in the UI and the API."""

from __future__ import annotations

import pytest

from app.models import User
from tests.factories import PASSWORD
from tests.factories import client_login
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import page_csrf

JOBS_API = "/api/extras/jobs/"
NEW_PASSWORD = "battery-staple-42"


@pytest.fixture
def app(jobdeck):
    return make_app(jobdeck, csrf=True)


def copy_of(app, client):
    """A second client holding a copy of client's cookies, as a thief with the cookie jar would."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def api_allowed(client) -> bool:
    return client.get(JOBS_API).status_code == 200


def log_in(app, username, password=PASSWORD, remember=False):
    client = app.test_client()
    data = {"username": username, "password": password, "csrf_token": page_csrf(client, "/login")}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def test_logout_ends_the_session_for_every_copy_of_its_cookie(app):
    make_user("ada")
    client = client_login(app.test_client(), "ada")
    stolen = copy_of(app, client)
    assert logged_in(stolen) and api_allowed(stolen)

    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})

    assert not logged_in(client)
    assert not logged_in(stolen)
    assert not api_allowed(stolen)
    assert stolen.get(JOBS_API).json == {"detail": "Authentication credentials were not provided."}


def test_logout_ends_only_that_session(app):
    make_user("ada")
    laptop = client_login(app.test_client(), "ada")
    phone = client_login(app.test_client(), "ada")
    laptop.post("/logout", data={"csrf_token": page_csrf(laptop, "/")})
    assert not logged_in(laptop) and logged_in(phone)


def test_remember_me_cookie_dies_with_the_session(app):
    make_user("ada")
    client = log_in(app, "ada", remember=True)
    assert client.get_cookie("remember_token") is not None
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert logged_in(only_remember)  # the remember-me cookie alone logs in ...

    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    fresh = app.test_client()
    fresh.set_cookie("remember_token", only_remember.get_cookie("remember_token").value)
    assert not logged_in(fresh)  # ... until the session it belongs to has ended


def test_admin_password_change_ends_every_session_of_that_user(app):
    make_user("root", superuser=True)
    admin = client_login(app.test_client(), "root")
    ada = make_user("ada")
    ada_client = log_in(app, "ada", remember=True)
    stolen = copy_of(app, ada_client)

    url = f"/admin/users/{ada.id}/"
    response = admin.post(url, data={"username": "ada", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
                                     "is_active": "y", "csrf_token": page_csrf(admin, url)})
    assert response.status_code == 302

    assert not logged_in(ada_client) and not logged_in(stolen) and not api_allowed(stolen)
    assert logged_in(admin)
    assert logged_in(log_in(app, "ada", NEW_PASSWORD))


def test_deactivating_a_user_ends_their_sessions_for_good(app):
    make_user("root", superuser=True)
    admin = client_login(app.test_client(), "root")
    ada = make_user("ada")
    ada_client = client_login(app.test_client(), "ada")
    url = f"/admin/users/{ada.id}/"

    admin.post(url, data={"username": "ada", "csrf_token": page_csrf(admin, url)})  # "Active" unticked
    assert not User.get_by_id(ada.id).is_active
    assert not logged_in(ada_client) and not api_allowed(ada_client)

    admin.post(url, data={"username": "ada", "is_active": "y", "csrf_token": page_csrf(admin, url)})
    assert User.get_by_id(ada.id).is_active
    assert not logged_in(ada_client)  # reactivation does not bring the old session back


def test_own_password_change_keeps_this_session_and_ends_the_others(app):
    make_user("ada")
    here = client_login(app.test_client(), "ada")
    elsewhere = client_login(app.test_client(), "ada")
    stolen = copy_of(app, here)

    page = here.get("/profile/password/")
    assert page.status_code == 200
    response = here.post("/profile/password/", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": page_csrf(here, "/profile/password/"),
    })
    assert response.status_code == 302

    assert User.get(User.username == "ada").check_password(NEW_PASSWORD)
    assert logged_in(here) and api_allowed(here)
    assert not logged_in(elsewhere)
    assert not logged_in(stolen)  # the cookie from before the change is dead too: the key was renewed


@pytest.mark.parametrize("fields, message", [
    ({"current_password": "wrong-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
     "Your current password is not correct."),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "different-one-1"},
     "The two new passwords do not match."),
    ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
     "at least 8 characters"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
     "The new password must differ from the current one."),
])
def test_password_change_errors(app, fields, message):
    make_user("ada")
    client = client_login(app.test_client(), "ada")
    response = client.post("/profile/password/", data={**fields, "csrf_token": page_csrf(client, "/profile/password/")})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert User.get(User.username == "ada").check_password(PASSWORD)
    assert logged_in(client)


def test_password_change_needs_csrf_and_login(app):
    make_user("ada")
    client = client_login(app.test_client(), "ada")
    refused = client.post("/profile/password/", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert User.get(User.username == "ada").check_password(PASSWORD)
    assert app.test_client().get("/profile/password/").status_code == 302


def test_a_session_costs_one_query_per_request(app, jobdeck):
    """Loading the user of a request is one indexed query, whatever the session holds."""
    from app import db

    make_user("ada")
    client = client_login(app.test_client(), "ada")
    statements = []
    original = db.database.obj.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return original(sql, *args, **kwargs)

    db.database.obj.execute_sql = counting
    try:
        client.get("/profile/tokens/")
    finally:
        del db.database.obj.execute_sql
    assert len([sql for sql in statements if '"user_session"' in sql]) == 1
