"""Review findings on sessions: nothing of the session from before a login survives it."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import page_csrf


def test_a_login_starts_a_fresh_session_so_a_planted_csrf_token_is_worthless(jobdeck):
    # An attacker who can plant a session cookie (a sibling subdomain) plants one whose CSRF token they
    # know; it must not become the token of the victim's logged-in session.
    app = make_app(jobdeck, csrf=True)
    make_user("victim")
    attacker = app.test_client()
    planted_token = page_csrf(attacker, "/login")
    victim = app.test_client()
    victim.set_cookie("session", attacker.get_cookie("session").value)
    response = victim.post("/login", data={"username": "victim", "password": PASSWORD, "csrf_token": planted_token})
    assert response.status_code == 302
    profile_form_token = page_csrf(victim, "/")
    assert profile_form_token != planted_token
    forged = victim.post("/logout", data={"csrf_token": planted_token})
    assert forged.status_code == 400  # the planted token no longer passes
