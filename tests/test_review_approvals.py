"""Review findings on approvals and schedules: ways around "another user must approve a run"."""

from __future__ import annotations

import pytest

from app.exceptions import JobNotRunnable
from app.execution import approvals
from app.models import JobResult
from app.models.schedules import ScheduledJob
from app.scheduling.dispatcher import dispatch
from app.scheduling.dispatcher import run_now
from tests import test_api_support as support
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_request
from tests.test_approvals import alice  # noqa: F401 (fixtures)
from tests.test_approvals import bob  # noqa: F401
from tests.test_approvals import jobs  # noqa: F401
from tests.test_approvals import reboot
from tests.test_dispatcher import HOUR
from tests.test_dispatcher import T0
from tests.test_dispatcher import hello  # noqa: F401
from tests.test_dispatcher import results
from tests.test_dispatcher import root  # noqa: F401
from tests.test_dispatcher import schedule


def test_an_approved_schedules_crontab_cannot_be_changed_without_a_new_approval(jobs, alice, bob):  # noqa: F811
    grant(alice, ["extras.scheduledjob"], ["view", "change"])
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"}, interval="custom", crontab="0 3 1 1 *")
    approvals.approve(request, bob)
    api = support.ApiClient(make_app(jobs))
    response = api.patch(f"/api/extras/scheduled-jobs/{request.id}/", support.key_for(alice),
                         json={"crontab": "* * * * *"})
    assert response.status_code == 400, response.json
    assert "approv" in response.json["crontab"][0]
    assert ScheduledJob.get_by_id(request.id).crontab == "0 3 1 1 *"
    renamed = api.patch(f"/api/extras/scheduled-jobs/{request.id}/", support.key_for(alice),
                        json={"name": "Yearly reboot", "crontab": "0 3 1 1 *"})
    assert renamed.status_code == 200, renamed.json  # the approved crontab itself may be sent back


def test_run_now_never_makes_a_run_of_an_approval_required_job_nobody_approved(jobs, alice, bob):  # noqa: F811
    grant(alice, ["extras.scheduledjob"], ["view"])
    grant(alice, ["extras.jobresult"], ["view"])
    request = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    approvals.approve(request, bob)
    client = login_as(make_app(jobs), alice)
    for _ in range(3):
        response = client.post(f"/scheduled-jobs/{request.id}/run/", follow_redirects=True)
        assert "requires approval" in response.get_data(as_text=True)
    assert JobResult.select().count() == 0


def test_a_schedule_made_before_its_job_required_approval_stops_running(hello, root):  # noqa: F811
    row = schedule(hello, root, interval="daily")
    hello.approval_required = True
    hello.save()
    assert dispatch(now=T0) == 0
    assert "requires approval" in ScheduledJob.get_by_id(row.id).skip_reason
    with pytest.raises(JobNotRunnable, match="requires approval"):
        run_now(ScheduledJob.get_by_id(row.id))
    assert results(row) == []
    hello.approval_required = False
    hello.save()
    assert dispatch(now=T0 + 24 * HOUR) == 1  # resumes once the flag is cleared


def test_a_scheduled_dry_run_of_an_approval_required_job_runs_marked_as_not_approved(jobdeck, root):  # noqa: F811
    from app.execution.admission import admit
    from app.execution.options import decide

    record = enable("everything.ExampleEverythingJob")
    record.approval_required = True
    record.save()
    options = decide(record, root, schedule={"interval": "daily", "start_time": T0.isoformat() + "Z"},
                     now=T0 - HOUR)
    row = admit(record, root, {"example_string": "x", "example_choice": "a", "dryrun": True},
                options=options, now=T0 - HOUR).scheduled_job
    assert row.approval_state == "not-required"
    assert dispatch(now=T0) == 1
    (result,) = results(row)
    assert result.options["unapproved_dry_run"] is True


def test_run_now_runs_as_the_user_who_clicked_it_not_as_the_schedules_owner(jobdeck, hello, root):  # noqa: F811
    from tests.factories import make_user

    row = schedule(hello, root, interval="daily")
    clicker = make_user("clicker")
    grant(clicker, ["extras.scheduledjob"], ["view"])
    grant(clicker, ["extras.job"], ["view", "run"])
    grant(clicker, ["extras.jobresult"], ["view"])
    client = login_as(make_app(jobdeck), clicker)
    response = client.post(f"/scheduled-jobs/{row.id}/run/")
    assert response.status_code == 302 and "/results/" in response.headers["Location"]
    (result,) = results(row)
    assert result.user_id == clicker.id  # not root's: the run is the clicker's, with the clicker's rights


