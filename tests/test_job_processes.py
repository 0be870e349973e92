"""Nothing a job starts outlives its run: cancel, the hard limit, a killed job process, a stop, an exit.

The ``spawner.Spawner`` fixture job starts ``sleep`` as a child and as a grandchild (under ``sh``,
optionally in a session of its own) and logs their pids; each test ends the run one way and checks
that every one of those processes is gone within 5 seconds.
"""

from __future__ import annotations

import os
import signal

import pytest

from app.execution.cancel import request_cancel
from app.execution.reaper import pid_alive
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from tests.conftest import enable
from tests.support.processes import spawned
from tests.support.processes import still_running
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.support.worker import wait_for_status


def start_spawner(milliseconds=60_000, *, detach=False, hard=None):
    record = enable("spawner.Spawner")
    if hard is not None:
        record.time_limit, record.time_limit_override = hard, True
        record.save()
    result = submit(record, None, {"milliseconds": milliseconds, "detach": detach})
    wait_for_status(result.id, Status.STATUS_STARTED, *sorted(Status.TERMINAL))
    return result.id


@pytest.mark.parametrize("detach", [False, True], ids=["same-session", "own-session"])
def test_cancel_ends_every_process_the_job_started(fixture_jobs, worker, detach):
    result_id = start_spawner(detach=detach)
    job, pids = spawned(result_id)
    assert request_cancel(result_id) is True
    assert still_running([job, *pids]) == set()
    assert JobResult.get_by_id(result_id).status == Status.STATUS_REVOKED


def test_the_hard_time_limit_ends_every_process_the_job_started(fixture_jobs, worker):
    result_id = start_spawner(hard=2)
    job, pids = spawned(result_id)
    result = wait_for_result(result_id)
    assert result.status == Status.STATUS_ERRORED and "time limit exceeded" in result.traceback
    assert still_running([job, *pids]) == set()


@pytest.mark.parametrize("detach", [False, True], ids=["same-session", "own-session"])
def test_a_killed_job_process_takes_what_it_started_with_it(fixture_jobs, worker, detach):
    result_id = start_spawner(detach=detach)
    job, pids = spawned(result_id)
    os.kill(job, signal.SIGKILL)
    assert still_running(pids) == set()
    result = wait_for_result(result_id)
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback == "the job process was killed by signal SIGKILL"


def test_a_job_that_returns_leaves_no_process_behind(fixture_jobs, worker):
    result_id = start_spawner(milliseconds=0)
    result = wait_for_result(result_id)
    assert result.status == Status.STATUS_SUCCESS
    job, pids = spawned(result_id)
    assert result.result == pids
    assert still_running(pids) == set()


def test_a_stopped_worker_leaves_no_process_behind(fixture_jobs, worker):
    # In a session of its own: the test harness kills the worker's process group after a stop.
    result_id = start_spawner(detach=True)
    job, pids = spawned(result_id)
    assert worker.stop() == 0
    assert still_running([job, *pids]) == set()
    assert JobResult.get_by_id(result_id).traceback == "the worker was stopped (SIGTERM) while the job ran"


def test_the_soft_limit_signals_the_job_process_only(fixture_jobs, worker):
    record = JobRecord.get_for_class_path("spawner.Spawner")
    record.soft_time_limit, record.soft_time_limit_override = 1, True
    record.save()
    result_id = start_spawner(milliseconds=3000)
    job, pids = spawned(result_id)
    result = wait_for_result(result_id)
    assert result.status == Status.STATUS_FAILURE and "SoftTimeLimitExceeded" in result.traceback
    assert "Soft time limit: my processes are running." in log_messages(result_id)
    assert still_running(pids) == set()  # then killed with the group as the run ended


def test_a_job_process_whose_parent_died_before_it_could_watch_it_exits():
    from app.execution import process_tree

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            process_tree.detach_job_process(parent_pid=1)  # not our parent: as if it had died already
        finally:
            os._exit(0)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 1


def test_children_and_reap_leftovers():
    import subprocess

    from app.execution import process_tree

    sleeper = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    try:
        assert sleeper.pid in process_tree.children()
        assert process_tree.reap_leftovers(keep={sleeper.pid}) == 0 and pid_alive(sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
