"""Supervising one run: a forked child per job, its time limits, its cancellation and its crashes.

``supervise(result_id, payload)`` runs in a Huey worker process. It loads the result with its job
record, user and uploads, marks it STARTED, forks, and waits. The child (``app.execution.child``)
runs the job from what it inherited and sends its log lines, files and outcome on a pipe; the
parent stores them (``app.execution.recorder``) and never imports job modules, so every run sees
the job's current source. While it waits, the parent signals the child at the soft limit
(``SoftTimeLimitExceeded`` is raised inside the job), kills it at the hard limit or when the result
is cancelled, and records ERRORED when the child dies early.

The child leads its own session and dies with this process (``app.execution.process_tree``). However
it ends, its whole process group is killed and reaped, and so is whatever it left behind elsewhere
(this process is a child subreaper), so nothing a job started outlives the run.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import threading
import time

from app import db
from app.config import get_config
from app.execution import runner
from app.execution import status
from app.execution.cancel import request_cancel
from app.execution.child import SOFT_LIMIT_SIGNAL
from app.execution.child import run_child
from app.execution.process_tree import kill_group
from app.execution.process_tree import reap_leftovers
from app.execution.recorder import RunRecorder
from app.execution.snapshot import load_input_files
from app.execution.snapshot import load_run
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobResult
from app.sources import pin_run

__all__ = ["SOFT_LIMIT_SIGNAL", "request_cancel", "set_worker_name", "supervise", "worker_name"]

log = logging.getLogger(__name__)

# How often a waiting supervisor looks for a cancellation (and for its own stop request).
CHECK_INTERVAL = 0.25
# Where the OS has no pidfd, how often a waiting supervisor looks for its child's exit.
POLL_FALLBACK = 0.005
# Bytes read from a job's pipe at a time (its default capacity).
READ_SIZE = 1 << 16

_worker_name: str | None = None
_child_database = None  # (url, Database): see _database_for_children()


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
        # Everything the job process needs, read here: it then runs the job without a query of its own.
        result = load_run(self.result_id)
        if result is None:
            log.warning("job result %s no longer exists; nothing to run", self.result_id)
            return None
        if result.status != Status.STATUS_PENDING:
            return None  # cancelled (REVOKED) before a worker took it, or already run
        reason = status.not_runnable_reason(result.job_record) or pin_run(result)
        if reason:
            status.finish(result, Status.STATUS_ERRORED, traceback=reason)
            return reason
        self.soft, self.hard = result.job_record.effective_time_limits()
        input_files = load_input_files(result.id, self.payload.get("data") or {})
        if not status.mark_started(result, worker_name(), os.getpid()):
            return None
        if self.stop_signal is not None:
            reason = f"the worker was stopped ({signal.Signals(self.stop_signal).name}) before the job started"
            return RunRecorder(result.id, drop_inputs=bool(input_files)).settle(reason)
        return self._run(result, input_files)

    def _run(self, result, input_files) -> str | None:
        read_fd, write_fd = os.pipe()
        database = _database_for_children()
        # SQLite connections must not cross fork(): the child opens its own, if its job queries.
        db.database.close()
        sys.stdout.flush()
        sys.stderr.flush()
        recorder = RunRecorder(result.id, drop_inputs=bool(input_files))
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            return recorder.settle(f"the job process could not be started: {exc}")
        if pid == 0:
            os.close(read_fd)
            run_child(result, self.payload, input_files, self.soft, write_fd, database, parent)
        os.close(write_fd)
        try:
            wait_status, reason = self._watch(pid, _ChildWatcher(pid, read_fd, recorder.feed), recorder)
        finally:
            os.close(read_fd)
            reap_leftovers()  # what the job started outside its group, re-parented here
        return recorder.settle(reason or _exit_reason(wait_status))

    def _watch(self, pid, watcher, recorder) -> tuple[int, str | None]:
        """Wait for the child, storing what it sends and enforcing limits; return (wait status, why we
        killed it or None)."""
        start = time.monotonic()
        soft_at = start + self.soft if self.soft < self.hard else None
        hard_at = start + self.hard
        next_check = start + CHECK_INTERVAL
        reason = None
        try:
            while True:
                deadline = min(hard_at, next_check, soft_at or hard_at, recorder.flush_at or hard_at)
                wait_status = watcher.wait(deadline - time.monotonic())
                if wait_status is not None:
                    return wait_status, reason
                now = time.monotonic()
                if recorder.due(now):
                    recorder.flush()
                if self.stop_signal is not None:
                    reason = f"the worker was stopped ({signal.Signals(self.stop_signal).name}) while the job ran"
                elif now >= hard_at:
                    reason = f"time limit exceeded ({self.hard:g}s): the job process was killed"
                elif now >= next_check:
                    next_check = now + CHECK_INTERVAL
                    if self._cancelled():
                        reason = "cancelled"
                if reason is not None:
                    kill_group(pid)
                    return watcher.wait(None), reason
                if soft_at is not None and now >= soft_at:
                    soft_at = None
                    _signal(pid, SOFT_LIMIT_SIGNAL)
        finally:
            watcher.close()

    def _cancelled(self) -> bool:
        try:
            current = JobResult.select(JobResult.status).where(JobResult.id == self.result_id).scalar()
        except Exception:
            log.exception("could not check whether result %s was cancelled", self.result_id)
            return False
        return current == Status.STATUS_REVOKED


def _database_for_children():
    """The unconnected Database every job process of this worker process starts from."""
    global _child_database
    url = get_config().database_url
    if _child_database is None or _child_database[0] != url:
        _child_database = (url, db.open_database(url))
    return _child_database[1]


def _exit_reason(wait_status: int) -> str | None:
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"the job process was killed by signal {name}"
    code = os.waitstatus_to_exitcode(wait_status)
    return f"the job process exited with code {code}" if code != 0 else None


class _ChildWatcher:
    """Waits for a job process to exit while reading its pipe into ``on_data``.

    Uses a pidfd where the OS has them, else short sleeps. ``on_data`` returns True when what it
    holds should be stored now, which ends a ``wait()`` early. Once the job process has exited, its
    process group is killed before the process is reaped: until then its pid, which names the
    group, cannot be taken by another process.
    """

    def __init__(self, pid: int, pipe: int, on_data):
        self.pid = pid
        self.pipe = pipe
        self.on_data = on_data
        self.poller = select.poll()
        os.set_blocking(pipe, False)
        self.poller.register(pipe, select.POLLIN)
        self.pipe_open = True
        self.fd = None
        try:
            self.fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            return
        self.poller.register(self.fd, select.POLLIN)

    def wait(self, timeout: float | None) -> int | None:
        """The child's wait status once it has exited (and its pipe is read), or None after
        ``timeout`` seconds (None: no limit), or sooner when ``on_data`` asks for it."""
        end = None if timeout is None else time.monotonic() + max(timeout, 0)
        while True:
            if os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                kill_group(self.pid)
                wait_status = os.waitpid(self.pid, 0)[1]
                self._read()
                return wait_status
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                return None
            if self.fd is None:
                left = POLL_FALLBACK if left is None else min(left, POLL_FALLBACK)
            ready = self.poller.poll(None if left is None else left * 1000)
            if self.pipe_open and any(fd == self.pipe for fd, _ in ready):
                if self._read() and end is not None:
                    return None

    def _read(self) -> bool:
        """Read what the pipe holds now; True when ``on_data`` wants it stored."""
        due = False
        while self.pipe_open:
            try:
                data = os.read(self.pipe, READ_SIZE)
            except BlockingIOError:
                break
            if not data:  # every writer closed it
                self.poller.unregister(self.pipe)
                self.pipe_open = False
                break
            due = self.on_data(data) or due
        return due

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _signal(pid: int, signum) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
