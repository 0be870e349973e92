"""The worker process itself: heartbeat, shutdown, lost workers, queues, pickup latency, the queue."""

from __future__ import annotations

import datetime
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.db import utcnow
from app.execution import reaper
from app.execution.submit import RunOptions
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from app.models import WorkerHeartbeat
from tests.conftest import enable
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.support.processes import parent_of
from tests.support.processes import spawned
from tests.support.processes import still_running
from tests.support.worker import WorkerProcess
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.support.worker import wait_for_status
from tests.support.worker import worker_environment

HOST = socket.gethostname()


def start_sleeper(milliseconds=60_000):
    result = submit(JobRecord.get_for_class_path("sleeper.Sleeper"), None, {"milliseconds": milliseconds})
    return wait_for_status(result.id, Status.STATUS_STARTED)


def started_result(worker_name, *, started_ago=0.0, record=None):
    """A STARTED result as a worker would leave it, without any process behind it."""
    record = record or JobRecord.get_for_class_path("noop.Noop")
    return JobResult.create(job_record=record, name=record.name, status=Status.STATUS_STARTED, worker=worker_name,
                            date_started=utcnow() - datetime.timedelta(seconds=started_ago))


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


# -- heartbeat and shutdown -------------------------------------------------------------------------


def test_the_worker_registers_beats_and_unregisters(fixture_jobs, worker):
    beat = WorkerHeartbeat.get(WorkerHeartbeat.pid == worker.pid)
    assert beat.name == f"{HOST}:{worker.pid}" and beat.hostname == HOST and beat.queues == ["default"]
    deadline = time.monotonic() + 5
    while WorkerHeartbeat.get_by_id(beat.id).last_seen == beat.last_seen:
        assert time.monotonic() < deadline, "the heartbeat never moved"
        time.sleep(0.05)
    assert worker.interrupt() == 0
    assert not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == worker.pid).exists()


def test_ctrl_c_lets_the_running_job_finish(fixture_jobs, worker):
    enable("sleeper.Sleeper")
    result = start_sleeper(milliseconds=1500)
    assert worker.interrupt() == 0
    result = JobResult.get_by_id(result.id)
    assert result.status == Status.STATUS_SUCCESS and "Woke up." in log_messages(result.id)


def test_sigterm_stops_now_and_records_the_running_job(fixture_jobs, worker):
    enable("sleeper.Sleeper")
    result = start_sleeper()
    began = time.monotonic()
    assert worker.stop() == 0
    assert time.monotonic() - began < 5
    result = JobResult.get_by_id(result.id)
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback == "the worker was stopped (SIGTERM) while the job ran"
    assert not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == worker.pid).exists()


# -- lost workers -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_killed_worker_s_run_is_errored_when_a_worker_starts_again(fixture_jobs, worker):
    enable("sleeper.Sleeper")
    result = start_sleeper()
    lost_name = worker.name
    worker.kill()  # SIGKILL to the whole group: consumer, worker processes and the job process
    time.sleep(0.5)
    assert JobResult.get_by_id(result.id).status == Status.STATUS_STARTED  # nobody left to record it
    worker.start()
    result = wait_for_result(result.id, timeout=10)
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback.startswith(f"worker lost: {lost_name} stopped while the job ran")
    # Its row stays a while, so the workers page can show it dead (tests/test_workers.py).


def test_a_job_dies_with_its_worker_process_and_its_run_is_errored_in_time(fixture_jobs, worker_factory):
    lost_after = 3.0
    worker = worker_factory(env={"JOBDECK_WORKER_LOST_AFTER": str(lost_after)})
    enable("spawner.Spawner")
    result = submit(JobRecord.get_for_class_path("spawner.Spawner"), None, {"milliseconds": 60_000})
    wait_for_status(result.id, Status.STATUS_STARTED)
    job, started = spawned(result.id)
    supervisor = parent_of(job)
    assert supervisor in _children_of(worker.pid)  # a Huey worker process of this worker
    os.kill(supervisor, signal.SIGKILL)  # that process only: the worker's main process lives on
    killed_at = time.monotonic()
    result = wait_for_result(result.id, timeout=lost_after + 10)
    assert time.monotonic() - killed_at < lost_after
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback.startswith(f"worker lost: {worker.name} stopped while the job ran")
    assert f"its supervising process {supervisor} on {HOST} is no longer running" in result.traceback
    assert result.supervisor_pid == supervisor
    assert still_running([job, *started]) == set()
    assert worker.alive
    enable("noop.Noop")  # Huey's consumer restarts the lost worker process; runs go on
    assert wait_for_result(submit(JobRecord.get_for_class_path("noop.Noop"), None, {}).id, timeout=30).status == (
        Status.STATUS_SUCCESS)


