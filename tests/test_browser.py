"""The newcomer's path in headless Chromium against a live server with a real worker.

Screenshots of the job page and the result page are written to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULT_URL = re.compile(r".*/results/([0-9a-f-]{36})/$")

if not CHROMIUM.exists():
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def new_page(browser, live_server=None, **context_options):
    """A page in a fresh 1280x900 context (closed with ``page.context.close()``), logged in as the admin
    when ``live_server`` is given."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if live_server is not None:
        live_server.login(page)
    return page


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server, accept_downloads=True)
    yield page
    page.context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def result_id_of(page) -> str:
    match = RESULT_URL.match(page.url)
    assert match, page.url
    return match.group(1)


def status_of(page) -> str:
    return page.locator("#result-status .badge").get_attribute("data-status")


def wait_for_status(page, *statuses: str, timeout: float = 20_000) -> str:
    wanted = "|".join(statuses)
    page.wait_for_selector(
        f"#result-status .badge[data-status]:is({','.join(f'[data-status={s}]' for s in statuses)})",
        timeout=timeout,
    )
    status = status_of(page)
    assert re.fullmatch(wanted, status), status
    return status


def open_job(page, live_server, class_path: str) -> JobRecord:
    record = JobRecord.get_for_class_path(class_path)
    page.goto(f"{live_server.url}/jobs/{record.id}/")
    return record


def run_form(page, button="Run job now"):
    page.get_by_role("button", name=button).click()


def run_job(page, live_server, class_path: str, **values: str) -> None:
    """Enable the job, fill its form (``#<name>`` inputs), run it and wait for the result page."""
    live_server.enable(class_path)
    open_job(page, live_server, class_path)
    for name, value in values.items():
        page.fill(f"#{name}", value)
    run_form(page)
    page.wait_for_url(RESULT_URL)


def test_newcomer_runs_hello_jobs(page, live_server):
    page.goto(f"{live_server.url}/jobs/")
    page.get_by_role("link", name="Say Hello").click()
    assert page.locator(".alert-warning", has_text="disabled").is_visible()
    assert page.get_by_role("button", name="Run job now").is_disabled()

    # Enable it on the job edit page, as a newcomer would.
    page.get_by_role("link", name="enable it").click()
    page.check("#enabled")
    page.get_by_role("button", name=re.compile("Save")).click()
    record = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    assert record.enabled
    page.goto(f"{live_server.url}/jobs/{record.id}/")

    # An invalid value: an inline error, and nothing queued.
    before = JobResult.select().count()
    page.fill("#person_name", "Ada")
    page.fill("#greeting_count", "0")
    run_form(page)
    error = page.locator(".field.has-error .field-error")
    assert "at least 1" in error.inner_text()
    assert page.input_value("#person_name") == "Ada"
    assert JobResult.select().count() == before
    screenshot(page, "job-page-error.png")

    page.fill("#greeting_count", "3")
    run_form(page)
    page.wait_for_url(RESULT_URL)
    assert wait_for_status(page, Status.STATUS_SUCCESS) == "SUCCESS"
    page.wait_for_selector("#log-rows tr >> nth=2")
    messages = page.locator("#log-rows .log-message").all_inner_texts()
    assert [m for m in messages if m.startswith("Hello, Ada!")] == [f"Hello, Ada! ({n})" for n in (1, 2, 3)]
    result = JobResult.get_by_id(result_id_of(page))
    assert result.options["request_meta"]["HTTP_USER_AGENT"]
    assert page.inner_text("#log-live") == ""  # polling stopped
    screenshot(page, "result-page.png")
    page.goto(f"{live_server.url}/jobs/{record.id}/")
    assert page.locator(".card", has_text="Recent runs").locator("[data-status=SUCCESS]").count() == 1
    screenshot(page, "job-page.png")


def test_log_lines_arrive_while_running(page, live_server):
    run_job(page, live_server, "web_slow_logger.SlowLogger", lines="10")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_selector("#log-rows tr >> nth=1")
    seen_while_running = page.locator("#log-rows tr").count()
    status_then = JobResult.get_by_id(result_id_of(page)).status
    assert status_then in (Status.STATUS_PENDING, Status.STATUS_STARTED), status_then
    assert 2 <= seen_while_running < 10
    screenshot(page, "result-page-running.png")

    wait_for_status(page, Status.STATUS_SUCCESS)
    page.wait_for_function("document.querySelectorAll('#log-rows tr').length >= 10")
    assert page.evaluate("window.__notReloaded") is True
    texts = page.locator("#log-rows .log-message").all_inner_texts()
    assert [t for t in texts if t.startswith("Line")] == [f"Line {n} of 10" for n in range(1, 11)]
    assert page.locator("#log-poller[data-finished]").count() == 1


def test_download_created_file(page, live_server):
    run_job(page, live_server, "export_text.ExportText")
    wait_for_status(page, Status.STATUS_SUCCESS)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "output.txt"
    assert Path(download.path()).read_text() == "Export completed successfully."


def test_cancel_long_job(page, live_server):
    run_job(page, live_server, "web_long_running.LongRunning")
    wait_for_status(page, Status.STATUS_STARTED)
    page.once("dialog", lambda dialog: dialog.accept())  # Cancel asks first
    page.get_by_role("button", name="Cancel").click()
    assert wait_for_status(page, Status.STATUS_REVOKED) == "REVOKED"
    result = live_server.wait_for_result(result_id_of(page))
    assert result.status == Status.STATUS_REVOKED
    assert page.get_by_role("button", name="Cancel").count() == 0


