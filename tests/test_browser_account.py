"""A user changes their own password in headless Chromium: the old one stops working, and so does
every other browser they were logged in with; the browser that changed it stays logged in."""

from __future__ import annotations

from tests.support.server import ADMIN_PASSWORD
from tests.support.server import ADMIN_USERNAME
from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import new_page
from tests.test_browser import screenshot

NEW_PASSWORD = "a-new-and-longer-secret-42"


def test_password_change_from_the_profile_page(browser, live_server):  # noqa: F811
    changer, other = new_page(browser), new_page(browser)
    try:
        live_server.login(changer)
        live_server.login(other)

        changer.goto(f"{live_server.url}/profile/password/")
        changer.fill("#current_password", "not-my-password")
        changer.fill("#new_password", NEW_PASSWORD)
        changer.fill("#confirm_password", NEW_PASSWORD)
        changer.get_by_role("button", name="Change password").click()
        assert "current password" in changer.inner_text("main").lower()  # refused, said why

        changer.fill("#current_password", ADMIN_PASSWORD)
        changer.fill("#new_password", NEW_PASSWORD)
        changer.fill("#confirm_password", NEW_PASSWORD + "-typo")
        changer.get_by_role("button", name="Change password").click()
        assert "do not match" in changer.inner_text("main")

        changer.fill("#current_password", ADMIN_PASSWORD)
        changer.fill("#new_password", NEW_PASSWORD)
        changer.fill("#confirm_password", NEW_PASSWORD)
        changer.get_by_role("button", name="Change password").click()
        changer.wait_for_load_state()
        screenshot(changer, "password-changed.png")

        # This browser is still logged in; the other one was logged out by the change.
        changer.goto(f"{live_server.url}/jobs/")
        assert changer.url == f"{live_server.url}/jobs/"
        other.goto(f"{live_server.url}/jobs/")
        assert "/login" in other.url

        # The old password no longer logs in; the new one does.
        other.fill("#username", ADMIN_USERNAME)
        other.fill("#password", ADMIN_PASSWORD)
        other.click("button[type=submit]")
        assert "/login" in other.url
        live_server.login(other, password=NEW_PASSWORD)
    finally:
        changer.context.close()
        other.context.close()
