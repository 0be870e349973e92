"""Admission: what becomes of a validated run request. Every door (form, API, CLI, Re-run) calls ``admit``.

After the checks and the validation of ``submit.prepare``, one of three things happens:

- run now: a PENDING JobResult on its queue (``submit.queue_run``);
- schedule: a ScheduledJob (approval not required) that the dispatcher runs when due;
- await approval: a ScheduledJob in state AWAITING when ``approvals.approval_needed`` says so, whether
  the request was for now (a one-off, interval ``immediately``, due at once when approved) or later.

A dry-run request of an approval-required job runs at once, its result marked ``unapproved_dry_run``.
Jobs with sensitive variables are never stored for later: scheduling or deferring them is refused.
"""

from __future__ import annotations

import dataclasses
import datetime

from app.config import get_config
from app.db import database
from app.db import utcnow
from app.exceptions import JobNotRunnable
from app.execution import approvals
from app.execution.options import RunOptions
from app.execution.payload import serialize_data
from app.execution.submit import prepare
from app.execution.submit import queue_run
from app.models import JobRecord
from app.models import JobResult
from app.models.schedules import ApprovalState
from app.models.schedules import Interval
from app.models.schedules import ScheduledJob
from app.scheduling.requests import ScheduleRequest
from app.scheduling.times import Schedule
from app.scheduling.times import slots_from

__all__ = ["Admission", "admit"]

START_GRACE = datetime.timedelta(seconds=60)
SENSITIVE_NEEDS_APPROVAL = ("This job has sensitive variables and requires approval: a request awaiting approval "
                            "would have to store its inputs, which sensitive jobs never do. Ask an administrator "
                            "to clear \u201cApproval required\u201d or the sensitive flag.")


@dataclasses.dataclass(frozen=True)
class Admission:
    """What a request became: a result queued now, or a scheduled job (later, recurring or awaiting approval)."""

    result: JobResult | None = None
    scheduled_job: ScheduledJob | None = None


def admit(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None,
          *, strict: bool = True, now=None) -> Admission:
    """Check, validate and admit a request to run ``record``.

    Raises PermissionDenied, JobNotRunnable or JobDataError (with per-field errors), storing nothing then.
    """
    options = options or RunOptions()
    job_class, cleaned, queue = prepare(record, user, data, files, options, strict=strict)
    if not options.pre_approved and approvals.approval_needed(record, job_class, cleaned):
        if record.has_sensitive_variables:
            raise JobNotRunnable(SENSITIVE_NEEDS_APPROVAL)
        return Admission(scheduled_job=store(record, user, job_class, cleaned, queue, options,
                                             ApprovalState.AWAITING, now=now))
    if record.approval_required and not options.pre_approved:  # a dry run: allowed without approval, marked
        options = dataclasses.replace(options, unapproved_dry_run=True)
    if options.schedule is not None:
        return Admission(scheduled_job=store(record, user, job_class, cleaned, queue, options,
                                             ApprovalState.NOT_REQUIRED, now=now))
    return Admission(result=queue_run(record, user, job_class, cleaned, queue, options))


def store(record: JobRecord, user, job_class, cleaned: dict, queue: str, options: RunOptions,
          state: ApprovalState, *, now=None) -> ScheduledJob:
    """The ScheduledJob holding this validated request, frozen; due at its first time from ``now``."""
    now = now or utcnow()
    request = options.schedule or ScheduleRequest(
        f"{record.name} (requested {now:%Y-%m-%d %H:%M} UTC)",
        Schedule(Interval.IMMEDIATELY, now, "", get_config().time_zone),
    )
    schedule = request.schedule
    # A start time that passed (more than a moment ago: "now" itself was read a little earlier) begins
    # a recurring schedule at its next time, never in the past.
    begin = min(now, schedule.start_time) if now - schedule.start_time <= START_GRACE else now
    next_run = next(slots_from(schedule, begin), None)
    with database.atomic():
        row = ScheduledJob.create(
            name=request.name,
            job_record=record,
            task_name=record.class_path,
            user=user if getattr(user, "id", None) is not None else None,
            interval=schedule.interval.value,
            start_time=schedule.start_time,
            crontab=schedule.crontab,
            time_zone=schedule.time_zone,
            options=options.as_dict(queue),
            queue=queue,
            approval_state=state.value,
            next_run=next_run,
            # What an approver approves is the code as it was requested: approving compares it again.
            code_digest=approvals.code_digest(record) if state == ApprovalState.AWAITING else "",
        )
        row.task_kwargs = serialize_data(job_class, cleaned, None)
        row.save(only=[ScheduledJob.task_kwargs])
    return row
