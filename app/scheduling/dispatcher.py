"""The dispatcher: turns due schedules into runs. Every worker runs it (``Dispatcher.tick``).

One pass finds the due schedules (enabled, approval not required or given, ``next_run <= now``) with
one indexed query and, in one transaction, for each: moves ``next_run`` on with a compare-and-set
(``UPDATE ... WHERE next_run = <the value read>``: of two dispatchers reading the same schedule only
one moves it) and creates a PENDING JobResult per due slot, unique on (schedule, due time) as a
second guard. The runs are queued once the transaction has committed.

Missed slots (the workers were down) follow the schedule's misfire policy: ``once`` runs the latest
due slot, ``skip`` only slots less than ``MISFIRE_GRACE`` old, ``all`` every missed slot. A pass looks
at no more than ``MISFIRE_CAP`` slots of one schedule (the earliest: after a longer downtime, ``all``
runs those and ``once`` the last of them); the next run is then the first slot after now. A run
more than ``MISFIRE_GRACE`` after its slot is marked ``options["late"]``.
A schedule whose job cannot run (disabled, uninstalled, deleted) records why and skips its slot;
a one-off keeps its due time, so it runs (late) once the job is enabled again. So does a schedule
made without approval whose job requires approval since (``unapproved_reason``): nobody approved it,
and one whose owner is inactive or may no longer run the job (``owner_reason``): runs are theirs.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import logging
import time

import peewee

from app import db
from app.catalog import job_class_for
from app.db import database
from app.db import utcnow
from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution import status
from app.execution.submit import enqueue_result
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.models.schedules import ApprovalState
from app.models.schedules import Interval
from app.models.schedules import MisfirePolicy
from app.models.schedules import ScheduledJob
from app.scheduling.times import Schedule
from app.scheduling.times import next_after
from app.scheduling.times import slots_from
from app.security import can

__all__ = ["Dispatcher", "dispatch", "plan", "run_now"]

log = logging.getLogger("jobdeck.dispatcher")

MISFIRE_GRACE = datetime.timedelta(seconds=60)
MISFIRE_CAP = 100
BATCH = 1000  # schedules handled per transaction
DISPATCH_INTERVAL = 0.2  # seconds between passes in a worker
_TINY = datetime.timedelta(microseconds=1)
RUNNABLE_STATES = (ApprovalState.NOT_REQUIRED.value, ApprovalState.APPROVED.value)


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one pass does with a due schedule: the (due time, late) runs to make and the new next_run."""

    runs: tuple[tuple[datetime.datetime, bool], ...]
    next_run: datetime.datetime | None


def plan(row: ScheduledJob, now: datetime.datetime) -> Plan:
    """The runs a due schedule gets at ``now`` (naive UTC) and its next due time; pure, no writes."""
    schedule = Schedule.of(row)
    due_at = row.next_run
    if not schedule.recurring:
        late = schedule.interval == Interval.FUTURE and now - due_at > MISFIRE_GRACE
        return Plan(((due_at, late),), None)
    # next_run itself is due (whatever edits did to the schedule since), then every later slot up to now.
    later = itertools.takewhile(lambda slot: slot <= now, slots_from(schedule, due_at + _TINY))
    due = [due_at, *itertools.islice(later, MISFIRE_CAP - 1)]
    runs = [(slot, now - slot > MISFIRE_GRACE) for slot in due]
    policy = MisfirePolicy(row.misfire_policy)
    if policy == MisfirePolicy.SKIP:
        runs = [run for run in runs if not run[1]]
    elif policy == MisfirePolicy.ONCE:
        runs = runs[-1:]
    return Plan(tuple(runs), next_after(schedule, now))


def due_query(now: datetime.datetime):
    return (ScheduledJob.select(ScheduledJob, JobRecord)
            .join(JobRecord, peewee.JOIN.LEFT_OUTER, on=(ScheduledJob.job_record == JobRecord.id))
            .where((ScheduledJob.enabled == True)  # noqa: E712
                   & ScheduledJob.approval_state.in_(RUNNABLE_STATES)
                   & (ScheduledJob.next_run <= now))
            .order_by(ScheduledJob.next_run)
            .limit(BATCH))


