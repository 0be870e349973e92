"""Approvals: the queue (page and API), approve / deny / dry-run and their rules, the audit list, and
how results made through an approval show it. Requests are created directly (admission makes them
on another branch) with tests.factories.make_request."""

from __future__ import annotations

import datetime
import threading
import time

import pytest

from app.catalog import sync_jobs
from app.db import database
from app.db import utcnow
from app.execution import approvals
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from app.models.schedules import ApprovalState
from app.models.schedules import ScheduledJob
from app.security import PermissionDenied
from tests import test_api_support as support
from tests.conftest import enable
from tests.conftest import setup_database
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_request
from tests.factories import make_user
from tests.factories import text
from tests.support.worker import wait_for_result
from tests.test_postgres import postgres  # noqa: F401 (the PostgreSQL fixture)

CHANGE_WINDOW = "approval_jobs.ChangeWindow"
REBOOT = "approval_jobs.Reboot"

APPROVAL_JOBS = '''
from app.jobs import DryRunVar, Job, StringVar, register_jobs


class ChangeWindow(Job):
    class Meta:
        name = "Change Window"
        approval_required = True
        has_sensitive_variables = False

    device = StringVar()
    api_token = StringVar(required=False)
    dryrun = DryRunVar()

    def run(self, *, device, api_token, dryrun):
        self.logger.info("device=%s dryrun=%s user=%s", device, dryrun, self.user.username)
        return {"device": device, "dryrun": dryrun}


class Reboot(Job):
    class Meta:
        name = "Reboot"
        approval_required = True
        has_sensitive_variables = False

    device = StringVar()

    def run(self, *, device):
        return device


class BothFlags(Job):
    class Meta:
        approval_required = True
        has_sensitive_variables = True

    def run(self):
        pass


register_jobs(ChangeWindow, Reboot, BothFlags)
'''

INPUTS = {"device": "core-1", "api_token": "s3cr3t-value", "dryrun": False}


def install_approval_jobs(config):
    """Write the approval jobs into the jobs root, sync, enable two of them; the sync report."""
    (config.jobs_root / "approval_jobs.py").write_text(APPROVAL_JOBS)
    report = sync_jobs(config.jobs_root)
    enable(CHANGE_WINDOW)
    enable(REBOOT)
    return report


def approver(username="bob", *, run=True, approve=True, change=True, job_constraints=None):
    """A user with the permissions approving needs (and run, for dry runs), each optional."""
    user = make_user(username)
    actions = [action for action, wanted in (("view", True), ("run", run), ("approve", approve)) if wanted]
    grant(user, ["extras.job"], actions, job_constraints)
    if change:
        grant(user, ["extras.scheduledjob"], ["view", "change"])
    grant(user, ["extras.jobresult"], ["view"])
    return user


@pytest.fixture
def jobs(jobdeck):
    install_approval_jobs(jobdeck)
    return jobdeck


@pytest.fixture
def alice(jobs):
    user = make_user("alice")
    grant(user, ["extras.job"], ["view", "run"])
    return user


@pytest.fixture
def bob(jobs):
    return approver("bob")


def change_window():
    return JobRecord.get_for_class_path(CHANGE_WINDOW)


def reboot():
    return JobRecord.get_for_class_path(REBOOT)


def fresh(scheduled) -> ScheduledJob:
    return ScheduledJob.get_by_id(scheduled.id)


# -- the rules, through app.execution.approvals -----------------------------------------------------------