def test_a_running_worker_reaps_runs_of_a_silent_worker_elsewhere(fixture_jobs, worker):
    old = utcnow() - datetime.timedelta(minutes=5)
    WorkerHeartbeat.create(name="elsewhere:4242", hostname="elsewhere", pid=4242, started=old, last_seen=old)
    orphan = started_result("elsewhere:4242")
    result = wait_for_result(orphan.id, timeout=10)
    assert result.status == Status.STATUS_ERRORED and "no heartbeat since" in result.traceback
    assert "Worker lost: elsewhere:4242" in log_messages(orphan.id)[-1]


def test_reaper_rules(fixture_jobs):
    alive_here = started_result(f"{HOST}:{os.getpid()}")  # e.g. runjob --local in a live process
    dead_here = started_result(f"{HOST}:{dead_pid()}")
    now = utcnow()
    WorkerHeartbeat.create(name="fresh:1", hostname="fresh", pid=1, last_seen=now)
    fresh = started_result("fresh:1", started_ago=3600)
    unknown_recent = started_result("nowhere:7", started_ago=5)
    unknown_overdue = started_result("nowhere:8", started_ago=600 + 45 + 60)  # past time_limit + grace
    reaped = set(reaper.reap())
    assert reaped == {str(dead_here.id), str(unknown_overdue.id)}
    for kept in (alive_here, fresh, unknown_recent):
        assert JobResult.get_by_id(kept.id).status == Status.STATUS_STARTED
    assert "outlived its time limit" in JobResult.get_by_id(unknown_overdue.id).traceback


def test_reaper_rules_for_a_recorded_supervising_process(fixture_jobs):
    now = utcnow()
    WorkerHeartbeat.create(name=f"{HOST}:{os.getpid()}", hostname=HOST, pid=os.getpid(), last_seen=now)
    lost_supervisor = started_result(f"{HOST}:{os.getpid()}")  # its worker beats, its supervisor is gone
    lost_supervisor.supervisor_pid = dead_pid()
    lost_supervisor.save()
    WorkerHeartbeat.create(name=f"{HOST}:{dead_pid()}", hostname=HOST, pid=dead_pid(), last_seen=now)
    watched = started_result(f"{HOST}:{dead_pid()}")  # its worker died, its supervisor still watches it
    watched.supervisor_pid = os.getpid()
    watched.save()
    reused = started_result(f"{HOST}:{os.getpid()}")
    sleeper = subprocess.Popen(["sleep", "30"])  # started after the run: the pid is not its supervisor
    reused.supervisor_pid, reused.date_started = sleeper.pid, utcnow() - datetime.timedelta(seconds=5)
    reused.save()
    try:
        assert set(reaper.reap()) == {str(lost_supervisor.id), str(reused.id)}
    finally:
        sleeper.kill()
        sleeper.wait()
    assert JobResult.get_by_id(watched.id).status == Status.STATUS_STARTED
    assert (f"its supervising process {lost_supervisor.supervisor_pid} on {HOST} is no longer running"
            in JobResult.get_by_id(lost_supervisor.id).traceback)


def test_pid_alive():
    assert reaper.pid_alive(os.getpid())
    assert not reaper.pid_alive(dead_pid())
    zombie = subprocess.Popen(["true"])
    time.sleep(0.3)  # exited, not yet waited for: a zombie
    assert not reaper.pid_alive(zombie.pid)
    zombie.wait()


# -- queues and pickup ------------------------------------------------------------------------------