def _move(row: ScheduledJob, new_next, **changes) -> bool:
    """Compare-and-set of ``next_run``: False when another dispatcher moved it first."""
    return bool(ScheduledJob.update(next_run=new_next, **changes)
                .where((ScheduledJob.id == row.id) & (ScheduledJob.next_run == row.next_run))
                .execute())


def unapproved_reason(row: ScheduledJob) -> str:
    """Why a schedule may not run now that its job requires approval (it never went to approval) or has
    sensitive variables (its runs would store inputs); "" if it may.

    A dry-run request (``options["unapproved_dry_run"]``) needs no approval, as at admission.
    """
    if row.job_record.has_sensitive_variables:
        return ("The job has sensitive variables now, and those are never stored for later runs: this schedule "
                "does not run (delete it, or clear the sensitive flag).")
    if (row.approval_state == ApprovalState.NOT_REQUIRED.value and row.job_record.approval_required
            and not (row.options or {}).get("unapproved_dry_run")):
        return ("The job requires approval now, and this schedule was never approved: request a new run from "
                "the job's page (or clear \u201cApproval required\u201d).")
    return ""


def owner_reason(row: ScheduledJob, owners: dict) -> str:
    """Why ``row``'s owner can no longer have it run in their name ("" when they may); ``owners`` caches
    users (and so their permissions) for one pass."""
    if row.user_id is None or row.job_record_id is None:  # the trusted local CLI; a deleted job has its reason
        return ""
    if row.user_id not in owners:
        owners[row.user_id] = User.get_or_none(User.id == row.user_id)
    owner = owners[row.user_id]
    if owner is None or not can(owner, "run", row.job_record):
        name = owner.username if owner is not None else "(deleted)"
        return (f"Its owner {name} is inactive or may no longer run this job, and its runs would be theirs: it "
                "resumes once they may run it again (or make a new schedule as another user).")
    return ""


def create_run(row: ScheduledJob, scheduled_for, *, late: bool = False, user=None) -> tuple[JobResult, dict] | None:
    """The PENDING result of ``row`` for ``scheduled_for`` and its payload; None if that slot already has one.

    The run is the schedule owner's, or ``user``'s when given (a Run now by someone else).
    """
    record = row.job_record
    options = dict(row.options or {})
    if late:
        options["late"] = True
    approved = row.approval_state == ApprovalState.APPROVED.value
    if approved and row.code_digest:
        options["approved_code"] = row.code_digest  # the run refuses other code (approvals.approved_code_changed)
    try:
        with database.atomic():  # a savepoint: a duplicate slot leaves the rest of the pass alone
            result = JobResult.create(
                job_record=record, name=record.name, task_name=record.class_path,
                user=row.user_id if user is None else user.id,
                status=Status.STATUS_PENDING, queue=row.queue, options=options,
                task_kwargs=row.task_kwargs, scheduled_job=row.id, scheduled_for=scheduled_for,
                approved_by=row.decided_by_id if approved else None,
                approved_at=row.decided_at if approved else None,
            )
    except peewee.IntegrityError:
        return None
    return result, {"data": row.task_kwargs or {}}


def _queue(made: list) -> None:
    for result, payload in made:
        try:
            enqueue_result(result, payload)
        except JobNotRunnable:
            log.exception("could not queue the scheduled run %s", result.id)


