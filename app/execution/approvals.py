"""Approvals: whether a run request must wait for another user's yes, and deciding such requests.

Every door (form, API, CLI, schedules, later hooks and buttons) asks ``approval_needed`` through
admission, so the rule lives here once. The web page and the API both decide through ``approve``,
``deny`` and ``dry_run``, so the rules of deciding live here too:

- nobody decides their own request;
- deciding needs ``approve`` on the request's job record and ``change`` on the scheduled job;
- an approval binds to the frozen inputs and to the job's code as requested (``code_digest``): when
  the code changed since, approving needs an explicit re-confirmation;
- a request is decided once: AWAITING → APPROVED or AWAITING → DENIED, compare-and-set, so two
  approvers racing cannot both decide; a denied row stays as the audit record and never runs.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

from app.catalog import job_class_for
from app.db import utcnow
from app.exceptions import JobLoadError
from app.execution import status
from app.jobs.vars import DryRunVar
from app.models import JobRecord
from app.models.schedules import ApprovalState
from app.models.schedules import ScheduledJob
from app.sanitize import REDACTED
from app.sanitize import sanitize
from app.scheduling.times import Schedule
from app.scheduling.times import slots_from
from app.security import PermissionDenied
from app.security import can
from app.security import require
from app.security import restrict

__all__ = [
    "ApprovalRefused", "REASON_MAX_LENGTH", "approvable", "approval_needed", "approve", "approved_code_changed",
    "check_decider", "code_changed", "code_digest", "decided_for", "deny", "dry_run", "dry_run_vars",
    "is_dry_run_request", "masked_inputs", "may_approve_any", "may_see", "SENSITIVE_AND_APPROVAL",
]  # fmt: skip

REASON_MAX_LENGTH = 1000
OWN_REQUEST = "You cannot approve or deny your own request: another user must decide it."
CODE_CHANGED = ("The job's code has changed since this request was made: check the new code, then confirm "
                "that you approve the request against it.")
SENSITIVE_AND_APPROVAL = "A job with sensitive variables cannot also require approval."
JOB_DELETED = "The job of this request has been deleted: it can only be denied."
NO_DRY_RUN = "This job has no dry-run variable (DryRunVar), so it cannot be dry-run."


class ApprovalRefused(Exception):
    """A decision that cannot be made; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def dry_run_vars(job_class) -> list[str]:
    """The names of the job's ``DryRunVar``s."""
    return [name for name, var in job_class._get_vars().items() if isinstance(var, DryRunVar)]


def is_dry_run_request(job_class, cleaned: dict) -> bool:
    """Whether the validated inputs turn on every one of the job's ``DryRunVar``s (one left off may
    change things for real, so that request needs approval)."""
    names = dry_run_vars(job_class)
    return bool(names) and all(cleaned.get(name) for name in names)


def approval_needed(record, job_class, cleaned: dict) -> bool:
    """True when the run must wait for approval: the job requires it, and this is not a dry run
    (a dry-run request runs at once without approval, its result marked as not approved)."""
    return bool(record.approval_required) and not is_dry_run_request(job_class, cleaned)


def _source_files(record: JobRecord) -> list[Path]:
    """The files of the job class and of its base classes outside Jobdeck (the record's file if it
    cannot be loaded now: a file that no longer imports has changed too)."""
    try:
        job_class = job_class_for(record)
    except JobLoadError:
        return [Path(record.source_file)] if record.source_file else []
    app_root = Path(__file__).resolve().parent.parent
    files = []
    for klass in job_class.__mro__:
        try:
            path = Path(inspect.getfile(klass)).resolve()
        except (TypeError, OSError):
            continue  # builtins
        if app_root in path.parents or path in files:
            continue
        files.append(path)
    return files


