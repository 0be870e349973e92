"""Login, logout, throttling, safe redirects and CSRF on the browser pages."""

from __future__ import annotations

import datetime

import pytest

from app.models import LoginFailure
from app.models import User
from app.web import login_throttle
from tests.factories import PASSWORD
from tests.factories import client_login
from tests.factories import make_user
from tests.factories import page_csrf


def post_login(client, username, password, **query):
    token = page_csrf(client, "/login")
    url = "/login" + (f"?next={query['next']}" if "next" in query else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


@pytest.mark.parametrize("url", ["/", "/jobs/", "/results/", "/jobs/hello_jobs.HelloJobs/"])
def test_pages_require_login(web_app, url):
    response = web_app.test_client().get(url)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_login_page_and_static_are_public(web_app):
    client = web_app.test_client()
    page = client.get("/login")
    assert page.status_code == 200
    assert "<title>Log in · Jobdeck</title>" in page.get_data(as_text=True)
    assert client.get("/static/css/jobdeck.css").status_code == 200
    assert client.get("/static/js/htmx.min.js").status_code == 200
    # Every other page ends in a slash (and Nautobot's login is /login/): typing it must not be a 404.
    assert "<title>Log in · Jobdeck</title>" in client.get("/login/").get_data(as_text=True)
    assert client.get("/jobs/").headers["Location"].startswith("/login?")


def test_login_sets_last_login_and_follows_relative_next(web_app):
    user = make_user("ada")
    client = web_app.test_client()
    response = post_login(client, "ada", PASSWORD, next="/results/")
    assert response.status_code == 302
    assert response.location == "/results/"
    assert User.get_by_id(user.id).last_login is not None
    assert client.get("/results/").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_refuses_offsite_next(web_app, target):
    make_user("ada")
    response = post_login(web_app.test_client(), "ada", PASSWORD, next=target)
    assert response.status_code == 302
    assert response.location == "/"


def test_wrong_password_and_inactive_user_are_refused(web_app):
    make_user("ada")
    make_user("gone", is_active=False)
    client = web_app.test_client()
    assert post_login(client, "ada", "wrong").status_code == 401
    assert "Invalid username or password" in post_login(client, "gone", PASSWORD).get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_user_loses_session(web_app):
    user = make_user("ada")
    client = client_login(web_app.test_client(), "ada")
    assert client.get("/").status_code == 200
    User.update(is_active=False).where(User.id == user.id).execute()
    assert client.get("/").status_code == 302


def test_login_throttled_after_repeated_failures(web_app):
    make_user("ada")
    client = web_app.test_client()
    for _ in range(login_throttle.MAX_FAILURES):
        assert post_login(client, "ada", "wrong").status_code == 401
    # Locked: even the right password is refused, with a sentence saying why.
    locked = post_login(client, "ada", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.get_data(as_text=True)
    # Another account from the same address is not affected.
    make_user("grace")
    assert post_login(client, "grace", PASSWORD).status_code == 302


def test_lockout_expires(web_app):
    make_user("ada")
    client = web_app.test_client()
    for _ in range(login_throttle.MAX_FAILURES):
        post_login(client, "ada", "wrong")
    long_ago = (
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        - login_throttle.LOCKOUT
        - datetime.timedelta(seconds=1)
    )
    LoginFailure.update(last_failure=long_ago, first_failure=long_ago).execute()
    assert post_login(client, "ada", PASSWORD).status_code == 302
    assert LoginFailure.select().count() == 0


def test_login_without_csrf_token_is_refused(web_app):
    make_user("ada")
    response = web_app.test_client().post("/login", data={"username": "ada", "password": PASSWORD})
    assert response.status_code == 400


def test_logout_needs_post_with_csrf(web_client):
    assert web_client.get("/logout").status_code == 405
    assert web_client.post("/logout").status_code == 400
    response = web_client.post("/logout", data={"csrf_token": page_csrf(web_client, "/")})
    assert response.status_code == 302
    assert web_client.get("/").status_code == 302


def test_session_cookie_flags(web_app):
    make_user("ada")
    response = post_login(web_app.test_client(), "ada", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_can_be_switched_on(web_app):
    from app import create_app
    from app.config import from_environment

    assert web_app.config["SESSION_COOKIE_SECURE"] is False
    config = web_app.config["JOBDECK"]
    assert from_environment({"JOBDECK_SECURE_COOKIES": "true"}).secure_cookies is True
    app = create_app(config.replace(secure_cookies=True))
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True


def test_password_spraying_from_one_address_is_limited(web_app):
    """Many usernames, one wrong password each, from one address: the address is locked out."""
    for index in range(login_throttle.ADDRESS_MAX_FAILURES):
        make_user(f"user{index}")
    make_user("victim")
    client = web_app.test_client()
    for index in range(login_throttle.ADDRESS_MAX_FAILURES):
        assert post_login(client, f"user{index}", "Summer2026!").status_code == 401
    # The next account, even with its right password, is refused from this address ...
    refused = post_login(client, "victim", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins from your address" in refused.get_data(as_text=True)
    # ... while another address is not affected.
    other = web_app.test_client()
    token = page_csrf(other, "/login")
    allowed = other.post("/login", data={"username": "victim", "password": PASSWORD, "csrf_token": token},
                         environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert allowed.status_code == 302


def test_a_success_does_not_reset_the_address_limit(web_app):
    make_user("mine")
    client = web_app.test_client()
    for index in range(login_throttle.ADDRESS_MAX_FAILURES - 1):
        post_login(client, f"nobody{index}", "guess")
    assert post_login(client, "mine", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    post_login(client, "nobody-else", "guess")
    assert post_login(client, "mine", PASSWORD).status_code == 429


def test_failed_logins_are_recorded_without_the_password(web_app):
    from app.models import FailedLogin

    make_user("ada")
    make_user("gone", is_active=False)
    client = web_app.test_client()
    token = page_csrf(client, "/login")
    for username, password in (("ada", "hunter2-secret"), ("nobody", "hunter3-secret"), ("gone", PASSWORD)):
        client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                    headers={"User-Agent": "spray-bot/2.0"}, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    rows = list(FailedLogin.select().order_by(FailedLogin.id))
    assert [(row.username, row.address, row.user_agent) for row in rows] == [
        ("ada", "203.0.113.5", "spray-bot/2.0"),
        ("nobody", "203.0.113.5", "spray-bot/2.0"),
        ("gone", "203.0.113.5", "spray-bot/2.0"),
    ]
    assert [row.reason for row in rows] == ["Wrong password.", "Unknown username.", "User is inactive."]
    stored = " ".join(f"{row.username} {row.address} {row.user_agent} {row.reason}" for row in rows)
    assert "hunter" not in stored and PASSWORD not in stored
