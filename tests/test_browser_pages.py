"""The job list toggle, the live result page and narrow screens in headless Chromium.

Every page is watched for console errors, htmx's error events included: htmx reports an out-of-band
part without a target (``htmx:oobErrorNoTarget``) as an event, not on the console, so a script
added by the test turns each htmx error event into a console error.
"""

from __future__ import annotations

import time

import pytest

from app.execution.cancel import request_cancel
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from tests.test_browser import RESULT_URL
from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import result_id_of
from tests.test_browser import run_job
from tests.test_browser import screenshot
from tests.test_browser import wait_for_status

HTMX_ERRORS = ("htmx:oobErrorNoTarget", "htmx:targetError", "htmx:swapError", "htmx:responseError",
               "htmx:sendError", "htmx:onLoadError", "htmx:historyCacheError", "htmx:oobAfterSwap:error")
REPORT_HTMX_ERRORS = """
for (const name of %s) {
  document.addEventListener(name, (event) => {
    const target = event.detail && (event.detail.target || (event.detail.content && event.detail.content.id));
    console.error(name + " " + (typeof target === "string" ? target : (target && target.id) || ""));
  });
}
""" % list(HTMX_ERRORS)
SYMBOLS = {"PENDING": "…", "STARTED": "▶", "SUCCESS": "✓", "FAILURE": "✗", "ERRORED": "⚠", "REVOKED": "⊘"}


