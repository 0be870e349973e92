"""Scheduling from the job page in headless Chromium, with a live server and a real worker."""

from __future__ import annotations

import datetime
import re
import time

from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobResult
from app.models.schedules import ScheduledJob
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import open_job
from tests.test_browser import page  # noqa: F401
from tests.test_browser import screenshot

SCHEDULE_URL = re.compile(r".*/scheduled-jobs/([0-9a-f-]{36})/$")


def test_schedule_a_run_a_few_seconds_ahead_and_watch_its_result_appear(page, live_server):  # noqa: F811
    live_server.enable("hello_jobs.HelloJobs")
    open_job(page, live_server, "hello_jobs.HelloJobs")
    page.fill("#person_name", "Grace")
    page.select_option("#_run-schedule_interval", "future")
    page.fill("#_run-schedule_name", "In a moment")
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=6)
    page.fill("#_run-schedule_start_time", due.strftime("%Y-%m-%dT%H:%M:%S"))
    # The button says what it does: nothing runs now when a time is chosen.
    assert page.get_by_role("button", name="Run job now").count() == 0
    page.select_option("#_run-schedule_interval", "immediately")
    assert page.get_by_role("button", name="Run job now").is_visible()
    page.select_option("#_run-schedule_interval", "future")
    page.get_by_role("button", name="Schedule run").click()
    page.wait_for_url(SCHEDULE_URL)
    assert page.get_by_text("scheduled as “In a moment”").is_visible()
    assert page.locator("#next-run").inner_text() == due.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert JobResult.select().count() == 0
    screenshot(page, "scheduled-job.png")

    deadline = time.monotonic() + 30
    while not page.locator("table a[href*='/results/']").count():
        assert time.monotonic() < deadline, "the scheduled run never appeared on the schedule's page"
        time.sleep(0.5)
        page.reload()
    page.locator("table a[href*='/results/']").first.click()
    page.wait_for_selector(f"#result-status .badge[data-status={Status.STATUS_SUCCESS}]", timeout=20_000)
    assert page.get_by_text("Hello, Grace!").first.is_visible()
    result = JobResult.get()
    assert result.scheduled_for == due.replace(tzinfo=None)
    assert result.date_started - result.scheduled_for < datetime.timedelta(seconds=1)
    assert ScheduledJob.get().next_run is None