def test_runs_go_to_their_queue_and_a_worker_can_serve_several(fixture_jobs, worker_factory):
    record = enable("noop.Noop")
    record.task_queues, record.task_queues_override = ["default", "reports"], True
    record.save()
    default_only = worker_factory()
    to_reports = submit(record, None, {}, options=RunOptions(queue="reports"))
    to_default = wait_for_result(submit(record, None, {}).id)
    assert to_default.status == Status.STATUS_SUCCESS and to_default.worker == default_only.name
    time.sleep(0.3)
    assert JobResult.get_by_id(to_reports.id).status == Status.STATUS_PENDING
    both = worker_factory(queues=["reports", "default"], workers=1)
    assert WorkerHeartbeat.get(WorkerHeartbeat.pid == both.pid).queues == ["reports", "default"]
    to_reports = wait_for_result(to_reports.id)
    assert to_reports.status == Status.STATUS_SUCCESS and to_reports.queue == "reports"
    assert to_reports.worker == both.name


def test_an_idle_worker_picks_a_run_up_quickly(fixture_jobs, worker):
    record = enable("noop.Noop")
    time.sleep(1.5)  # idle long enough for Huey's polling backoff to have grown, were it uncapped
    latencies = []
    for _ in range(5):
        submitted = utcnow()
        result = wait_for_result(submit(record, None, {}).id)
        latencies.append((result.date_started - submitted).total_seconds())
        time.sleep(0.3)
    assert sorted(latencies)[2] < 0.5, latencies


def test_job_modules_are_imported_only_in_the_job_processes(fixture_jobs, worker):
    marker = fixture_jobs.jobs_root / "import_marker.py"
    marker.write_text(
        "import os\nfrom pathlib import Path\nfrom app.jobs import Job, register_jobs\n"
        "with open(Path(__file__).with_suffix('.pids'), 'a') as handle:\n"
        "    handle.write(f'{os.getpid()}\\n')\n"
        "class ImportMarker(Job):\n    def run(self):\n        return os.getpid()\n"
        "register_jobs(ImportMarker)\n"
    )
    worker.restart()  # sync the new job in the worker, as an operator would
    record = enable("import_marker.ImportMarker")
    children = {wait_for_result(submit(record, None, {}).id).result for _ in range(3)}
    importers = {int(line) for line in marker.with_suffix(".pids").read_text().split()}
    worker_processes = _children_of(worker.pid)
    assert len(worker_processes) >= 2
    assert children <= importers and not worker_processes & importers


def _children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


# -- the queue itself -------------------------------------------------------------------------------


def test_enqueue_needs_no_worker(fixture_jobs):
    record = enable("noop.Noop")
    began = time.perf_counter()
    results = [submit(record, None, {}) for _ in range(20)]
    assert time.perf_counter() - began < 5
    assert {JobResult.get_by_id(result.id).status for result in results} == {Status.STATUS_PENDING}
    from app.queue import get_huey

    assert get_huey("default").pending_count() == 20


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None or importlib.util.find_spec("redis") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide redis-server and the redis package (.ci/run installs them)")
        pytest.skip("redis-server or the redis package is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_a_redis_queue(tmp_path, redis_url):
    config = make_config(tmp_path, Path(__file__).parent / "fixtures" / "jobs_root", queue_url=redis_url)
    setup_database(config)
    enable("versioned.Versioned")
    handle = WorkerProcess(config, tmp_path / "worker.log", workers=1)
    try:
        handle.start()
        record = JobRecord.get_for_class_path("versioned.Versioned")
        submitted = utcnow()
        result = wait_for_result(submit(record, None, {}).id)
        assert result.status == Status.STATUS_SUCCESS and result.result == "version 1"
        assert (result.date_started - submitted).total_seconds() < 1
    finally:
        handle.close()


def test_unknown_queue_urls_are_refused(tmp_path):
    from app.queue import make_huey

    with pytest.raises(ValueError, match="unsupported queue URL"):
        make_huey("default", "amqp://localhost")
    with pytest.raises(ValueError, match="not :memory:"):
        make_huey("default", "sqlite:///:memory:")


def test_the_worker_refuses_an_unmigrated_database(tmp_path):
    config = make_config(tmp_path)  # no setup_database(): nothing migrated
    done = subprocess.run([sys.executable, "-c", "from app.worker import run_worker; run_worker()"],
                          env=worker_environment(config), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "run `jobdeck migrate` first" in done.stderr