def test_approve_records_the_decision_and_keeps_the_one_off_time(alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    approved = approvals.approve(request, bob)
    assert approved.approval_state == ApprovalState.APPROVED.value
    assert approved.decided_by_id == bob.id and approved.decided_at is not None
    # What the dispatcher needs: approved, enabled, due at the requested time, inputs untouched.
    assert approved.enabled and approved.next_run == request.start_time and approved.task_kwargs == INPUTS


def test_nobody_approves_their_own_request(alice, bob):
    request = make_request(change_window(), bob)
    with pytest.raises(PermissionDenied, match="your own request"):
        approvals.approve(request, bob)
    with pytest.raises(PermissionDenied, match="your own request"):
        approvals.deny(request, bob)
    assert fresh(request).approval_state == "awaiting"
    assert request.id not in {row.id for row in approvals.approvable(bob)}


@pytest.mark.parametrize("missing, message", [
    ("approve", "permission to approve the job"),
    ("change", "permission to change the scheduled job"),
])
def test_approving_needs_approve_on_the_job_and_change_on_scheduled_jobs(alice, missing, message):
    carol = approver("carol", **{missing: False})
    request = make_request(change_window(), alice)
    assert list(approvals.approvable(carol)) == []
    for decide in (approvals.approve, approvals.deny):
        with pytest.raises(PermissionDenied, match=message):
            decide(request, carol)
    assert fresh(request).approval_state == "awaiting"


def test_a_constrained_approve_permission_reaches_only_its_jobs(alice):
    dana = approver("dana", job_constraints={"job_class_name": "Reboot"})
    allowed = make_request(reboot(), alice)
    other = make_request(change_window(), alice)
    assert [row.id for row in approvals.approvable(dana)] == [allowed.id]
    with pytest.raises(PermissionDenied, match="approve the job"):
        approvals.approve(other, dana)
    assert approvals.approve(allowed, dana).approval_state == "approved"


def test_changed_code_needs_an_explicit_reconfirmation(jobs, alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    assert not approvals.code_changed(request)
    path = jobs.jobs_root / "approval_jobs.py"
    path.write_text(path.read_text().replace('"device=%s', '"changed: device=%s'))
    assert approvals.code_changed(request)
    with pytest.raises(approvals.ApprovalRefused, match="code has changed") as refused:
        approvals.approve(request, bob)
    assert refused.value.status == 400 and fresh(request).approval_state == "awaiting"
    assert approvals.approve(request, bob, confirm_changed_code=True).approval_state == "approved"


def test_code_digest_covers_the_job_file_only(jobs):
    before = approvals.code_digest(change_window())
    assert len(before) == 64
    (jobs.jobs_root / "unrelated_notes.txt").write_text("not code")
    assert approvals.code_digest(change_window()) == before


def test_approving_a_recurring_schedule_once_approves_all_its_runs(alice, bob):
    start = utcnow() + datetime.timedelta(hours=1)
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"}, interval="daily", start_time=start)
    approved = approvals.approve(request, bob)
    assert approved.approval_state == "approved" and approved.interval == "daily"
    assert approved.next_run == start and approved.enabled  # the dispatcher runs every slot from here
    assert list(approvals.approvable(bob)) == []  # nothing left to approve for its later runs


def test_deny_keeps_the_audit_record_and_the_request_can_never_run(alice, bob):
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    denied = approvals.deny(request, bob, "  not during the freeze  ")
    assert (denied.approval_state, denied.decided_by_id, denied.decision_reason) == (
        "denied", bob.id, "not during the freeze")
    assert denied.decided_at is not None
    for later in (lambda: approvals.approve(request, bob), lambda: approvals.deny(request, bob),
                  lambda: approvals.dry_run(request, bob)):
        with pytest.raises(approvals.ApprovalRefused, match="already been decided"):
            later()
    assert fresh(request).approval_state == "denied"
    assert [row.id for row in approvals.decided_for(bob)] == [request.id]
    assert [row.id for row in approvals.decided_for(alice)] == [request.id]  # the requester sees why


def test_a_stale_decision_loses_to_the_first(alice, bob):
    carol = approver("carol")
    request = make_request(reboot(), alice)
    stale = fresh(request)
    approvals.deny(request, carol, "no")
    with pytest.raises(approvals.ApprovalRefused, match=r"already been decided \(denied\)"):
        approvals.approve(stale, bob)
    assert (fresh(request).approval_state, fresh(request).decided_by_id) == ("denied", carol.id)


def test_racing_approvers_one_wins(alice, bob):
    race(alice, bob)


def test_racing_approvers_one_wins_on_postgres(postgres):  # noqa: F811
    setup_database(postgres)
    install_approval_jobs(postgres)
    alice = make_user("alice")
    race(alice, approver("bob"))
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    assert approvals.deny(request, approver("erin"), "pg").decision_reason == "pg"


def race(alice, bob):
    """bob approves and carol denies the same request at the same moment: exactly one decides it."""
    carol = approver("carol")
    request = make_request(reboot(), alice)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, action):
        stale = fresh(request)
        barrier.wait()
        try:
            action(stale, user)
            outcomes[user.username] = "won"
        except approvals.ApprovalRefused:
            outcomes[user.username] = "lost"
        finally:
            database.close()

    threads = [threading.Thread(target=decide, args=(bob, approvals.approve)),
               threading.Thread(target=decide, args=(carol, lambda row, user: approvals.deny(row, user, "race")))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["lost", "won"]
    winner = bob if outcomes["bob"] == "won" else carol
    row = fresh(request)
    assert row.decided_by_id == winner.id
    assert row.approval_state == ("approved" if winner is bob else "denied")


def test_a_disabled_or_uninstalled_job_cannot_be_approved(alice, bob):
    request = make_request(reboot(), alice)
    record = reboot()
    record.enabled = False
    record.save()
    with pytest.raises(approvals.ApprovalRefused, match="not enabled"):
        approvals.approve(request, bob)
    record.enabled, record.installed = True, False
    record.save()
    with pytest.raises(approvals.ApprovalRefused, match="not installed"):
        approvals.approve(request, bob)
    assert approvals.deny(request, bob).approval_state == "denied"  # denying is always possible


def test_a_request_whose_job_was_deleted_can_only_be_denied(alice):
    root = make_user("root", superuser=True)
    request = make_request(reboot(), alice)
    other = make_request(reboot(), alice)
    reboot().delete_instance()
    assert {row.id for row in approvals.approvable(root)} == {request.id, other.id}  # to deny them
    for action in (approvals.approve, approvals.dry_run):
        with pytest.raises(approvals.ApprovalRefused, match="job of this request has been deleted"):
            action(fresh(request), root)
    assert approvals.deny(fresh(request), root, "gone").approval_state == "denied"
    with pytest.raises(PermissionDenied, match="whose job was deleted"):
        approvals.deny(fresh(other), approver("bob"))


def test_dry_run_runs_now_without_consuming_the_approval(alice, bob, worker):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    result = wait_for_result(approvals.dry_run(request, bob).id)
    assert result.status == "SUCCESS", result.traceback
    assert result.result == {"device": "core-1", "dryrun": True}
    assert result.user_id == bob.id and result.options["unapproved_dry_run"] is True
    assert result.approved_by_id is None
    assert fresh(request).approval_state == "awaiting" and fresh(request).decided_by_id is None


def test_no_dry_run_for_a_job_without_a_dry_run_variable(alice, bob):
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    with pytest.raises(approvals.ApprovalRefused, match="no dry-run variable") as refused:
        approvals.dry_run(request, bob)
    assert refused.value.status == 400
    assert not JobResult.select().exists()


def test_inputs_are_masked_by_the_sanitizer_patterns():
    shown = approvals.masked_inputs({"device": "core-1", "api_token": "abc", "db_password": "x",
                                     "url": "https://joe:hunter2@git.example/repo", "count": 3})
    assert shown == {"device": "core-1", "api_token": "(redacted)", "db_password": "(redacted)",
                     "url": "https://joe:(redacted)@git.example/repo", "count": 3}


def test_a_class_declaring_sensitive_and_approval_loads_with_a_warning(jobdeck):
    report = install_approval_jobs(jobdeck)
    warnings = [line for line in report.lines() if "WARNING" in line]
    assert any("BothFlags" in line and "cannot require approval" in line for line in warnings), report.lines()
    assert JobRecord.get_for_class_path("approval_jobs.BothFlags").installed


def test_the_job_page_warns_about_sensitive_and_approval(jobs):
    record = JobRecord.get_for_class_path("approval_jobs.BothFlags")
    client = login_as(make_app(jobs), make_user("root", superuser=True))
    assert 'id="sensitive-and-approval"' in text(client.get(f"/jobs/{record.id}/"))
    assert 'id="sensitive-and-approval"' not in text(client.get(f"/jobs/{reboot().id}/"))


# -- the API ------------------------------------------------------------------------------------------------


@pytest.fixture
def api(jobs):
    return support.ApiClient(make_app(jobs))


def queue_url():
    return "/api/extras/scheduled-jobs/approval-queue/"


def action_url(request, action):
    return f"/api/extras/scheduled-jobs/{request.id}/{action}/"


def test_api_queue_lists_what_the_caller_may_decide_with_inputs_masked(api, alice, bob):
    mine = make_request(change_window(), bob)
    theirs = make_request(change_window(), alice, task_kwargs=INPUTS, description="Move core-1 uplinks")
    make_request(reboot(), alice, state="denied")
    response = api.get(queue_url(), support.key_for(bob))
    assert response.status_code == 200
    assert [row["id"] for row in response.json["results"]] == [str(theirs.id)]
    row = response.json["results"][0]
    assert row["task_kwargs"] == {"device": "core-1", "api_token": "(redacted)", "dryrun": False}
    assert row["user"]["display"] == "alice" and row["job_model"]["display"] == "Change Window"
    assert row["description"] == "Move core-1 uplinks" and row["approval_state"] == "awaiting"
    assert row["supports_dryrun"] is True and row["code_changed"] is False
    assert mine.id  # bob's own request is not his to decide
    assert api.get(queue_url(), support.key_for(alice)).json["count"] == 0


def test_api_approve(api, alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    response = api.post(action_url(request, "approve"), support.key_for(bob), json={})
    assert response.status_code == 200, response.json
    assert response.json["approval_state"] == "approved" and response.json["decided_by"]["display"] == "bob"
    again = api.post(action_url(request, "approve"), support.key_for(bob), json={})
    assert again.status_code == 409 and "already been decided" in again.json["detail"]


def test_api_refusals_are_sentences(api, jobs, alice, bob):
    own = make_request(change_window(), bob)
    response = api.post(action_url(own, "approve"), support.key_for(bob), json={})
    assert response.status_code == 403 and "your own request" in response.json["detail"]

    request = make_request(change_window(), alice)
    for missing, message in (("approve", "approve the job"), ("change", "change the scheduled job")):
        user = approver(f"no-{missing}", **{missing: False})
        response = api.post(action_url(request, "approve"), support.key_for(user), json={})
        assert response.status_code == 403 and message in response.json["detail"]

    path = jobs.jobs_root / "approval_jobs.py"
    path.write_text(path.read_text() + "\n# edited\n")
    response = api.post(action_url(request, "approve"), support.key_for(bob), json={})
    assert response.status_code == 400 and "code has changed" in response.json["detail"]
    assert api.get(queue_url(), support.key_for(bob)).json["results"][0]["code_changed"] is True
    bad = api.post(action_url(request, "approve"), support.key_for(bob), json={"confirm_changed_code": "yes"})
    assert bad.status_code == 400 and bad.json["errors"]["confirm_changed_code"]
    confirmed = api.post(action_url(request, "approve"), support.key_for(bob), json={"confirm_changed_code": True})
    assert confirmed.status_code == 200 and confirmed.json["approval_state"] == "approved"

    stranger = make_user("stranger")
    missing = api.post(action_url(make_request(reboot(), alice), "approve"), support.key_for(stranger), json={})
    assert missing.status_code == 404


def test_api_deny_with_a_reason(api, alice, bob):
    request = make_request(reboot(), alice)
    too_long = api.post(action_url(request, "deny"), support.key_for(bob), json={"reason": "x" * 1001})
    assert too_long.status_code == 400 and "1000 characters" in too_long.json["detail"]
    unknown = api.post(action_url(request, "deny"), support.key_for(bob), json={"why": "no"})
    assert unknown.status_code == 400 and "why" in unknown.json["errors"]
    response = api.post(action_url(request, "deny"), support.key_for(bob), json={"reason": "Freeze week"})
    assert response.status_code == 200
    assert (response.json["approval_state"], response.json["decision_reason"]) == ("denied", "Freeze week")
    assert response.json["decided_by"]["display"] == "bob" and response.json["decided_at"]
    assert ScheduledJob.select().count() == 1


def test_api_dry_run(api, alice, bob, worker):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    response = api.post(action_url(request, "dry-run"), support.key_for(bob))
    assert response.status_code == 201, response.json
    assert response.json["scheduled_job"]["approval_state"] == "awaiting"
    job_result = response.json["job_result"]
    assert job_result["celery_kwargs"]["unapproved_dry_run"] is True and job_result["approved_by"] is None
    result = wait_for_result(job_result["id"])
    assert result.result["dryrun"] is True

    no_dryrun = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    refused = api.post(action_url(no_dryrun, "dry-run"), support.key_for(bob))
    assert refused.status_code == 400 and "no dry-run variable" in refused.json["detail"]


def test_api_result_shows_who_approved_it(api, alice, bob):
    request = approvals.approve(make_request(reboot(), alice), bob)
    result = JobResult.create(name="Reboot", job_record=reboot(), user=alice, status="SUCCESS", task_name=REBOOT,
                              scheduled_job=request, scheduled_for=request.next_run, approved_by=bob,
                              approved_at=request.decided_at)
    admin_key = support.key_for(support.make_user("root", is_superuser=True))
    data = api.get(f"/api/extras/job-results/{result.id}/", admin_key).json
    assert data["approved_by"]["display"] == "bob" and data["approved_at"].startswith(str(request.decided_at.year))
    assert data["scheduled_job"]["id"] == str(request.id)
    assert data["scheduled_job"]["object_type"] == "extras.scheduledjob"
    plain = JobResult.create(name="Reboot", job_record=reboot(), status="SUCCESS", task_name=REBOOT)
    data = api.get(f"/api/extras/job-results/{plain.id}/", admin_key).json
    assert (data["approved_by"], data["approved_at"], data["scheduled_job"]) == (None, None, None)


def test_api_job_patch_refuses_sensitive_and_approval_required(api, jobs):
    admin_key = support.key_for(support.make_user("root", is_superuser=True))
    record = reboot()
    response = api.patch(f"/api/extras/jobs/{record.id}/", admin_key, json={"has_sensitive_variables": True})
    assert response.status_code == 400
    assert response.json["errors"]["approval_required"] == ["A job with sensitive variables cannot also require "
                                                            "approval."]
    assert reboot().has_sensitive_variables is False
    fine = api.patch(f"/api/extras/jobs/{record.id}/", admin_key,
                     json={"has_sensitive_variables": True, "approval_required": False})
    assert fine.status_code == 200 and fine.json["has_sensitive_variables"] is True


# -- the page ---------------------------------------------------------------------------------------------

PAGE = "/scheduled-jobs/approval-queue/"


@pytest.fixture
def web(jobs):
    return make_app(jobs)


def page_action(request, action):
    return f"{PAGE}{request.id}/{action}"


def test_page_lists_requests_with_masked_inputs_and_the_buttons(web, alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS, description="Move uplinks")
    other = make_request(reboot(), alice, task_kwargs={"device": "r1"}, interval="custom", crontab="0 3 * * 1")
    client = login_as(web, bob)
    body = text(client.get(PAGE))
    assert f'id="request-{request.id}"' in body and f'id="request-{other.id}"' in body
    assert "core-1" in body and "s3cr3t-value" not in body and "(redacted)" in body
    assert "Move uplinks" in body and "alice" in body and "0 3 * * 1" in body
    assert "approving approves every run" in body
    assert body.count(">Dry run</button>") == 1  # Reboot has no DryRunVar
    assert body.count(">Approve</button>") == 2 and body.count(">Deny</button>") == 2
    assert "hx-confirm=" in body and "onclick" not in body and "<script>" not in body
    assert 'id="nav-approvals"' in body and 'id="approval-count"' in body


def test_nav_link_only_for_users_who_may_approve(web, alice, bob):
    body = text(login_as(web, alice).get("/jobs/"))
    assert 'id="nav-approvals"' not in body
    body = text(login_as(web, bob).get("/jobs/"))
    assert 'id="nav-approvals"' in body and 'id="approval-count"' not in body  # nothing awaits him


def test_page_approve(web, alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    client = login_as(web, bob)
    response = client.post(page_action(request, "approve"), follow_redirects=True)
    assert "Approved" in text(response) and f'id="request-{request.id}"' not in text(response)
    assert fresh(request).approval_state == "approved" and fresh(request).decided_by_id == bob.id
    htmx = client.post(page_action(make_request(reboot(), alice), "approve"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == PAGE


def test_page_refuses_own_and_unpermitted_decisions(web, alice, bob):
    own = make_request(change_window(), bob)
    response = login_as(web, bob).post(page_action(own, "approve"))
    assert response.status_code == 403 and "your own request" in text(response)
    carol = approver("carol", change=False)
    response = login_as(web, carol).post(page_action(make_request(reboot(), alice), "deny"))
    assert response.status_code == 403 and "change the scheduled job" in text(response)
    assert ScheduledJob.select().where(ScheduledJob.approval_state != "awaiting").count() == 0


def test_page_changed_code_warns_and_needs_the_checkbox(web, jobs, alice, bob):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    path = jobs.jobs_root / "approval_jobs.py"
    path.write_text(path.read_text() + "\n# edited\n")
    client = login_as(web, bob)
    body = text(client.get(PAGE))
    assert "code has changed since this request was made" in body and 'name="confirm_changed_code"' in body
    refused = text(client.post(page_action(request, "approve"), follow_redirects=True))
    assert "was not approved" in refused and fresh(request).approval_state == "awaiting"
    client.post(page_action(request, "approve"), data={"confirm_changed_code": "y"})
    assert fresh(request).approval_state == "approved"


def test_page_deny_and_the_decided_tab(web, alice, bob):
    request = make_request(reboot(), alice)
    client = login_as(web, bob)
    client.post(page_action(request, "deny"), data={"reason": "Freeze <week>"})
    row = fresh(request)
    assert (row.approval_state, row.decision_reason, row.decided_by_id) == ("denied", "Freeze <week>", bob.id)
    body = text(client.get(PAGE + "?tab=decided"))
    assert "Denied" in body and "Freeze &lt;week&gt;" in body and "bob" in body
    assert f'id="request-{request.id}"' not in text(client.get(PAGE))
    assert "Freeze &lt;week&gt;" in text(login_as(web, alice).get(PAGE + "?tab=decided"))


def test_page_dry_run(web, alice, bob, worker):
    request = make_request(change_window(), alice, task_kwargs=INPUTS)
    client = login_as(web, bob)
    response = client.post(page_action(request, "dry-run"))
    assert response.status_code == 302 and "/results/" in response.headers["Location"]
    result = wait_for_result(JobResult.get().id)
    assert result.result["dryrun"] is True and fresh(request).approval_state == "awaiting"
    assert "dry run, not approved" in text(client.get(f"/results/{result.id}/"))
    refused = client.post(page_action(make_request(reboot(), alice), "dry-run"), follow_redirects=True)
    assert "no dry-run variable" in text(refused)


def test_result_page_shows_who_approved_it(web, alice, bob):
    request = approvals.approve(make_request(reboot(), alice), bob)
    result = JobResult.create(name="Reboot", job_record=reboot(), user=alice, status="SUCCESS", task_name=REBOOT,
                              scheduled_job=request, scheduled_for=request.next_run, approved_by=bob,
                              approved_at=request.decided_at)
    root = make_user("root", superuser=True)
    body = text(login_as(web, root).get(f"/results/{result.id}/"))
    assert 'id="result-approval"' in body and "by bob at" in body
    assert request.name in body


def test_forms_need_the_csrf_token(jobs, alice, bob):
    request = make_request(reboot(), alice)
    client = login_as(make_app(jobs, csrf=True), bob)
    for action in ("approve", "deny", "dry-run"):
        assert client.post(page_action(request, action)).status_code == 400
    assert fresh(request).approval_state == "awaiting"


# -- end to end: a request through the API, approved by another user, run by a real worker ----------------


@pytest.mark.slow
def test_an_api_request_runs_only_once_approved_and_its_result_names_the_approver(alice, bob, worker):
    from app import create_app
    from app.models import Token

    client = create_app(worker.config).test_client()
    as_alice = {"Authorization": f"Token {Token.issue(alice)[1]}"}
    answer = client.post(f"/api/extras/jobs/{CHANGE_WINDOW}/run/", headers=as_alice,
                         json={"data": {"device": "core-1", "dryrun": False}})
    assert answer.status_code == 201, answer.json
    assert answer.json["job_result"] is None
    request_id = answer.json["scheduled_job"]["id"]
    assert answer.json["scheduled_job"]["approval_state"] == "awaiting"

    time.sleep(1.0)  # several dispatcher passes: an unapproved request never runs
    assert not JobResult.select().where(JobResult.scheduled_job == request_id).exists()

    as_bob = {"Authorization": f"Token {Token.issue(bob)[1]}"}
    decided = client.post(f"/api/extras/scheduled-jobs/{request_id}/approve/", headers=as_bob, json={})
    assert decided.status_code == 200, decided.json

    deadline = time.monotonic() + 20
    while not JobResult.select().where(JobResult.scheduled_job == request_id).exists():
        assert time.monotonic() < deadline, "the approved request never ran"
        time.sleep(0.02)
    result = wait_for_result(JobResult.get(JobResult.scheduled_job == request_id).id)
    assert result.status == Status.STATUS_SUCCESS, result.traceback
    assert result.result == {"device": "core-1", "dryrun": False}
    assert (result.user_id, result.approved_by_id) == (alice.id, bob.id)
    shown = client.get(f"/api/extras/job-results/{result.id}/", headers=as_bob).json
    assert shown["approved_by"]["id"] == str(bob.id) and shown["approved_at"]
    assert fresh(ScheduledJob.get_by_id(request_id)).total_run_count == 1


def test_slots_that_passed_while_awaiting_approval_are_not_caught_up(alice, bob):
    start = utcnow() - datetime.timedelta(hours=3, minutes=30)
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"}, interval="hourly", start_time=start)
    approved = approvals.approve(request, bob)
    now = utcnow()
    # The next slot of the hourly schedule from now, not the 3.5-hour-old start (no late catch-up run).
    assert now <= approved.next_run <= now + datetime.timedelta(hours=1)
    assert approved.next_run.minute == start.minute
