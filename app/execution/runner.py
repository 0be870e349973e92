"""Running one job: the only place a job's exceptions become statuses.

``run(result, payload, sink)`` loads the job's current source, rebuilds its inputs, runs the
lifecycle (before_start → run → on_success | on_failure → after_return) with its log attached, and
reports lines, files and the outcome to a sink (``app.execution.events``). A worker's forked job
process runs it with a ``PipeSink`` (its supervisor stores what it sends); ``execute(result_id,
payload)``, for ``runjob --local`` and the testing helpers, runs it here with a ``DirectSink``.
"""

from __future__ import annotations

import cProfile
import logging
import os
import socket
import tempfile
import traceback
from pathlib import Path

from app.catalog import job_class_for
from app.config import get_config
from app.exceptions import JobLoadError
from app.execution import status
from app.execution.approvals import approved_code_changed
from app.execution.events import DirectSink
from app.execution.joblog import attach_job_log
from app.execution.payload import deserialize_data
from app.jobs.base import RequestContext
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.logger import get_job_logger
from app.models import FileProxy
from app.models import JobResult
from app.objects import change_context
from app.sources import pin_run

log = logging.getLogger(__name__)

CODE_CHANGED_SINCE_APPROVAL = ("The job's code has changed since another user approved this run, so it was not run: "
                               "what runs must be what was approved. Request a new run for approval.")


class SystemUser:
    """Who runs a job started without a user (``runjob`` without ``--username``, system tasks)."""

    id = None
    pk = None
    username = "jobdeck-system"
    email = ""
    first_name = "Jobdeck"
    last_name = "System"
    is_staff = True
    is_superuser = True
    is_active = True
    is_authenticated = True
    is_anonymous = False

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def __str__(self):
        return self.username


SYSTEM_USER = SystemUser()


class ExceptionInfo:
    """What ``on_failure`` and ``after_return`` receive as ``einfo``."""

    def __init__(self, exc: BaseException):
        self.exception = exc
        self.type = type(exc)
        self.tb = exc.__traceback__
        self.traceback = "".join(traceback.format_exception(exc)).rstrip()

    def __str__(self):
        return self.traceback


class RunContext:
    """Storage the running job reaches through ``self.create_file()``."""

    def __init__(self, sink):
        self.sink = sink
        self.max_size = get_config().job_create_file_max_size

    def create_file(self, filename: str, data: bytes) -> FileProxy:
        name = Path(str(filename)).name
        if not name:
            raise ValueError("create_file() needs a file name")
        if len(data) > self.max_size:
            raise ValueError(
                f"{name} is {len(data):,} bytes, over the {self.max_size:,}-byte limit "
                "(JOBDECK_JOB_CREATE_FILE_MAX_SIZE)"
            )
        return self.sink.store_file(name, data)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(result_id, payload: dict | None = None, *, worker: str | None = None) -> str:
    """Run the job of a PENDING or STARTED result here, storing as it goes; return the final status."""
    result = JobResult.get_or_none(JobResult.id == result_id)
    if result is None:
        log.warning("job result %s no longer exists; nothing to run", result_id)
        return Status.STATUS_ERRORED
    if result.is_finished:
        return result.status
    reason = status.not_runnable_reason(result.job_record) or pin_run(result)
    if reason:
        status.finish(result, Status.STATUS_ERRORED, traceback=reason)
        return Status.STATUS_ERRORED
    if result.status == Status.STATUS_PENDING and not status.mark_started(result, worker or worker_name()):
        return JobResult.get_by_id(result_id).status
    return run(result, payload or {}, DirectSink(result))


def run(result: JobResult, payload: dict, sink, *, input_files: dict | None = None) -> str:
    """Run a STARTED result's job, reporting its log, files and outcome to ``sink``; return the status.

    A worker's job process gets ``result`` with its job record and user attached and its uploads in
    ``input_files`` (FileProxy id → (name, content)), so it runs a job without a query of its own.
    """
    try:
        final, retval, trace = _run(result, payload, sink, input_files)
    finally:
        sink.close()  # every line is stored before the status
    sink.finish(final, retval, trace)
    return final


