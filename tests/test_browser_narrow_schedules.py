"""The scheduled-job and approval pages at 390 px: nothing cut off, nothing wider than the screen."""

from __future__ import annotations

from app.db import utcnow
from tests.factories import make_request
from tests.support.server import create_user
from tests.test_approvals import CHANGE_WINDOW
from tests.test_approvals import INPUTS
from tests.test_approvals import install_approval_jobs
from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import screenshot
from tests.test_browser_pages import NO_OVERFLOW
from tests.test_browser_pages import open_page


def test_schedule_and_approval_pages_fit_390_pixels(browser, live_server):  # noqa: F811
    from app.models import JobRecord

    install_approval_jobs(live_server.config)
    record = JobRecord.get_for_class_path(CHANGE_WINDOW)
    alice = create_user("alice")
    make_request(record, alice, task_kwargs=INPUTS, name="Uplink move on core-1 and core-2, then verify")
    make_request(record, alice, task_kwargs=INPUTS, name="Reboot r1", state="denied", decided_at=utcnow(),
                 decided_by=live_server.admin, decision_reason="Not during business hours, please")
    daily = make_request(record, alice, task_kwargs=INPUTS, name="Nightly backup", interval="daily",
                         state="approved")
    page, errors = open_page(browser, live_server, width=390, height=844)
    try:
        for path, name in (("/scheduled-jobs/", "schedules-390.png"),
                           (f"/scheduled-jobs/{daily.id}/", "schedule-390.png"),
                           ("/scheduled-jobs/approval-queue/", "approvals-390.png"),
                           ("/scheduled-jobs/approval-queue/?tab=decided", "approvals-decided-390.png")):
            page.goto(f"{live_server.url}{path}")
            measured = page.evaluate(NO_OVERFLOW)
            screenshot(page, name)
            assert measured["page"] <= 390, (path, measured)
            assert measured["cut"] == [], (path, measured)
            for box in page.locator("main input, main button, main .badge").all():
                edge = box.bounding_box()
                assert edge is None or edge["x"] + edge["width"] <= 390, (path, box.evaluate("e => e.outerHTML"))
        assert "Not during business hours" in page.inner_text("#decided-requests")
        assert errors == []
    finally:
        page.context.close()