def dispatch(now: datetime.datetime | None = None) -> int:
    """One pass: make and queue the runs of every due schedule; returns how many runs were made."""
    now = now or utcnow()
    made = []
    # Read before the transaction: on SQLite, a transaction that reads and then writes fails at once
    # ("database is locked") when another dispatcher wrote in between. The compare-and-set keeps it exact.
    due = list(due_query(now))
    if not due:
        return 0
    owners = {}
    refused = {row.id: owner_reason(row, owners) for row in due}  # reads, so before the transaction too
    with database.atomic():
        for row in due:
            reason = status.not_runnable_reason(row.job_record) or unapproved_reason(row) or refused[row.id]
            if reason:
                _skip(row, reason, now)
                continue
            decided = plan(row, now)
            moved = _move(row, decided.next_run, skip_reason="", skipped_at=None,
                          total_run_count=ScheduledJob.total_run_count + len(decided.runs),
                          last_run=now if decided.runs else row.last_run)
            if moved:
                for slot, late in decided.runs:
                    run = create_run(row, slot, late=late)
                    if run is not None:
                        made.append(run)
    _queue(made)
    return len(made)


def _skip(row: ScheduledJob, reason: str, now) -> None:
    if row.interval_choice.recurring:
        _move(row, next_after(Schedule.of(row), now), skip_reason=reason, skipped_at=now)
    elif row.skip_reason != reason:  # a one-off stays due: written once, not on every pass
        ScheduledJob.update(skip_reason=reason, skipped_at=now).where(ScheduledJob.id == row.id).execute()


def run_now(row: ScheduledJob, now: datetime.datetime | None = None, *, user=None) -> JobResult:
    """A run of ``row`` made now, by hand: its next due time stays where it is.

    The run is ``user``'s (None: the schedule owner's, for a trusted caller), with the schedule's
    inputs checked as if ``user`` had typed them: who clicks does not borrow the owner's identity.
    JobNotRunnable when the job cannot run or the request is not approved; PermissionDenied or
    JobDataError when ``user`` may not run the job with these inputs.
    """
    reason = status.not_runnable_reason(row.job_record)
    if reason:
        raise JobNotRunnable(reason)
    if row.approval_state == ApprovalState.DENIED.value:
        raise JobNotRunnable("This request was denied: it never runs.")
    if row.approval_state not in RUNNABLE_STATES:
        raise JobNotRunnable("This request awaits approval: it cannot run until another user approves it.")
    if row.job_record.has_sensitive_variables:
        raise JobNotRunnable(unapproved_reason(row))
    if row.job_record.approval_required and not (row.options or {}).get("unapproved_dry_run"):
        # An approval covers the request's own runs; a run by hand is one nobody approved.
        raise JobNotRunnable("This job requires approval, so Run now would make a run nobody approved: request a "
                             "run from the job's page instead.")
    if user is not None:
        _check_inputs_for(row, user)
    with database.atomic():
        made = create_run(row, now or utcnow(), user=user)
        if made is None:
            raise JobNotRunnable("A run for this very moment exists already; try again.")
        ScheduledJob.update(total_run_count=ScheduledJob.total_run_count + 1, last_run=made[0].date_created) \
            .where(ScheduledJob.id == row.id).execute()
    enqueue_result(*made)
    return made[0]


def _check_inputs_for(row: ScheduledJob, user) -> None:
    """Raise unless ``user`` may run the schedule's job with its inputs (ObjectVars among the rows they may view)."""
    from app.execution.options import RunOptions
    from app.execution.payload import stored_inputs
    from app.execution.submit import prepare

    record = row.job_record
    try:
        data, files = stored_inputs(job_class_for(record), row)
    except JobLoadError as exc:
        raise JobNotRunnable(f"The job \u201c{record.name}\u201d cannot be loaded: {exc}") from None
    prepare(record, user, data, files, RunOptions(queue=row.queue if row.queue in record.queues else None),
            strict=False)


class Dispatcher:
    """Runs ``dispatch`` every ``interval`` seconds from a worker's main loop (cheap when nothing is due)."""

    def __init__(self, interval: float = DISPATCH_INTERVAL):
        self.interval = interval
        self.next_pass = 0.0

    def tick(self) -> None:
        moment = time.monotonic()
        if moment < self.next_pass:
            return
        self.next_pass = moment + self.interval
        try:
            with db.database.connection_context():
                dispatch()
        except Exception:
            log.exception("the scheduled-job dispatcher failed; will retry")
