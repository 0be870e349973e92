"""Admission and the dispatcher with a controlled clock: due runs, misfires, concurrency, skips, approval."""

from __future__ import annotations

import datetime
import threading

import pytest

from app import db
from app.execution.admission import admit
from app.execution.options import decide
from app.jobs.forms import JobDataError
from app.models import JobResult
from app.models.schedules import ApprovalState
from app.models.schedules import ScheduledJob
from app.queue import get_huey
from app.scheduling.dispatcher import dispatch
from app.scheduling.dispatcher import run_now
from tests.conftest import enable
from tests.factories import make_user
from tests.test_postgres import postgres  # noqa: F401

HELLO = "hello_jobs.HelloJobs"
T0 = datetime.datetime(2030, 1, 7, 9, 0)  # a Monday, naive UTC
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def hello(jobdeck):
    return enable(HELLO)


@pytest.fixture
def root(jobdeck):
    return make_user("root", superuser=True)


def schedule(record, user, now=T0 - HOUR, policy=None, **raw) -> ScheduledJob:
    raw.setdefault("start_time", T0.isoformat() + "Z")
    options = decide(record, user, schedule=raw, now=now)
    row = admit(record, user, {"person_name": "Ada"}, options=options, now=now).scheduled_job
    if policy:
        row.misfire_policy = policy
        row.save()
    return ScheduledJob.get_by_id(row.id)


def results(row):
    return list(JobResult.select().where(JobResult.scheduled_job == row.id).order_by(JobResult.scheduled_for))


def test_a_one_off_runs_once_when_due_and_is_queued(hello, root):
    row = schedule(hello, root, interval="future", name="Later")
    assert (row.name, row.next_run, row.approval_state) == ("Later", T0, ApprovalState.NOT_REQUIRED.value)
    assert JobResult.select().count() == 0
    assert dispatch(now=T0 - datetime.timedelta(seconds=1)) == 0
    assert dispatch(now=T0) == 1
    assert dispatch(now=T0 + HOUR) == 0
    (result,) = results(row)
    assert (result.scheduled_for, result.status, result.user_id, result.task_kwargs["person_name"]) == (
        T0, "PENDING", root.id, "Ada")
    assert "late" not in result.options
    row = ScheduledJob.get_by_id(row.id)
    assert (row.next_run, row.total_run_count, row.last_run) == (None, 1, T0)
    assert get_huey("default").pending_count() == 1


def test_an_hourly_schedule_moves_on_by_an_hour(hello, root):
    row = schedule(hello, root, interval="hourly")
    dispatch(now=T0)
    assert ScheduledJob.get_by_id(row.id).next_run == T0 + HOUR
    dispatch(now=T0 + HOUR + datetime.timedelta(seconds=0.3))
    assert [r.scheduled_for for r in results(row)] == [T0, T0 + HOUR]


def test_a_start_time_in_the_past_for_a_recurring_schedule_starts_at_the_next_slot(hello, root):
    row = schedule(hello, root, now=T0 + datetime.timedelta(minutes=90), interval="hourly")
    assert row.next_run == T0 + 2 * HOUR


@pytest.mark.parametrize("policy, expected", [
    ("once", [(T0 + 5 * HOUR, True)]),
    ("skip", []),
    ("all", [(T0 + h * HOUR, True) for h in range(6)]),
])
def test_misfire_policies_after_downtime(hello, root, policy, expected):
    row = schedule(hello, root, interval="hourly", policy=policy)
    dispatch(now=T0 + 5 * HOUR + datetime.timedelta(minutes=10))  # the workers were down for five hours
    assert [(r.scheduled_for, bool(r.options.get("late"))) for r in results(row)] == expected
    row = ScheduledJob.get_by_id(row.id)
    assert row.next_run == T0 + 6 * HOUR
    assert row.total_run_count == len(expected)


def test_the_all_policy_is_capped(hello, root):
    row = schedule(hello, root, interval="custom", crontab="* * * * *", policy="all")
    dispatch(now=T0 + 10 * HOUR)
    assert len(results(row)) == 100


def test_two_concurrent_dispatchers_make_one_run_per_due_time(hello, root, jobdeck):
    rows = [schedule(hello, root, interval="hourly", name=f"s{i}") for i in range(20)]
    barrier = threading.Barrier(2)
    counts = []

    def dispatcher():
        with db.database.connection_context():
            barrier.wait()
            made = 0
            for step in range(4):
                made += dispatch(now=T0 + step * HOUR)
            counts.append(made)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == 2 and sum(counts) == 80
    for row in rows:
        assert [r.scheduled_for for r in results(row)] == [T0 + h * HOUR for h in range(4)]


def test_a_slot_can_never_have_two_runs(hello, root):
    from app.scheduling.dispatcher import create_run

    row = schedule(hello, root, interval="future")
    assert create_run(row, T0) is not None
    assert create_run(row, T0) is None
    assert len(results(row)) == 1


def test_a_disabled_job_skips_its_runs_with_a_reason_and_resumes_when_enabled(hello, root):
    row = schedule(hello, root, interval="daily")
    one_off = schedule(hello, root, interval="future", name="once")
    hello.enabled = False
    hello.save()
    assert dispatch(now=T0) == 0
    row, one_off = ScheduledJob.get_by_id(row.id), ScheduledJob.get_by_id(one_off.id)
    assert "not enabled" in row.skip_reason and row.skipped_at == T0
    assert row.next_run == T0 + 24 * HOUR
    assert "not enabled" in one_off.skip_reason and one_off.next_run == T0  # stays due
    hello.enabled = True
    hello.save()
    assert dispatch(now=T0 + 24 * HOUR) == 2
    row = ScheduledJob.get_by_id(row.id)
    assert (row.skip_reason, row.skipped_at) == ("", None)
    assert [r.scheduled_for for r in results(row)] == [T0 + 24 * HOUR]
    (late,) = results(one_off)
    assert late.options["late"] is True


