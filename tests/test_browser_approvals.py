"""The approval queue in headless Chromium: one user's requests are approved and denied by another.

The requests are created directly (the request form comes with admission, on another branch); the
approver clicks through the htmx confirm dialogs, under the Content-Security-Policy.
"""

from __future__ import annotations

from app.models.schedules import ScheduledJob
from tests.factories import grant
from tests.factories import make_request
from tests.support.server import create_user
from tests.test_approvals import CHANGE_WINDOW
from tests.test_approvals import INPUTS
from tests.test_approvals import REBOOT
from tests.test_approvals import install_approval_jobs
from tests.test_browser import browser  # noqa: F401  (the fixture; importing skips or fails without Chromium)
from tests.test_browser import console_problem
from tests.test_browser import screenshot
from tests.test_browser_pages import REPORT_HTMX_ERRORS

CSP_REPORTER = ("document.addEventListener('securitypolicyviolation', function (event) {"
                " console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI); });")


def test_another_user_approves_one_request_and_denies_another(browser, live_server):  # noqa: F811
    from app.models import JobRecord

    install_approval_jobs(live_server.config)
    alice = create_user("alice")
    grant(alice, ["extras.job"], ["view", "run"])
    bob = create_user("bob")
    grant(bob, ["extras.job"], ["view", "run", "approve"])
    grant(bob, ["extras.scheduledjob"], ["view", "change"])
    change = make_request(JobRecord.get_for_class_path(CHANGE_WINDOW), alice, task_kwargs=INPUTS,
                          name="Uplink move", description="Move core-1 uplinks")
    reboot = make_request(JobRecord.get_for_class_path(REBOOT), alice, task_kwargs={"device": "r1"},
                          name="Reboot r1", interval="daily")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_HTMX_ERRORS)
    context.add_init_script(CSP_REPORTER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems, dialogs = [], []
    page.on("console", lambda message: problems.append(console_problem(page, message)))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    try:
        live_server.login(page, "bob")
        assert page.inner_text("#approval-count") == "2"
        page.locator(".topbar").get_by_role("link", name="Approvals").click()
        page.wait_for_url(f"{live_server.url}/scheduled-jobs/approval-queue/")
        first = page.locator(f"#request-{change.id}")
        assert "alice" in first.inner_text() and "core-1" in first.inner_text()
        assert "s3cr3t-value" not in page.content()
        screenshot(page, "approval-queue.png")

        first.get_by_role("button", name="Approve").click()
        first.wait_for(state="detached")
        assert "Uplink move" in dialogs[-1]
        assert page.get_by_role("alert").filter(has_text="Approved").is_visible()
        assert ScheduledJob.get_by_id(change.id).approval_state == "approved"
        assert page.inner_text("#approval-count") == "1"

        second = page.locator(f"#request-{reboot.id}")
        second.get_by_label("Reason (optional)").fill("Freeze week")
        second.get_by_role("button", name="Deny").click()
        second.wait_for(state="detached")
        assert "never run" in dialogs[-1]
        assert page.locator("#queue-empty").is_visible()
        assert page.locator("#nav-approvals #approval-count").count() == 0

        page.get_by_role("link", name="Decided").click()
        page.wait_for_url("**/approval-queue/?tab=decided")
        audit = page.locator("#decided-requests")
        denied = audit.locator(f"tr[data-request='{reboot.id}']")
        approved = audit.locator(f"tr[data-request='{change.id}']")
        assert "Denied" in denied.inner_text() and "Freeze week" in denied.inner_text()
        assert "bob" in denied.inner_text() and "alice" in denied.inner_text()
        assert "Approved" in approved.inner_text()
        screenshot(page, "approval-decided.png")
        row = ScheduledJob.get_by_id(reboot.id)
        assert (row.approval_state, row.decision_reason, row.decided_by_id) == ("denied", "Freeze week", bob.id)
    finally:
        context.close()
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)
