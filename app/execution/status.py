"""Status transitions of a JobResult. Every change of status goes through here.

``ALLOWED`` is the one table of which status may follow which. Every transition is a compare-and-set
update from the statuses the table allows (``transition``; ``mark_started`` and ``finish`` are its
prepared forms for the worker's claim and every outcome, the reaper's included), so a result
cancelled while it starts, or reaped while it finishes, ends in exactly one terminal status.
Runs are created PENDING (by submission or by the scheduled-job dispatcher), never moved back to it.
"""

from __future__ import annotations

from app.db import Prepared
from app.db import utcnow
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import FileProxy
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


_TERMINAL = sorted(str(status) for status in Status.TERMINAL)

ALLOWED: dict[str, frozenset[str]] = {
    str(Status.STATUS_PENDING): frozenset([str(Status.STATUS_STARTED), *_TERMINAL]),
    str(Status.STATUS_STARTED): frozenset(_TERMINAL),
    **{status: frozenset() for status in _TERMINAL},
}


def sources(to: str) -> list[str]:
    """The statuses a result may move to ``to`` from, per ``ALLOWED``."""
    return sorted(status for status, targets in ALLOWED.items() if str(to) in targets)


# A terminal status may be set on any unfinished result; the prepared FINISH below relies on it.
_UNFINISHED = sources(Status.STATUS_ERRORED)
assert all(sources(status) == _UNFINISHED for status in _TERMINAL)
assert sources(Status.STATUS_STARTED) == [str(Status.STATUS_PENDING)]


def transition(result_id, to: str, from_=None, **values) -> bool:
    """Move a result to ``to`` if its status is ``from_`` (a status or several; default: every status
    ``ALLOWED`` lets move to ``to``), setting ``values`` too; True if this call moved it.

    ValueError for a transition the table does not allow.
    """
    allowed = sources(to)
    wanted = allowed if from_ is None else [str(from_)] if isinstance(from_, str) else [str(s) for s in from_]
    refused = [status for status in wanted if status not in allowed]
    if refused or not wanted:
        raise ValueError(f"{', '.join(refused) or 'nothing'} \u2192 {to} is not an allowed status transition")
    moved = bool(JobResult.update(status=str(to), **values)
                 .where((JobResult.id == result_id) & JobResult.status.in_(wanted)).execute())
    if moved and str(to) in _TERMINAL:
        drop_input_files(result_id)
    return moved


def drop_input_files(result_id) -> None:
    """Delete a finished run's uploaded inputs: they live only for the run (a sensitive job's too),
    however it ends: done, cancelled before it started, never queued, its worker lost."""
    FileProxy.delete().where((FileProxy.job_result == result_id)
                             & (FileProxy.purpose == FileProxy.PURPOSE_INPUT)).execute()


# Run for every job by a worker: prepared, since peewee would render them afresh each time.
_MARK_STARTED = Prepared(lambda p: JobResult.update(
    {JobResult.status: p, JobResult.date_started: p, JobResult.worker: p, JobResult.supervisor_pid: p}
).where((JobResult.id == p) & (JobResult.status == p)))

_FINISH = Prepared(lambda p: JobResult.update({
    JobResult.status: p,
    JobResult.date_done: p,
    JobResult.result: p,
    JobResult.traceback: p,
    JobResult.log_count: JobResult.log_count + p,
}).where((JobResult.id == p) & JobResult.status.in_([p] * len(_UNFINISHED))))


def mark_started(result: JobResult, worker: str, supervisor_pid: int | None = None) -> bool:
    """PENDING → STARTED by ``worker``, its process ``supervisor_pid`` watching the job; False if the
    result was meanwhile cancelled or taken."""
    now = utcnow()
    updated = _MARK_STARTED.execute(
        str(Status.STATUS_STARTED), JobResult.date_started.db_value(now), worker, supervisor_pid,
        JobResult.id.db_value(result.id), *sources(Status.STATUS_STARTED),
    ).rowcount
    if updated:
        result.status, result.date_started, result.worker = Status.STATUS_STARTED, now, worker
        result.supervisor_pid = supervisor_pid
    return bool(updated)


def finish(result: JobResult, status: str, *, value=None, traceback=None) -> bool:
    """Set a terminal status unless the result already has one; True if this call set it."""
    return finish_by_id(result.id, status, value=value, traceback=traceback, target=result)


def finish_by_id(result_id, status: str, *, value=None, traceback=None, target=None, added_lines: int = 0) -> bool:
    """``finish`` by id; ``added_lines`` also adds to ``log_count`` (lines stored in the same transaction)."""
    now = utcnow()
    updated = _FINISH.execute(
        str(status), JobResult.date_done.db_value(now), JobResult.result.db_value(value), traceback, added_lines,
        JobResult.id.db_value(result_id), *_UNFINISHED,
    ).rowcount
    if updated:
        drop_input_files(result_id)
    if updated and target is not None:
        target.status, target.date_done, target.result, target.traceback = status, now, value, traceback
    return bool(updated)
