"""The admin pages at 390 px: the section tabs wrap instead of making the whole page scroll sideways."""

from __future__ import annotations

from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import screenshot
from tests.test_browser_pages import NO_OVERFLOW
from tests.test_browser_pages import open_page


def test_admin_pages_are_no_wider_than_390_pixels(browser, live_server):  # noqa: F811
    page, errors = open_page(browser, live_server, width=390, height=844)
    try:
        for path in ("/admin/", "/admin/users/", "/admin/groups/", "/admin/permissions/", "/admin/tokens/",
                     "/admin/failed-logins/"):
            page.goto(f"{live_server.url}{path}")
            measured = page.evaluate(NO_OVERFLOW)
            assert measured["page"] <= 390, (path, measured)
            for tab in page.locator(".admin-tabs a").all():
                edge = tab.bounding_box()
                assert edge["x"] + edge["width"] <= 390, (path, tab.inner_text())
        screenshot(page, "admin-failed-logins-390.png")
        assert errors == []
    finally:
        page.context.close()