def test_an_uninstalled_job_skips_too(hello, root):
    row = schedule(hello, root, interval="hourly")
    hello.installed = False
    hello.save()
    dispatch(now=T0)
    assert "not installed" in ScheduledJob.get_by_id(row.id).skip_reason
    assert results(row) == []


def test_run_now_never_moves_the_next_run(hello, root):
    row = schedule(hello, root, interval="daily")
    result = run_now(row, now=T0 - 2 * HOUR)
    assert result.status == "PENDING" and result.scheduled_job_id == row.id
    row = ScheduledJob.get_by_id(row.id)
    assert (row.next_run, row.total_run_count) == (T0, 1)


def test_sensitive_jobs_cannot_be_scheduled_and_nothing_is_stored(jobdeck, root):
    record = enable("simple_greeting.SimpleGreetingJob")
    with pytest.raises(JobDataError) as refused:
        decide(record, root, schedule={"interval": "future", "start_time": "2099-01-01T00:00Z"})
    assert "sensitive variables" in refused.value.errors["schedule_interval"][0]
    assert ScheduledJob.select().count() == 0 and JobResult.select().count() == 0


def test_an_approval_required_request_waits_and_runs_once_approved(hello, root):
    hello.approval_required = True
    hello.save()
    requested = admit(hello, root, {"person_name": "Ada"}, now=T0)
    assert requested.result is None
    row = requested.scheduled_job
    assert (row.interval, row.approval_state, row.next_run) == ("immediately", "awaiting", T0)
    assert dispatch(now=T0 + HOUR) == 0
    approver = make_user("approver")
    ScheduledJob.update(approval_state=ApprovalState.APPROVED.value, decided_by=approver,
                        decided_at=T0 + HOUR).where(ScheduledJob.id == row.id).execute()
    assert dispatch(now=T0 + HOUR) == 1
    (result,) = results(row)
    assert (result.approved_by_id, result.approved_at) == (approver.id, T0 + HOUR)
    assert "late" not in result.options


def test_a_scheduled_approval_required_request_waits_too(hello, root):
    hello.approval_required = True
    hello.save()
    row = schedule(hello, root, interval="daily")
    assert row.approval_state == "awaiting"
    assert dispatch(now=T0) == 0


def test_a_dry_run_of_an_approval_required_job_runs_at_once_marked(jobdeck, root):
    record = enable("everything.ExampleEverythingJob")
    record.approval_required = True
    record.save()
    data = {"example_string": "x", "example_choice": "a", "dryrun": True}
    admission = admit(record, root, data)
    assert admission.scheduled_job is None
    assert admission.result.options["unapproved_dry_run"] is True


@pytest.mark.parametrize("raw, field, fragment", [
    ({"interval": "fortnightly"}, "schedule_interval", "not an interval"),
    ({"interval": "future"}, "schedule_start_time", "needs a start time"),
    ({"interval": "future", "start_time": "2000-01-01T00:00Z"}, "schedule_start_time", "in the past"),
    ({"interval": "future", "start_time": "tomorrow"}, "schedule_start_time", "not a date and time"),
    ({"interval": "custom"}, "schedule_crontab", "needs a crontab"),
    ({"interval": "custom", "crontab": "99 * * * *"}, "schedule_crontab", "not valid"),
    ({"interval": "daily", "crontab": "* * * * *"}, "schedule_crontab", "only to the interval"),
    ({"interval": "daily", "name": "x" * 201}, "schedule_name", "200 characters"),
])
def test_bad_schedules_are_refused_per_field(hello, root, raw, field, fragment):
    with pytest.raises(JobDataError) as refused:
        decide(hello, root, schedule=raw)
    assert fragment in refused.value.errors[field][0]


def test_two_dispatchers_make_one_run_per_due_time_on_postgres(postgres):  # noqa: F811
    from app.catalog import sync_jobs

    db.migrate()
    sync_jobs(postgres.jobs_root)
    record = enable(HELLO)
    user = make_user("root", superuser=True)
    rows = [schedule(record, user, interval="hourly", name=f"s{i}") for i in range(5)]
    one_off = schedule(record, user, interval="future", name="once")
    counts = []
    barrier = threading.Barrier(2)

    def dispatcher():
        with db.database.connection_context():
            barrier.wait()
            counts.append(sum(dispatch(now=T0 + step * HOUR) for step in range(3)))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == 2 and sum(counts) == 16
    for row in rows:
        assert [r.scheduled_for for r in results(row)] == [T0 + h * HOUR for h in range(3)]
    assert ScheduledJob.get_by_id(one_off.id).next_run is None


def test_a_recurring_schedule_without_a_start_time_runs_first_at_once(hello, root):
    options = decide(hello, root, schedule={"interval": "daily"}, now=T0)
    row = admit(hello, root, {}, options=options, now=T0 + datetime.timedelta(milliseconds=5)).scheduled_job
    assert row.next_run == T0


def test_run_now_refuses_requests_awaiting_approval_or_denied(hello, root):
    from app.exceptions import JobNotRunnable

    row = schedule(hello, root, interval="daily")
    for state, sentence in (("awaiting", "awaits approval"), ("denied", "was denied")):
        row.approval_state = state
        with pytest.raises(JobNotRunnable, match=sentence):
            run_now(row)
    assert results(row) == []