def open_page(chromium, live_server, width=1280, height=900):
    """A logged-in page and the list its console errors (and failed requests) are collected in."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.add_init_script(REPORT_HTMX_ERRORS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    live_server.login(page)
    return page, errors


@pytest.fixture
def watched(browser, live_server):  # noqa: F811
    page, errors = open_page(browser, live_server)
    yield page, errors
    page.context.close()


def title_is(page, status: str, name: str, timeout: float = 20_000) -> None:
    page.wait_for_function(
        "wanted => document.title === wanted", arg=f"{SYMBOLS[status]} {name} — {status} · Jobdeck", timeout=timeout
    )


def test_toggle_on_the_job_list_enables_the_job(watched, live_server):
    page, errors = watched
    page.goto(f"{live_server.url}/jobs/")
    page.evaluate("window.__notReloaded = true")
    row = page.locator("tr", has=page.get_by_role("link", name="Say Hello", exact=True))
    assert row.locator(".badge", has_text="Disabled").is_visible()
    row.get_by_role("button", name="Enable Say Hello").click()
    page.get_by_role("button", name="Disable Say Hello").wait_for()
    assert row.locator(".badge", has_text="Enabled").is_visible()
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").enabled is True
    assert page.evaluate("window.__notReloaded") is True  # swapped in place by htmx

    page.get_by_role("button", name="Disable Say Hello").click()
    page.get_by_role("button", name="Enable Say Hello").wait_for()
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").enabled is False
    page.reload()  # the state is stored, not only shown
    assert page.get_by_role("button", name="Enable Say Hello").is_visible()
    assert errors == []


def test_first_run_of_say_hello_from_pending_to_success(watched, live_server):
    """Both worker processes are busy, so the run is seen PENDING, then STARTED, then SUCCESS."""
    page, errors = watched
    long_running = live_server.enable("web_long_running.LongRunning")
    blockers = [submit(long_running, live_server.admin, data={}) for _ in range(2)]
    for blocker in blockers:
        wait_until_started(blocker.id)
    live_server.enable("hello_jobs.HelloJobs")
    page.goto(f"{live_server.url}/jobs/{JobRecord.get_for_class_path('hello_jobs.HelloJobs').id}/")
    page.fill("#person_name", "Ada")
    page.get_by_role("button", name="Run job now").click()
    page.wait_for_url(RESULT_URL)
    assert wait_for_status(page, Status.STATUS_PENDING) == "PENDING"
    title_is(page, "PENDING", "Say Hello")
    page.wait_for_timeout(2_500)  # a few polls while it waits
    for blocker in blockers:
        request_cancel(blocker.id)
    title_is(page, "SUCCESS", "Say Hello")
    wait_for_status(page, Status.STATUS_SUCCESS)

    # The first run shows its inputs, its return value and Re-run.
    inputs = page.locator("#result-inputs")
    assert "person_name" in inputs.inner_text() and "Ada" in inputs.inner_text()
    assert '"greeted": "Ada"' in page.inner_text("#result-outcome")
    assert page.get_by_role("button", name="Re-run").is_visible()
    assert page.locator("#log-rows .log-message", has_text="Hello, Ada! (1)").count() == 1
    assert page.locator("#log-empty").is_hidden()
    assert errors == []


def test_cancel_asks_first_and_shows_the_reason(watched, live_server):
    page, errors = watched
    run_job(page, live_server, "web_long_running.LongRunning")
    wait_for_status(page, Status.STATUS_STARTED)
    title_is(page, "STARTED", "Long Running")
    assert "This job takes no input." in page.inner_text("#result-inputs")

    asked = []
    page.once("dialog", lambda dialog: asked.append(dialog.message) or dialog.dismiss())
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(1_500)
    assert asked and asked[0].startswith("Cancel this run of “Long Running”?")
    assert JobResult.get_by_id(result_id_of(page)).status == Status.STATUS_STARTED  # dismissed: still running

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel").click()
    assert wait_for_status(page, Status.STATUS_REVOKED) == "REVOKED"
    title_is(page, "REVOKED", "Long Running")
    assert page.locator("#result-reason").inner_text() == "Cancelled by admin."
    assert page.get_by_role("heading", name="Traceback").count() == 0
    assert page.get_by_role("button", name="Cancel").count() == 0
    screenshot(page, "result-page-cancelled.png")
    assert errors == []


def test_slow_logger_live_page_has_no_console_errors(watched, live_server):
    page, errors = watched
    run_job(page, live_server, "web_slow_logger.SlowLogger", lines="6")
    title_is(page, "STARTED", "Slow Logger")
    title_is(page, "SUCCESS", "Slow Logger")
    page.wait_for_function("document.querySelectorAll('#log-rows tr').length >= 6")
    page.wait_for_selector("#log-poller[data-finished]", state="attached")
    assert errors == []


NO_OVERFLOW = """() => {
  const root = document.documentElement;
  const cut = [...document.querySelectorAll('.table-wrap, pre, .card')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
                    && el.tagName !== 'PRE')
    .map((el) => el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);
  return {page: root.scrollWidth, cut};
}"""


def test_narrow_screen_pages_fit_390_pixels(browser, live_server):  # noqa: F811
    page, errors = open_page(browser, live_server, width=390, height=844)
    try:
        record = live_server.enable("everything.ExampleEverythingJob")
        hello = live_server.enable("hello_jobs.HelloJobs")
        long_text = "a-very-long-value-without-spaces-" * 8
        result = submit(record, live_server.admin, data={
            "example_string": long_text[:100], "example_choice": "a", "example_job": str(hello.id),
            "example_jobs": [str(hello.id), str(record.id)], "example_text": long_text,
        })
        live_server.wait_for_result(result.id)
        JobLogEntry.create(job_result=result, message="A long message " + long_text, log_object=long_text[:200],
                           absolute_url=f"/jobs/{hello.id}/", grouping="a-long-grouping-name")

        for path, name in (("/jobs/", "job-list-390.png"), ("/results/", "result-list-390.png"),
                           (f"/results/{result.id}/", "result-page-390.png")):
            page.goto(f"{live_server.url}{path}")
            measured = page.evaluate(NO_OVERFLOW)
            screenshot(page, name)
            assert measured["page"] <= 390, (path, measured)
            assert measured["cut"] == [], (path, measured)
        assert page.locator("#result-inputs a", has_text="Say Hello").count() == 2
        message = page.locator("#log-rows .log-message", has_text="A long message")
        assert message.bounding_box()["width"] <= 390
        assert errors == []
    finally:
        page.context.close()


def wait_until_started(result_id, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while JobResult.get_by_id(result_id).status != Status.STATUS_STARTED:
        assert time.monotonic() < deadline, f"{result_id} did not start"
        time.sleep(0.05)

