"""The generated job form in headless Chromium: the blank ObjectVar choice and the error summary.

Uses the harness of tests/test_browser.py (real Chromium, live server, real worker). The error
summary is checked with JavaScript turned off: its links and focus are plain HTML.
"""

from __future__ import annotations

import pytest

from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from tests import test_browser as harness  # importing it applies its Chromium check
from tests.test_browser import RESULT_URL
from tests.test_browser import new_page
from tests.test_browser import open_job
from tests.test_browser import result_id_of
from tests.test_browser import run_form
from tests.test_browser import screenshot
from tests.test_browser import wait_for_status

browser = harness.browser  # the harness's fixtures: one Chromium per module, a logged-in page
page = harness.page

PICK = "web_object_choice.PickJobs"
LONG = "web_long_form.LongForm"


@pytest.fixture
def page_without_js(browser, live_server):
    page = new_page(browser, live_server, java_script_enabled=False)
    yield page
    page.context.close()


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_blank_object_choice_runs_with_none(page, live_server):
    live_server.enable(PICK)
    open_job(page, live_server, PICK)
    related = page.locator("#related")
    assert related.locator("option").first.inner_text() == "No related job"
    assert related.input_value() == ""  # starts blank, not on the first job
    assert page.locator("#subject").input_value() == ""
    assert page.locator("#subject option[value='']").is_disabled()  # a placeholder, not a choice
    assert page.locator("#others option:checked").count() == 0

    page.select_option("#subject", label="Say Hello")
    page.select_option("#related", label="Say Hello")
    page.select_option("#related", label="No related job")  # chosen, then cleared again
    run_form(page)
    page.wait_for_url(RESULT_URL)
    wait_for_status(page, Status.STATUS_SUCCESS)
    result = JobResult.get_by_id(result_id_of(page))
    assert result.result == {"subject": "Say Hello", "related": None, "others": []}


def test_required_object_choice_is_not_submitted_for_the_user(page, live_server):
    live_server.enable(PICK)
    open_job(page, live_server, PICK)
    before = JobResult.select().count()
    run_form(page)
    assert "This field is required." in page.locator(".field.has-error", has=page.locator("#subject")).inner_text()
    assert JobResult.select().count() == before


def test_error_summary_links_to_each_field_without_javascript(page_without_js, live_server):
    page = page_without_js
    live_server.enable(LONG)
    record = open_job(page, live_server, LONG)
    page.fill("#hostname", "db1")
    page.fill("#rack_units", "60")
    page.fill("#management_ip", "10.0.0")
    page.fill("#network", "10.0.0.0/8")
    run_form(page)
    page.wait_for_selector("#error-summary")
    assert page.url.rstrip("/").endswith(str(record.id))

    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "Please correct the 4 errors below" in summary.inner_text()
    assert focused_id(page) == "error-summary"  # keyboard and screen readers start on the summary
    # At the top: above the first field of the form.
    assert summary.bounding_box()["y"] < page.locator("#hostname").bounding_box()["y"]
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "Rack units: Number must be between 1 and 48.",
        "Management ip: Enter an IPv4 or IPv6 address, e.g. 192.0.2.1.",
        "Network: The prefix length must be at least 16 (allowed: /16 to /30); this network is /8.",
        "Owner: This field is required.",
    ]
    screenshot(page, "job-page-error-summary.png")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Rack units:")
    summary.get_by_role("link", name="Rack units").click()
    assert page.url.endswith("#rack_units")
    assert focused_id(page) == "rack_units"
    page.fill("#rack_units", "2")  # typing lands in the field the link went to
    assert page.input_value("#rack_units") == "2"
    summary.get_by_role("link", name="Network").press("Enter")
    assert focused_id(page) == "network"
    assert JobResult.select().where(JobResult.job_record == JobRecord.get_for_class_path(LONG)).count() == 0
