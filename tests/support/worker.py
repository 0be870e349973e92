"""Real worker processes for tests: the ``worker`` and ``worker_factory`` fixtures, and helpers.

``worker`` starts ``run_worker()`` in a subprocess (its own session, so it can be killed as a group)
on the test's Config and waits until its heartbeat row exists. The Config is the one of
``fixture_jobs`` or ``jobdeck`` when the test uses either, else the one another fixture already
configured inside this test's ``tmp_path`` (``live_server``), else ``jobdeck``'s::

    def test_hello(jobdeck, worker):
        record = enable("hello_jobs.HelloJobs")
        result = wait_for_result(submit(record, None, {"person_name": "Ann"}).id)
        assert result.status == "SUCCESS"

The handle (``WorkerProcess``): ``.pid``, ``.name`` (the heartbeat name stored on results),
``.config``, ``.output()`` (its log so far), ``.stop()`` (SIGTERM: stop now, running jobs are
recorded ERRORED), ``.interrupt()`` (SIGINT: finish running jobs, then stop), ``.kill()`` (SIGKILL
to the whole process group, children included), ``.restart()`` and ``.start()``. Whatever happens,
the process group is gone after the test.

``worker_factory(queues=None, workers=2, env=None)`` starts more (or differently configured)
workers on the same Config. Workers poll every 20 ms and beat every 0.5 s; pass
``env={"JOBDECK_WORKER_LOST_AFTER": "2"}`` and the like to change other settings.

``wait_for_result(result_id, timeout=20)`` polls until the result is finished and returns it;
``wait_for_status(result_id, "STARTED")`` waits for given statuses; ``log_messages(result_id)``
lists a result's log messages in order.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import config as config_module
from app.jobs.choices import JobResultStatusChoices as Status
from tests.conftest import REPO
from tests.conftest import config_environment

__all__ = ["WorkerProcess", "log_messages", "wait_for_result", "wait_for_status", "worker_environment"]

STARTUP_TIMEOUT = 30.0
TEST_SETTINGS = {"JOBDECK_WORKER_POLL_INTERVAL": "0.02", "JOBDECK_HEARTBEAT_INTERVAL": "0.5"}


def worker_environment(config, env: dict | None = None) -> dict[str, str]:
    """The environment of a worker subprocess using ``config``."""
    return {
        **os.environ,
        **config_environment(config),
        "JOBDECK_DEFAULT_QUEUE": config.default_queue,
        "JOBDECK_JOB_CREATE_FILE_MAX_SIZE": str(config.job_create_file_max_size),
        "JOBDECK_SANITIZER_PATTERNS": "\n".join(config.sanitizer_patterns),
        "JOBDECK_WORKER_LOST_AFTER": str(config.worker_lost_after),
        **TEST_SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(env or {}),
    }


class WorkerProcess:
    """One ``run_worker()`` subprocess; see the module docstring."""

    def __init__(self, config, log_path: Path, *, queues=None, workers: int = 2, env: dict | None = None):
        self.config = config
        self.log_path = Path(log_path)
        self.queues = list(queues) if queues else None
        self.workers = workers
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def name(self) -> str:
        from app.models import WorkerHeartbeat

        return WorkerHeartbeat.get(WorkerHeartbeat.pid == self.pid).name

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = STARTUP_TIMEOUT) -> WorkerProcess:
        from app.models import WorkerHeartbeat

        code = f"from app.worker import run_worker; run_worker({self.queues!r}, {self.workers!r})"
        with open(self.log_path, "a") as log:
            log.write(f"---- starting worker: {code}\n")
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-c", code], cwd=REPO, env=worker_environment(self.config, self.env),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == self.pid).exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the worker did not start:\n{self.output()}")
            time.sleep(0.02)
        return self

    def _signal(self, signum, timeout: float) -> int | None:
        if not self.alive:
            return self.process.returncode if self.process else None
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker ignored {signal.Signals(signum).name}:\n{self.output()}") from None
        finally:
            self._kill_group()

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM: stop now; running jobs are killed and recorded ERRORED. Returns the exit code."""
        return self._signal(signal.SIGTERM, timeout)

    def interrupt(self, timeout: float = 30) -> int | None:
        """SIGINT (Ctrl-C): let running jobs finish, then stop. Returns the exit code."""
        return self._signal(signal.SIGINT, timeout)

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group (its worker processes and job children)."""
        if self.process is None:
            return
        self._kill_group()
        self.process.wait()

    def _kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def restart(self, timeout: float = STARTUP_TIMEOUT) -> WorkerProcess:
        if self.alive:
            self.stop()
        return self.start(timeout)

    def close(self) -> None:
        if self.process is not None:
            if self.alive:
                try:
                    self.stop(timeout=5)
                except AssertionError:
                    pass
            self._kill_group()


def _test_config(request, tmp_path):
    for name in ("fixture_jobs", "jobdeck"):
        if name in request.fixturenames:
            return request.getfixturevalue(name)
    current = config_module._current
    if current is not None and Path(current.jobs_root).is_relative_to(tmp_path):
        return current  # configured by another fixture of this test (live_server)
    return request.getfixturevalue("jobdeck")


@pytest.fixture
def worker_factory(request, tmp_path):
    """Start workers on the test's Config: ``worker_factory(queues=None, workers=2, env=None)``."""
    config = _test_config(request, tmp_path)
    started: list[WorkerProcess] = []

    def start(queues=None, workers: int = 2, env: dict | None = None) -> WorkerProcess:
        handle = WorkerProcess(config, tmp_path / f"worker-{len(started) + 1}.log",
                               queues=queues, workers=workers, env=env)
        started.append(handle)
        return handle.start()

    yield start
    for handle in started:
        handle.close()


@pytest.fixture
def worker(worker_factory):
    """A running worker (2 processes, default queue) on the test's Config."""
    return worker_factory()


def wait_for_status(result_id, *statuses: str, timeout: float = 20.0):
    """Poll until the result has one of ``statuses``; return it (AssertionError on timeout)."""
    from app.models import JobResult

    deadline = time.monotonic() + timeout
    while True:
        result = JobResult.get_by_id(result_id)
        if result.status in statuses:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"result {result_id} is {result.status}, not {'/'.join(statuses)}, "
                                 f"after {timeout} s")
        time.sleep(0.02)


def wait_for_result(result_id, timeout: float = 20.0):
    """Poll until the result is finished (SUCCESS, FAILURE, ERRORED or REVOKED); return it."""
    return wait_for_status(result_id, *sorted(Status.TERMINAL), timeout=timeout)


def log_messages(result_id) -> list[str]:
    from app.models import JobLogEntry

    query = JobLogEntry.select(JobLogEntry.message).where(JobLogEntry.job_result == result_id)
    return [message for (message,) in query.order_by(JobLogEntry.id).tuples()]


def sleeper_pid(result_id, timeout: float = 10) -> int:
    """The pid of a running Sleeper job's process ("Sleeping for N ms in process PID." is its first line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in log_messages(result_id):
            if message.startswith("Sleeping for"):
                return int(message.rsplit(" ", 1)[1].rstrip("."))
        time.sleep(0.02)
    raise AssertionError("the job never logged its process id")
