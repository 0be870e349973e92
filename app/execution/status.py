"""Status transitions of a JobResult. Every change of status goes through here.

Transitions are compare-and-set updates, so a result cancelled while it starts, or reaped while it
finishes, ends in exactly one terminal status.
"""

from __future__ import annotations

from app.db import utcnow
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobResult


def not_runnable_reason(record) -> str | None:
    """Why a job record cannot run now, or None."""
    if record is None:
        return "The job this result belongs to has been deleted."
    if not record.installed:
        return f"The job “{record.name}” is not installed (its class is gone from the source)."
    if not record.enabled:
        return f"The job “{record.name}” is not enabled to be run."
    return None


def mark_started(result: JobResult, worker: str) -> bool:
    """PENDING → STARTED; False if the result was meanwhile cancelled or taken."""
    now = utcnow()
    updated = (
        JobResult.update(status=Status.STATUS_STARTED, date_started=now, worker=worker)
        .where((JobResult.id == result.id) & (JobResult.status == Status.STATUS_PENDING))
        .execute()
    )
    if updated:
        result.status, result.date_started, result.worker = Status.STATUS_STARTED, now, worker
    return bool(updated)


def finish(result: JobResult, status: str, *, value=None, traceback=None) -> bool:
    """Set a terminal status unless the result already has one; True if this call set it."""
    return finish_by_id(result.id, status, value=value, traceback=traceback, target=result)


def finish_by_id(result_id, status: str, *, value=None, traceback=None, target=None) -> bool:
    now = utcnow()
    updated = (
        JobResult.update(status=status, date_done=now, result=value, traceback=traceback)
        .where((JobResult.id == result_id) & JobResult.status.not_in(list(Status.TERMINAL)))
        .execute()
    )
    if updated and target is not None:
        target.status, target.date_done, target.result, target.traceback = status, now, value, traceback
    return bool(updated)
