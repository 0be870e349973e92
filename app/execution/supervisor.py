"""Supervising one run: a forked child per job, its time limits, its cancellation and its crashes.

``supervise(result_id, payload)`` runs in a Huey worker process. It marks the result STARTED, forks,
and waits. The child binds its own database connection and calls ``runner.execute``; the parent
never imports job modules, so every run sees the job's current source. While it waits, the parent
signals the child at the soft limit (``SoftTimeLimitExceeded`` is raised inside the job), kills it
at the hard limit or when the result is cancelled, and records ERRORED when the child dies early.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import threading
import time
import traceback

from peewee import JOIN

from app import db
from app.config import get_config
from app.exceptions import SoftTimeLimitExceeded
from app.execution import runner
from app.execution import status
from app.execution.cancel import request_cancel
from app.execution.joblog import append_line
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices
from app.models import JobRecord
from app.models import JobResult

__all__ = ["SOFT_LIMIT_SIGNAL", "request_cancel", "set_worker_name", "supervise", "worker_name"]

log = logging.getLogger(__name__)

SOFT_LIMIT_SIGNAL = signal.SIGUSR1
# How often a waiting supervisor looks for a cancellation (and for its own stop request).
CHECK_INTERVAL = 0.25

_worker_name: str | None = None


def set_worker_name(name: str) -> None:
    """The name recorded on results this process runs (the worker's heartbeat name)."""
    global _worker_name
    _worker_name = name


def worker_name() -> str:
    return _worker_name or runner.worker_name()


def supervise(result_id, payload: dict) -> str | None:
    """Run one result's job in a supervised child; return the reason it was stopped, if any."""
    run = _Supervision(result_id, payload)
    # Huey's consumer sends SIGTERM to stop now; Huey's own handler would raise KeyboardInterrupt
    # anywhere in here, so a flag is set instead and the waiting loop kills the child and records why.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, run.on_stop) if main_thread else None
    try:
        return run.start()
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


class _Supervision:
    def __init__(self, result_id, payload):
        self.result_id = result_id
        self.payload = payload
        self.soft = self.hard = 0.0
        self.stop_signal = None

    def on_stop(self, signum, frame):
        self.stop_signal = signum

    def start(self) -> str | None:
        # Only the columns needed here: this runs once per job, and a full JobRecord is ~60 columns.
        result = (
            JobResult.select(JobResult.id, JobResult.status, JobRecord.id, JobRecord.name, JobRecord.enabled,
                             JobRecord.installed, JobRecord.soft_time_limit, JobRecord.time_limit)
            .join(JobRecord, JOIN.LEFT_OUTER)
            .where(JobResult.id == self.result_id)
            .first()
        )
        if result is None:
            log.warning("job result %s no longer exists; nothing to run", self.result_id)
            return None
        if result.status != Status.STATUS_PENDING:
            return None  # cancelled (REVOKED) before a worker took it, or already run
        reason = status.not_runnable_reason(result.job_record)
        if reason:
            status.finish(result, Status.STATUS_ERRORED, traceback=reason)
            return reason
        self.soft, self.hard = result.job_record.effective_time_limits()
        if not status.mark_started(result, worker_name()):
            return None
        if self.stop_signal is not None:
            reason = f"the worker was stopped ({signal.Signals(self.stop_signal).name}) before the job started"
            self._record(Status.STATUS_ERRORED, reason)
            return reason
        return self._run()

    def _run(self) -> str | None:
        done_r, done_w = os.pipe()
        # The child must open its own connection: SQLite connections do not survive fork().
        db.database.close()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(done_r)
            _child(self.result_id, self.payload, self.soft, done_w)
        os.close(done_w)
        wait_status, reason = self._watch(pid)
        finished = os.read(done_r, 1) == b"1"
        os.close(done_r)
        if reason is None:
            reason = self._exit_reason(wait_status, finished)
        if reason and reason != "cancelled":
            self._record(Status.STATUS_ERRORED, reason)
        return reason

    def _watch(self, pid) -> tuple[int, str | None]:
        """Wait for the child, enforcing limits; return (wait status, why we killed it or None)."""
        waiter = _ExitWaiter(pid)
        start = time.monotonic()
        soft_at = start + self.soft if self.soft < self.hard else None
        hard_at = start + self.hard
        next_check = start + CHECK_INTERVAL
        reason = None
        try:
            while True:
                deadline = min(hard_at, next_check, soft_at or hard_at)
                wait_status = waiter.wait(deadline - time.monotonic())
                if wait_status is not None:
                    return wait_status, reason
                now = time.monotonic()
                if self.stop_signal is not None:
                    reason = f"the worker was stopped ({signal.Signals(self.stop_signal).name}) while the job ran"
                elif now >= hard_at:
                    reason = f"time limit exceeded ({self.hard:g}s): the job process was killed"
                elif now >= next_check:
                    next_check = now + CHECK_INTERVAL
                    if self._cancelled():
                        reason = "cancelled"
                if reason is not None:
                    _kill(pid)
                    return waiter.wait(None), reason
                if soft_at is not None and now >= soft_at:
                    soft_at = None
                    _signal(pid, SOFT_LIMIT_SIGNAL)
        finally:
            waiter.close()

    def _cancelled(self) -> bool:
        try:
            current = JobResult.select(JobResult.status).where(JobResult.id == self.result_id).scalar()
        except Exception:
            log.exception("could not check whether result %s was cancelled", self.result_id)
            return False
        return current == Status.STATUS_REVOKED

    @staticmethod
    def _exit_reason(wait_status: int, finished: bool) -> str | None:
        if os.WIFSIGNALED(wait_status):
            number = os.WTERMSIG(wait_status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = str(number)
            return f"the job process was killed by signal {name}"
        code = os.waitstatus_to_exitcode(wait_status)
        if code != 0:
            return f"the job process exited with code {code}"
        return None if finished else "the job process exited (code 0) before the job finished"

    def _record(self, final: str, reason: str) -> None:
        try:
            # One transaction: whoever sees the final status also sees the line saying why.
            with db.database.atomic():
                recorded = status.finish_by_id(self.result_id, final, traceback=reason)
                if recorded:
                    append_line(self.result_id, LogLevelChoices.LOG_ERROR, _sentence(reason), "supervisor")
            if recorded:
                log.warning("result %s %s: %s", self.result_id, final, reason)
        except Exception:
            log.exception("could not record why result %s stopped (%s)", self.result_id, reason)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


class _ExitWaiter:
    """Waits for a child's exit with a timeout: a pidfd where the OS has them, else short sleeps."""

    def __init__(self, pid: int):
        self.pid = pid
        self.poller = None
        self.fd = None
        try:
            self.fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            return
        self.poller = select.poll()
        self.poller.register(self.fd, select.POLLIN)

    def wait(self, timeout: float | None) -> int | None:
        """The child's wait status, or None if it is still running after ``timeout`` seconds."""
        if timeout is None:
            return os.waitpid(self.pid, 0)[1]
        end = time.monotonic() + max(timeout, 0)
        while True:
            pid, wait_status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return wait_status
            left = end - time.monotonic()
            if left <= 0:
                return None
            if self.poller is not None:
                self.poller.poll(left * 1000)
            else:
                time.sleep(min(left, 0.005))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _signal(pid: int, signum) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _kill(pid: int) -> None:
    _signal(pid, signal.SIGKILL)


def _in_job_code(frame) -> bool:
    """Whether the lifecycle (the job's own methods) is on the stack."""
    lifecycle = getattr(runner, "_lifecycle", None)
    if lifecycle is None:
        return True
    while frame is not None:
        if frame.f_code is lifecycle.__code__:
            return True
        frame = frame.f_back
    return False


def _child(result_id, payload, soft: float, done_w: int):
    """The forked child: run the job and leave with os._exit (never return into Huey)."""
    code = 1
    try:
        def soft_limit(signum, frame):
            signal.signal(SOFT_LIMIT_SIGNAL, signal.SIG_IGN)
            if _in_job_code(frame):
                raise SoftTimeLimitExceeded(f"soft time limit ({soft:g}s) exceeded")
            # Raised in the runner's own bookkeeping it would turn a finished run into a crash; the
            # hard limit still applies.

        signal.signal(SOFT_LIMIT_SIGNAL, soft_limit)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # SIGINT stays ignored as in the Huey worker: Ctrl-C asks for a graceful stop, so jobs finish.
        db.bind(get_config().database_url)
        runner.execute(result_id, payload, worker=worker_name())
        os.write(done_w, b"1")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - nothing may unwind into the Huey loop copied into this child
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