def test_rerun_finished_result(page, live_server):
    run_job(page, live_server, "web_slow_logger.SlowLogger", lines="2")
    first = result_id_of(page)
    wait_for_status(page, Status.STATUS_SUCCESS)
    page.get_by_role("button", name="Re-run").click()
    page.wait_for_url(lambda url: RESULT_URL.match(url) and first not in url)
    second = result_id_of(page)
    wait_for_status(page, Status.STATUS_SUCCESS)
    assert JobResult.get_by_id(second).task_kwargs == JobResult.get_by_id(first).task_kwargs == {"lines": 2}


def test_custom_template_job(page, live_server):
    live_server.enable("custom_template.ExampleWithCustomTemplate")
    open_job(page, live_server, "custom_template.ExampleWithCustomTemplate")
    panel = page.locator("#custom-panel")
    assert panel.is_visible()
    assert "Custom template." in panel.inner_text()
    # The block.super parts are still there: the standard form and the description.
    assert page.locator("#job-form #colleague").input_value() == "Ada"
    assert page.locator(".description", has_text="template_name").count() == 1
    # The extra CSS and JavaScript blocks: a styled panel and a live character count.
    assert page.eval_on_selector("#custom-panel", "el => getComputedStyle(el).borderLeftWidth") == "4px"
    page.fill("#colleague", "Grace Hopper")
    assert page.inner_text("#custom-count") == "12"
    screenshot(page, "job-page-custom-template.png")
    run_form(page)
    page.wait_for_url(RESULT_URL)
    wait_for_status(page, Status.STATUS_SUCCESS)
    assert '"greeted": "Grace Hopper"' in page.inner_text("#result-summary")


def console_problem(page, message) -> str | None:
    if message.type != "error":
        return None
    return f"{page.url}: {message.text} ({message.location.get('url', '')})"


def test_pages_run_under_the_content_security_policy(browser, live_server):
    """No CSP violation and no console error on the main pages, and htmx still updates the live log."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    page.on("console", lambda message: problems.append(console_problem(page, message)))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (event) {"
        " console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI); });"
    )
    try:
        live_server.login(page)  # the login page, then the home page
        policy = page.evaluate("() => fetch('/').then(r => r.headers.get('content-security-policy'))")
        assert "script-src 'self';" in policy
        for path in ("/jobs/", "/results/", "/admin/", "/admin/users/add/", "/profile/password/", "/profile/tokens/"):
            page.goto(f"{live_server.url}{path}")
        record = live_server.enable("hello_jobs.HelloJobs")
        page.goto(f"{live_server.url}/jobs/{record.id}/")
        page.goto(f"{live_server.url}/jobs/{record.id}/edit/")
        page.fill("#description", "edited")  # job_edit.js ticks the override box
        assert page.is_checked("#description_override")

        # A job's own template keeps its inline style and script (allowed by their hashes).
        custom = live_server.enable("custom_template.ExampleWithCustomTemplate")
        page.goto(f"{live_server.url}/jobs/{custom.id}/")
        assert page.eval_on_selector("#custom-panel", "el => getComputedStyle(el).borderLeftWidth") == "4px"
        page.fill("#colleague", "Grace")
        assert page.inner_text("#custom-count") == "5"

        # htmx: the live log fills while the job runs, without a reload.
        run_job(page, live_server, "web_slow_logger.SlowLogger", lines="10")
        page.evaluate("window.__notReloaded = true")
        page.wait_for_selector("#log-rows tr >> nth=1")
        assert JobResult.get_by_id(result_id_of(page)).status in (Status.STATUS_PENDING, Status.STATUS_STARTED)
        wait_for_status(page, Status.STATUS_SUCCESS)
        page.wait_for_function("document.querySelectorAll('#log-rows tr').length >= 10")
        assert page.evaluate("window.__notReloaded") is True

        # The token page's Copy button (token_created.js).
        page.goto(f"{live_server.url}/profile/tokens/add/")
        page.get_by_role("button", name="Create token").click()
        page.click("#copy-token")
        page.wait_for_function("document.getElementById('copy-token').textContent === 'Copied'")
    finally:
        context.close()
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def test_api_reference_renders_under_its_policy(page, live_server):
    """/api/docs/ from the top bar: Swagger UI shows the run operation, no console errors (CSP included)."""
    page.goto(f"{live_server.url}/")
    page.locator(".topbar").get_by_role("link", name="API").click()
    page.wait_for_url(f"{live_server.url}/api/docs/")
    errors = []  # of this page only: load it afresh while listening
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.reload()
    run = page.locator(".opblock-post", has_text="/api/extras/jobs/{job_key}/run/")
    run.wait_for()
    assert "Run a job now" in run.locator(".opblock-summary-description").inner_text()
    run.locator(".opblock-summary-control").click()
    assert run.get_by_role("heading", name="Request body").is_visible()
    page.locator(".opblock-get", has_text="/api/users/users/").first.wait_for()
    screenshot(page, "api-docs.png")
    assert errors == []
