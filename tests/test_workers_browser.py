"""The queue and worker pages in headless Chromium: reached from the top bar, no wider than 390 px, the
workers page refreshing itself."""

from __future__ import annotations

from app.models import JobQueue
from app.models import WorkerHeartbeat
from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import screenshot
from tests.test_browser_pages import NO_OVERFLOW
from tests.test_browser_pages import open_page


def test_queues_and_workers_from_the_top_bar_fit_390_pixels(browser, live_server):  # noqa: F811
    JobQueue.ensure(["a-long-queue-name-for-nightly-reports"])
    page, errors = open_page(browser, live_server, width=390, height=844)
    try:
        page.goto(f"{live_server.url}/jobs/")
        page.locator(".topbar").get_by_role("link", name="Queues").click()
        page.wait_for_url("**/job-queues/")
        row = page.locator("#queue-table tr", has_text="a-long-queue-name-for-nightly-reports")
        assert "none" in row.inner_text()
        measured = page.evaluate(NO_OVERFLOW)
        assert measured["page"] <= 390 and measured["cut"] == [], measured
        page.get_by_role("link", name="Workers").click()
        page.wait_for_url("**/workers/")
        assert page.locator("#worker-table .badge-success").count() == 1  # live_server's worker
        measured = page.evaluate(NO_OVERFLOW)
        screenshot(page, "workers-390.png")
        assert measured["page"] <= 390 and measured["cut"] == [], measured
        WorkerHeartbeat.create(name="elsewhere:7", hostname="elsewhere", pid=7, queues=["default"])
        page.wait_for_selector('#worker-table tr[data-worker="elsewhere:7"]', timeout=12_000)  # refreshed by htmx
        assert errors == []
    finally:
        page.context.close()
