"""In headless Chromium against a live server and a real worker: add a Git repository, sync it,
enable one of its jobs and run it, with no console error or CSP violation on the way."""

from __future__ import annotations

import re

from app.jobs.choices import JobResultStatusChoices as Status
from app.models import GitRepository
from app.models import JobRecord
from app.models import JobResult
from tests.support.git_remote import Remote
from tests.support.git_remote import job_file
from tests.test_browser import RESULT_URL
from tests.test_browser import browser  # noqa: F401 - a fixture
from tests.test_browser import console_problem
from tests.test_browser import page  # noqa: F401 - a fixture
from tests.test_browser import result_id_of
from tests.test_browser import screenshot
from tests.test_browser import wait_for_status


def test_add_sync_enable_and_run_a_repository_job(page, live_server, tmp_path):  # noqa: F811
    problems = []
    page.on("console", lambda message: problems.append(console_problem(page, message)))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    remote = Remote(tmp_path / "remote")
    commit = remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Git", exact=True).click()
    page.get_by_role("link", name="Add repository").click()
    page.fill("#name", "Net Ops")
    page.fill("#remote_url", remote.url)
    page.get_by_role("button", name="Create Git repository").click()
    page.wait_for_url(re.compile(r".*/git-repositories/\d+/$"))  # its own page, where Sync now is
    assert page.locator("h1").inner_text() == "Net Ops"

    page.get_by_role("button", name="Sync now").click()
    page.wait_for_url(RESULT_URL)
    assert wait_for_status(page, Status.STATUS_SUCCESS, timeout=30_000) == "SUCCESS"
    page.wait_for_selector("#log-rows .log-message >> text=jobs/alpha.py: loaded Alpha")
    assert GitRepository.get().current_commit == commit

    page.goto(f"{live_server.url}/git-repositories/{GitRepository.get().id}/")
    page.get_by_role("link", name="Alpha").click()
    page.get_by_role("link", name="enable it").click()
    page.check("#enabled")
    page.get_by_role("button", name="Save").click()
    record = JobRecord.get_for_class_path("net-ops.jobs.alpha.Alpha")
    assert record.enabled
    page.goto(f"{live_server.url}/jobs/{record.id}/")
    page.get_by_role("button", name="Run job now").click()
    page.wait_for_url(RESULT_URL)
    assert wait_for_status(page, Status.STATUS_SUCCESS) == "SUCCESS"
    page.wait_for_selector("#log-rows .log-message >> text=Alpha version 1 done")
    assert JobResult.get_by_id(result_id_of(page)).git_commit == commit
    assert commit[:12] in page.inner_text("body")
    screenshot(page, "git-job-result.png")
    assert [problem for problem in problems if problem] == []
