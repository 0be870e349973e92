"""Submitting a run: the checks, validation and queueing every run goes through (doors reach it
through ``app.execution.admission.admit``, which may schedule the request or hold it for approval instead).

1. permission, enabled/installed and unavailable-flag checks, 2. validation through the job's generated form,
3. serialization, 4. a PENDING JobResult, 5. the task on the chosen queue. How to run (queue, profile,
...) is decided before, by ``app.execution.options.decide()``.
"""

from __future__ import annotations

from app.catalog import job_class_for
from app.db import database
from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution import status
from app.execution.options import RunOptions
from app.execution.options import choose_queue
from app.execution.payload import serialize_data
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.forms import validate_data
from app.models import JobRecord
from app.models import JobResult
from app.security import PermissionDenied
from app.security import can
from app.security import restrict
from app.security.constraints import NEVER

SINGLETON_UNAVAILABLE = ("This job is a singleton (never two runs at once), and singleton runs are not available "
                         "yet; clear \u201cSingleton\u201d on the job's edit page (or in its Meta) to run it.")


class FeatureUnavailable(JobNotRunnable):
    """The job sets a flag whose feature has not landed yet: its runs are refused, never let through."""


def check_runnable(record: JobRecord, user, options: RunOptions | None = None) -> None:
    """Raise PermissionDenied or JobNotRunnable (FeatureUnavailable) when ``user`` may not run ``record`` now.

    ``user`` None means a trusted local caller (the CLI without ``--username``).
    """
    if user is not None and not can(user, "run", record):
        raise PermissionDenied(f"You do not have permission to run the job “{record.name}”.")
    reason = status.not_runnable_reason(record)
    if reason:
        raise JobNotRunnable(reason)
    unavailable = unavailable_flags(record, options or RunOptions())
    if unavailable:
        raise FeatureUnavailable(" ".join(unavailable))


def visible_rows(user):
    """What ObjectVars may offer ``user``: the rows they may view (every row for a trusted caller)."""
    if user is None:
        return None

    def narrow(query):
        try:
            return restrict(query, user, "view")
        except ValueError:  # a model without an object type: no permission reaches it, only superusers
            return query.where(NEVER)

    return narrow


def unavailable_flags(record: JobRecord, options: RunOptions | None = None) -> list[str]:
    """Why the job's flags refuse a run until their features land: singleton."""
    options = options or RunOptions()
    reasons = []
    if record.is_singleton and not options.ignore_singleton_lock:
        reasons.append(SINGLETON_UNAVAILABLE)
    return reasons


def prepare(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None, *, strict=True):
    """Check and validate a run without creating anything; return (job_class, cleaned, queue)."""
    options = options or RunOptions()
    check_runnable(record, user, options)
    try:
        job_class = job_class_for(record)
    except JobLoadError as exc:
        raise JobNotRunnable(f"The job “{record.name}” cannot be loaded: {exc}") from None
    cleaned = validate_data(job_class, data, files, record=record, strict=strict, restrict_rows=visible_rows(user))
    queue = choose_queue(record, options.queue)
    return job_class, cleaned, queue


def create_result(record: JobRecord, user, job_class, cleaned: dict, queue: str, options: RunOptions):
    """A PENDING JobResult with its serialized inputs; returns (result, payload)."""
    with database.atomic():
        result = JobResult.create(
            job_record=record,
            name=record.name,
            task_name=record.class_path,
            user=user if getattr(user, "id", None) is not None else None,
            status=Status.STATUS_PENDING,
            queue=queue,
            options=options.as_dict(queue),
        )
        serialized = serialize_data(job_class, cleaned, result)
        if not record.has_sensitive_variables:
            result.task_kwargs = serialized
            result.save(only=[JobResult.task_kwargs])
    return result, {"data": serialized}


def submit(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None,
           *, strict: bool = True) -> JobResult:
    """Validate and queue a run of ``record`` now, without admission; return its PENDING JobResult.

    Raises PermissionDenied, JobNotRunnable or JobDataError (with per-field errors). Doors call
    ``app.execution.admission.admit`` instead, which also schedules and asks for approval.
    """
    options = options or RunOptions()
    job_class, cleaned, queue = prepare(record, user, data, files, options, strict=strict)
    return queue_run(record, user, job_class, cleaned, queue, options)


def queue_run(record: JobRecord, user, job_class, cleaned: dict, queue: str, options: RunOptions) -> JobResult:
    """A PENDING result for validated inputs, on its queue; JobNotRunnable when the queue refuses it."""
    result, payload = create_result(record, user, job_class, cleaned, queue, options)
    enqueue_result(result, payload)
    return result


def enqueue_result(result: JobResult, payload: dict) -> None:
    """Send a PENDING result to its queue; when that fails, the result is ERRORED and JobNotRunnable raised."""
    from app.queue import enqueue

    try:
        enqueue(result.id, payload, result.queue)
    except Exception as exc:
        status.finish(result, Status.STATUS_ERRORED, traceback=f"The run could not be queued: {exc}")
        raise JobNotRunnable(f"The run could not be queued: {exc}") from exc


def run_in_process(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None,
                   *, strict: bool = True) -> JobResult:
    """Validate and run a job right here, without a worker (``runjob --local``, tests)."""
    from app.execution.runner import execute

    options = options or RunOptions()
    job_class, cleaned, queue = prepare(record, user, data, files, options, strict=strict)
    result, payload = create_result(record, user, job_class, cleaned, queue, options)
    execute(result.id, payload)
    return JobResult.get_by_id(result.id)