def test_a_schedule_stops_running_when_its_owner_is_deactivated_or_may_no_longer_run_the_job(hello):  # noqa: F811
    from tests.factories import make_user

    owner = make_user("owner")
    permission = grant(owner, ["extras.job"], ["view", "run"])
    row = schedule(hello, owner, interval="daily")
    owner.is_active = False
    owner.save()
    assert dispatch(now=T0) == 0
    assert "owner" in ScheduledJob.get_by_id(row.id).skip_reason
    owner.is_active = True
    owner.save()
    permission.actions = ["view"]
    permission.save()
    assert dispatch(now=T0 + 24 * HOUR) == 0
    assert results(row) == []
    permission.actions = ["view", "run"]
    permission.save()
    assert dispatch(now=T0 + 48 * HOUR) == 1  # resumes once the owner may run it again


def test_an_approved_request_never_runs_code_changed_after_the_approval(jobs, alice, bob):  # noqa: F811
    from app.execution.runner import execute

    request = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    approvals.approve(request, bob)
    assert dispatch() == 1
    (result,) = results(request)
    path = jobs.jobs_root / "approval_jobs.py"
    path.write_text(path.read_text().replace("return device", "return 'not what bob approved'"))
    assert execute(result.id, {"data": {"device": "r1"}}) == "ERRORED"
    stored = JobResult.get_by_id(result.id)
    assert stored.result is None and "changed since" in stored.traceback


def test_approving_changed_code_binds_the_approval_to_the_code_confirmed(jobs, alice, bob):  # noqa: F811
    from app.execution.runner import execute

    request = make_request(reboot(), alice, task_kwargs={"device": "r1"})
    path = jobs.jobs_root / "approval_jobs.py"
    path.write_text(path.read_text() + "\n# reviewed by bob\n")
    approvals.approve(request, bob, confirm_changed_code=True)
    assert dispatch() == 1
    (result,) = results(request)
    assert execute(result.id, {"data": {"device": "r1"}}) == "SUCCESS"
    assert JobResult.get_by_id(result.id).result == "r1"


TWO_DRY_RUN_VARS = '''
from app.jobs import DryRunVar, Job, register_jobs


class TwoSwitches(Job):
    class Meta:
        approval_required = True
        has_sensitive_variables = False

    dryrun_config = DryRunVar()
    dryrun_reboot = DryRunVar()

    def run(self, *, dryrun_config, dryrun_reboot):
        return {"config": dryrun_config, "reboot": dryrun_reboot}


register_jobs(TwoSwitches)
'''


def test_a_request_with_one_dry_run_variable_of_two_off_still_needs_approval(jobdeck, root):  # noqa: F811
    from app.catalog import sync_jobs
    from app.execution.admission import admit

    (jobdeck.jobs_root / "two_switches.py").write_text(TWO_DRY_RUN_VARS)
    sync_jobs(jobdeck.jobs_root)
    record = enable("two_switches.TwoSwitches")
    half = admit(record, root, {"dryrun_config": True, "dryrun_reboot": False})
    assert half.result is None and half.scheduled_job.approval_state == "awaiting"  # it would really reboot
    whole = admit(record, root, {"dryrun_config": True, "dryrun_reboot": True})
    assert whole.scheduled_job is None and whole.result.options["unapproved_dry_run"] is True


def test_a_schedule_stops_when_its_job_is_marked_sensitive_and_stores_no_inputs_on_results(hello, root):  # noqa: F811
    row = schedule(hello, root, interval="daily")
    hello.has_sensitive_variables = True
    hello.save()
    assert dispatch(now=T0) == 0
    assert "sensitive" in ScheduledJob.get_by_id(row.id).skip_reason
    with pytest.raises(JobNotRunnable, match="sensitive"):
        run_now(ScheduledJob.get_by_id(row.id))
    assert results(row) == []


def test_a_schedule_whose_job_was_deleted_still_skips_with_its_reason_for_an_ordinary_owner(hello):  # noqa: F811
    from tests.factories import make_user

    owner = make_user("owner")
    grant(owner, ["extras.job"], ["view", "run"])
    row = schedule(hello, owner, interval="future")
    hello.delete_instance()
    assert dispatch(now=T0) == 0
    assert ScheduledJob.get_by_id(row.id).skip_reason