def _run(result, payload, sink, input_files):
    record = result.job_record
    try:
        job_class = job_class_for(record)
    except JobLoadError as exc:
        return Status.STATUS_ERRORED, None, f"The job could not be loaded: {exc}"
    if approved_code_changed(record, result.options):
        return Status.STATUS_ERRORED, None, CODE_CHANGED_SINCE_APPROVAL
    with attach_job_log(sink):
        return _run_lifecycle(job_class, result, record, payload, sink, input_files)


def _run_lifecycle(job_class, result, record, payload, sink, input_files):
    logger = get_job_logger(job_class.class_path)
    logger.info("Running job", extra={"grouping": "initialization", "object": record})
    soft, hard = record.effective_time_limits()
    if hard <= soft:
        logger.warning(
            "time_limit (%gs) is not greater than soft_time_limit (%gs): the job will be stopped without "
            "warning before SoftTimeLimitExceeded can be raised",
            hard, soft, extra={"grouping": "initialization"},
        )
    try:
        kwargs = deserialize_data(job_class, payload.get("data") or {}, result, files=input_files)
    except Exception as exc:
        logger.error("Could not rebuild the job's inputs: %s", exc, extra={"grouping": "initialization"})
        return Status.STATUS_ERRORED, None, f"The job's inputs could not be loaded: {exc}"

    options = result.options or {}
    job = job_class()
    job.job_result = result
    job.user = result.user or SYSTEM_USER
    job.request = RequestContext(id=str(result.id), user=job.user, META=options.get("request_meta"))
    job._context = RunContext(sink)

    with change_context.job_run(result):  # objects the job changes are logged with its result
        if options.get("profile"):
            profiler = cProfile.Profile()
            outcome = profiler.runcall(_lifecycle, job, str(result.id), kwargs, logger)
            _save_profile(profiler, result, logger, sink)
        else:
            outcome = _lifecycle(job, str(result.id), kwargs, logger)
    return outcome


def _lifecycle(job, task_id: str, kwargs: dict, logger):
    """before_start → run → on_success | on_failure → after_return; returns (status, retval, traceback)."""
    args = ()
    retval = None
    einfo = None
    exc = None
    try:
        job.before_start(task_id, args, kwargs)
        retval = job.run(**kwargs)
    except Exception as error:  # SoftTimeLimitExceeded included: the job failed on its own terms
        exc = error
        einfo = ExceptionInfo(error)
        logger.error("%s: %s", type(error).__name__, error, extra={"grouping": "run"})
    failed = exc is not None or job.failed
    final = Status.STATUS_FAILURE if failed else Status.STATUS_SUCCESS
    try:
        if failed:
            job.on_failure(exc if exc is not None else retval, task_id, args, kwargs, einfo)
        else:
            job.on_success(retval, task_id, args, kwargs)
    except Exception as error:
        final, einfo = Status.STATUS_FAILURE, einfo or ExceptionInfo(error)
        logger.error("%s raised in %s: %s", type(error).__name__, "on_failure" if failed else "on_success",
                     error, extra={"grouping": "post_run"})
    try:
        job.after_return(final, exc if exc is not None else retval, task_id, args, kwargs, einfo)
    except Exception as error:
        final, einfo = Status.STATUS_FAILURE, einfo or ExceptionInfo(error)
        logger.error("%s raised in after_return: %s", type(error).__name__, error, extra={"grouping": "post_run"})
    if final == Status.STATUS_SUCCESS:
        logger.success("Job completed", extra={"grouping": "post_run"})
    else:
        logger.failure("Job failed", extra={"grouping": "post_run"})
    return final, (retval if exc is None else None), (einfo.traceback if einfo else None)


def _save_profile(profiler, result, logger, sink) -> None:
    path = Path(tempfile.gettempdir()) / f"job-result-{result.id}.pstats"
    profiler.dump_stats(path)
    logger.info("Wrote profiling information to %s", path, extra={"grouping": "profiling"})
    sink.store_file(path.name, path.read_bytes())