def code_digest(record: JobRecord) -> str:
    """A SHA-256 of the job's source file(s) as they are on disk now ("" when none can be read).

    Admission stores it on the request (``ScheduledJob.code_digest``); approving compares it again.
    """
    digest = hashlib.sha256()
    found = False
    for path in sorted(_source_files(record)):
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found = True
        digest.update(path.name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest() if found else ""


def code_changed(scheduled: ScheduledJob) -> bool:
    """Whether the job's code differs from when the request was made (unknown counts as changed)."""
    record = scheduled.job_record if scheduled.job_record_id else None
    if record is None:
        return True
    return not scheduled.code_digest or code_digest(record) != scheduled.code_digest


def approved_code_changed(record: JobRecord, options: dict | None) -> bool:
    """Whether a run made through an approval would run other code than was approved (its
    ``options["approved_code"]``, set by the dispatcher); a run without one was not approved."""
    approved = (options or {}).get("approved_code")
    return bool(approved) and code_digest(record) != approved


def masked_inputs(task_kwargs: dict | None) -> dict:
    """The frozen inputs as an approver sees them: values under a secret-looking name (``password``,
    ``api_token``, ...) replaced whole, secrets inside other values (URLs with credentials, ...)
    redacted, both by the log sanitizer's patterns."""
    shown = {}
    for name, value in (task_kwargs or {}).items():
        if sanitize(f"{name}=x") != f"{name}=x":
            shown[name] = REDACTED
        elif isinstance(value, str):
            shown[name] = sanitize(value)
        elif value is None or isinstance(value, (bool, int, float)):
            shown[name] = value
        else:
            text = json.dumps(value, default=str)
            cleaned = sanitize(text)
            shown[name] = value if cleaned == text else cleaned
    return shown


def _awaiting_for(user):
    """AWAITING requests (any requester) on jobs ``user`` may approve, narrowed by their ``change`` grant."""
    query = ScheduledJob.select().where(ScheduledJob.approval_state == ApprovalState.AWAITING.value)
    if not getattr(user, "is_superuser", False):  # superusers also see requests whose job was deleted, to deny
        query = query.where(ScheduledJob.job_record.in_(restrict(JobRecord.select(JobRecord.id), user, "approve")))
    return restrict(query, user, "change")


def approvable(user):
    """The requests ``user`` may decide now, oldest first: awaiting, on a job they may approve, within
    their ``change`` permission on scheduled jobs, and not their own."""
    query = _awaiting_for(user).where(ScheduledJob.user.is_null() | (ScheduledJob.user != user.id))
    return query.order_by(ScheduledJob.created, ScheduledJob.id)


def decided_for(user):
    """The audit list: approved and denied requests on jobs ``user`` may approve, or requested by them."""
    jobs = restrict(JobRecord.select(JobRecord.id), user, "approve")
    decided = ScheduledJob.approval_state.in_([ApprovalState.APPROVED.value, ApprovalState.DENIED.value])
    mine = ScheduledJob.user == user.id
    return (ScheduledJob.select()
            .where(decided & ScheduledJob.decided_at.is_null(False) & (ScheduledJob.job_record.in_(jobs) | mine))
            .order_by(ScheduledJob.decided_at.desc(), ScheduledJob.id))


def may_see(user, scheduled: ScheduledJob) -> bool:
    """Whether ``user`` may see the request (else it is "not found" to them): theirs, ``view`` or
    ``change`` on it, or ``approve`` on its job."""
    if scheduled.user_id is not None and scheduled.user_id == user.id:
        return True
    if can(user, "view", scheduled) or can(user, "change", scheduled):
        return True
    record = JobRecord.get_or_none(JobRecord.id == scheduled.job_record_id) if scheduled.job_record_id else None
    return record is not None and can(user, "approve", record)


def may_approve_any(user) -> bool:
    """Whether ``user`` holds the permissions approving needs on at least some jobs."""
    return can(user, "approve", "extras.job") and can(user, "change", "extras.scheduledjob")


def check_decider(scheduled: ScheduledJob, user) -> JobRecord | None:
    """Raise PermissionDenied unless ``user`` may decide ``scheduled``; return its job record."""
    if scheduled.user_id is not None and scheduled.user_id == user.id:
        raise PermissionDenied(OWN_REQUEST, action="approve")
    # Read afresh: enabled/installed may have changed since the request row was loaded.
    record = JobRecord.get_or_none(JobRecord.id == scheduled.job_record_id) if scheduled.job_record_id else None
    if record is None:
        if not getattr(user, "is_superuser", False):
            raise PermissionDenied("You do not have permission to decide a request whose job was deleted.")
    else:
        require(user, "approve", record)
    require(user, "change", scheduled)
    return record


def _check_awaiting(scheduled: ScheduledJob) -> None:
    """Refuse unless the stored request still awaits a decision (the row given may be stale)."""
    state = ScheduledJob.select(ScheduledJob.approval_state).where(ScheduledJob.id == scheduled.id).scalar()
    if state != ApprovalState.AWAITING.value:
        raise ApprovalRefused(f"This request has already been decided ({state or 'deleted'}).")


def _decide(scheduled: ScheduledJob, user, to: ApprovalState, values: dict | None = None) -> ScheduledJob:
    """AWAITING → ``to``, compare-and-set: refused when someone else decided first."""
    now = utcnow()
    changes = {ScheduledJob.approval_state: to.value, ScheduledJob.decided_by: user.id, ScheduledJob.decided_at: now,
               ScheduledJob.last_updated: now, **(values or {})}
    updated = (ScheduledJob.update(changes)
               .where((ScheduledJob.id == scheduled.id)
                      & (ScheduledJob.approval_state == ApprovalState.AWAITING.value))
               .execute())
    fresh = ScheduledJob.get_by_id(scheduled.id)
    if not updated:
        raise ApprovalRefused(f"This request has already been decided ({fresh.approval_state}).")
    return fresh


def _runnable_request(scheduled: ScheduledJob, user, hint: str = "") -> JobRecord:
    """The request's job record, once ``user`` may decide it, it awaits a decision and its job can run."""
    record = check_decider(scheduled, user)
    _check_awaiting(scheduled)
    if record is None:
        raise ApprovalRefused(JOB_DELETED)
    reason = status.not_runnable_reason(record)
    if reason:
        raise ApprovalRefused(f"{reason}{hint}")
    return record


def approve(scheduled: ScheduledJob, user, *, confirm_changed_code: bool = False) -> ScheduledJob:
    """Approve every run of ``scheduled`` (a recurring schedule included); the dispatcher runs them.

    Raises PermissionDenied, or ApprovalRefused when it was decided already, its job cannot run, or
    the job's code changed and ``confirm_changed_code`` is not set.
    """
    record = _runnable_request(scheduled, user, " Enable it (or deny the request) before approving.")
    if code_changed(scheduled) and not confirm_changed_code:
        raise ApprovalRefused(CODE_CHANGED, status=400)
    # The approval binds to the code approved now (confirmed when it changed): runs check it (approved_code).
    values = {ScheduledJob.code_digest: code_digest(record)}
    now = utcnow()
    schedule = Schedule.of(scheduled)
    if scheduled.next_run is None:
        values[ScheduledJob.next_run] = scheduled.start_time  # a one-off keeps its requested time
    elif schedule.recurring and scheduled.next_run < now:
        # Slots that passed while the request waited were never approved: they are not missed runs to
        # catch up on. The schedule starts at its next time from now.
        values[ScheduledJob.next_run] = next(slots_from(schedule, now), None)
    return _decide(scheduled, user, ApprovalState.APPROVED, values)


def deny(scheduled: ScheduledJob, user, reason: str = "") -> ScheduledJob:
    """Deny ``scheduled``: the row stays (who, when, why) and can never run."""
    check_decider(scheduled, user)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ApprovalRefused(f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.", status=400)
    _check_awaiting(scheduled)
    return _decide(scheduled, user, ApprovalState.DENIED, {ScheduledJob.decision_reason: reason})


def dry_run(scheduled: ScheduledJob, user, request_meta: dict | None = None):
    """Run the request's frozen inputs now, as ``user``, with the job's dry-run variables on.

    The request stays AWAITING; the result is marked ``options["unapproved_dry_run"]``. Raises
    PermissionDenied, ApprovalRefused (400 without a DryRunVar), JobNotRunnable or JobDataError.
    """
    from app.execution.options import RunOptions
    from app.execution.payload import stored_inputs
    from app.execution.submit import submit

    record = _runnable_request(scheduled, user)
    try:
        job_class = job_class_for(record)
    except JobLoadError as exc:
        raise ApprovalRefused(f"The job \u201c{record.name}\u201d cannot be loaded: {exc}") from None
    names = dry_run_vars(job_class)
    if not names:
        raise ApprovalRefused(NO_DRY_RUN, status=400)
    data, files = stored_inputs(job_class, scheduled)
    data.update(dict.fromkeys(names, True))
    # pre_approved: a dry run never needs approval (approval_needed says so for every door).
    options = RunOptions(queue=scheduled.queue if scheduled.queue in record.queues else None, pre_approved=True,
                         unapproved_dry_run=True, request_meta=dict(request_meta or {}))
    return submit(record, user, data=data, files=files, options=options, strict=False)
