"""Submitting a run: the one path every door (form, API, CLI, tests) goes through.

1. permission and enabled/installed checks, 2. validation through the job's generated form,
3. serialization, 4. a PENDING JobResult, 5. the task on the chosen queue.
"""

from __future__ import annotations

import dataclasses

from app.catalog import job_class_for
from app.db import database
from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution import status
from app.execution.payload import serialize_data
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.forms import JobDataError
from app.jobs.forms import validate_data
from app.models import JobRecord
from app.models import JobResult
from app.security import PermissionDenied
from app.security import can
from app.security import restrict
from app.security.constraints import NEVER


@dataclasses.dataclass
class RunOptions:
    """How to run, as opposed to what with: the queue and the flags around the job's inputs."""

    queue: str | None = None
    profile: bool = False
    ignore_singleton_lock: bool = False
    request_meta: dict = dataclasses.field(default_factory=dict)

    def as_dict(self, queue: str) -> dict:
        return {
            "queue": queue,
            "profile": self.profile,
            "ignore_singleton_lock": self.ignore_singleton_lock,
            "request_meta": self.request_meta,
        }


def check_runnable(record: JobRecord, user) -> None:
    """Raise PermissionDenied or JobNotRunnable when ``user`` may not run ``record`` now.

    ``user`` None means a trusted local caller (the CLI without ``--username``).
    """
    if user is not None and not can(user, "run", record):
        raise PermissionDenied(f"You do not have permission to run the job “{record.name}”.")
    reason = status.not_runnable_reason(record)
    if reason:
        raise JobNotRunnable(reason)


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


def choose_queue(record: JobRecord, requested: str | None) -> str:
    queues = record.queues
    if not requested:
        return queues[0]
    if requested not in queues:
        message = f"{requested!r} is not a queue of this job (choose from {', '.join(queues)})."
        raise JobDataError({"task_queue": [message]})
    return requested


def prepare(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None, *, strict=True):
    """Check and validate a run without creating anything; return (job_class, cleaned, queue)."""
    options = options or RunOptions()
    check_runnable(record, user)
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
    """Validate and queue a run of ``record``; return its PENDING JobResult.

    Raises PermissionDenied, JobNotRunnable or JobDataError (with per-field errors).
    """
    options = options or RunOptions()
    job_class, cleaned, queue = prepare(record, user, data, files, options, strict=strict)
    result, payload = create_result(record, user, job_class, cleaned, queue, options)
    from app.queue import enqueue

    try:
        enqueue(result.id, payload, queue)
    except Exception as exc:
        status.finish(result, Status.STATUS_ERRORED, traceback=f"The run could not be queued: {exc}")
        raise JobNotRunnable(f"The run could not be queued: {exc}") from exc
    return result


def run_in_process(record: JobRecord, user, data=None, files=None, options: RunOptions | None = None,
                   *, strict: bool = True) -> JobResult:
    """Validate and run a job right here, without a worker (``runjob --local``, tests)."""
    from app.execution.runner import execute

    options = options or RunOptions()
    job_class, cleaned, queue = prepare(record, user, data, files, options, strict=strict)
    result, payload = create_result(record, user, job_class, cleaned, queue, options)
    execute(result.id, payload)
    return JobResult.get_by_id(result.id)
