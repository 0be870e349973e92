"""Workers on their queues, for real: routing, a queue nobody listens on, the workers page and API
showing live and dead workers, and ``jobdeck worker``'s options (``--queue``, ``--workers``, ``--pidfile``)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest

from app import create_app
from app.db import utcnow
from app.execution.submit import RunOptions
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobQueue
from app.models import JobResult
from app.models import WorkerHeartbeat
from tests.conftest import REPO
from tests.conftest import enable
from tests.factories import login_as
from tests.factories import make_user as pages_user
from tests.factories import page_csrf
from tests.factories import text
from tests.support.worker import wait_for_result
from tests.support.worker import wait_for_status
from tests.support.worker import worker_environment
from tests.test_api_support import ApiClient
from tests.test_api_support import key_for
from tests.test_api_support import make_user

NO_WORKER = "No live worker listens on queue \u201cb\u201d"


def routed(class_path, queues=("a", "b")):
    """The job, enabled, allowed on ``queues`` (made job queues)."""
    record = enable(class_path)
    JobQueue.ensure(queues)
    record.task_queues, record.task_queues_override = list(queues), True
    record.save()
    return record


def to(record, queue, **data):
    return submit(record, None, data, options=RunOptions(queue=queue))


def test_a_run_sent_to_queue_b_runs_only_on_the_worker_listening_on_b(fixture_jobs, worker_factory):
    record = routed("noop.Noop")
    on_a = worker_factory(queues=["a"], workers=1)
    on_b = worker_factory(queues=["b"], workers=1)
    sent = [(to(record, queue).id, queue) for queue in ("b", "a", "b", "b", "a")]
    done = {queue: {wait_for_result(pk).worker for pk, sent_to in sent if sent_to == queue} for queue in "ab"}
    assert done == {"a": {on_a.name}, "b": {on_b.name}}
    assert all(JobResult.get_by_id(pk).status == Status.STATUS_SUCCESS for pk, _ in sent)


def test_a_queue_without_a_live_worker_keeps_runs_pending_and_the_form_and_api_say_why(fixture_jobs, worker_factory):
    record = routed("noop.Noop")
    worker_factory(queues=["a"], workers=1)
    app = create_app(fixture_jobs)
    api, key = ApiClient(app), key_for(make_user("admin", is_superuser=True))

    answer = api.post(f"/api/extras/jobs/{record.id}/run/", key, json={"task_queue": "b"})
    assert answer.status_code == 201 and NO_WORKER in answer.json["warnings"][0]
    assert "warnings" not in api.post(f"/api/extras/jobs/{record.id}/run/", key, json={"task_queue": "a"}).json

    client = login_as(app, pages_user("root", superuser=True))
    url = f"/jobs/{record.id}/"
    page = text(client.get(url))
    assert 'id="no-worker"' in page and "<strong>b</strong>: a run sent there stays pending" in page
    response = client.post(url, data={"_run-task_queue": "b", "_run-csrf_token": page_csrf(client, url)},
                           follow_redirects=True)
    assert NO_WORKER in text(response) and "will wait until one does" in text(response)
    assert NO_WORKER in text(client.get(f"/results/{JobResult.get(JobResult.user.is_null(False)).id}/"))

    time.sleep(1.0)  # a worker on "a" polls many times meanwhile
    waiting = list(JobResult.select().where(JobResult.queue == "b"))
    assert len(waiting) == 2 and {result.status for result in waiting} == {Status.STATUS_PENDING}
    queues = {row["name"]: row for row in api.get("/api/extras/workers/", key).json["queues"]}
    assert queues["b"]["pending"] == 2 and queues["b"]["consumers"] == []

    on_b = worker_factory(queues=["b"], workers=1)
    assert {wait_for_result(result.id).worker for result in waiting} == {on_b.name}
    assert NO_WORKER not in text(client.get(f"/results/{waiting[0].id}/"))
    assert 'id="no-worker"' not in text(client.get(url))


def test_the_workers_page_and_api_show_live_and_dead_workers(fixture_jobs, worker_factory):
    record = routed("sleeper.Sleeper", ("a", "b"))
    live = worker_factory(queues=["a", "b"], workers=2)
    doomed = worker_factory(queues=["b"], workers=1)
    doomed_name, doomed_pid = doomed.name, doomed.pid
    doomed.kill()  # SIGKILL to its own process group, by pid: no clean stop, its row stays behind
    old = utcnow() - datetime.timedelta(minutes=5)
    WorkerHeartbeat.create(name="elsewhere:42", hostname="elsewhere", pid=42, queues=["a"], started=old,
                           last_seen=old)
    running = to(record, "a", milliseconds=30_000)
    wait_for_status(running.id, Status.STATUS_STARTED)

    app = create_app(fixture_jobs)
    api, key = ApiClient(app), key_for(make_user("admin", is_superuser=True))
    status = api.get("/api/extras/workers/", key).json
    workers = {row["name"]: row for row in status["workers"]}
    assert list(workers)[0] == live.name and set(workers) == {live.name, doomed_name, "elsewhere:42"}  # live first
    assert workers[live.name]["live"] is True and workers[live.name]["queues"] == ["a", "b"]
    assert workers[live.name]["concurrency"] == 2 and workers[live.name]["current_runs"] == 1
    assert workers[live.name]["current_results"] == [str(running.id)]
    assert workers[doomed_name]["live"] is False
    assert workers[doomed_name]["why_dead"] == f"its process {doomed_pid} is no longer running"
    assert workers["elsewhere:42"]["live"] is False and "no heartbeat since" in workers["elsewhere:42"]["why_dead"]
    queues = {row["name"]: row["consumers"] for row in status["queues"]}
    assert queues["a"] == [live.name] and queues["b"] == [live.name]

    page = text(login_as(app, pages_user("root", superuser=True)).get("/workers/"))
    assert page.count('<span class="badge badge-success">live</span>') == 1
    assert page.count('<span class="badge badge-danger">dead</span>') == 2
    assert f"its process {doomed_pid} is no longer running" in page and "1 of 2" in page

    time.sleep(1.5)  # several reaper passes of the live worker: the dead keep their rows (for a day)
    assert WorkerHeartbeat.select().where(WorkerHeartbeat.name == doomed_name).exists()


# -- jobdeck worker ------------------------------------------------------------------------------------


def start_cli_worker(config, tmp_path, *args):
    log = open(tmp_path / f"cli-worker-{time.monotonic_ns()}.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", *args], cwd=REPO,
                               env=worker_environment(config), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return process, log


def output(log) -> str:
    log.seek(0)
    return log.read()


def wait_for_heartbeat(process, log, timeout=30):
    deadline = time.monotonic() + timeout
    while not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == process.pid).exists():
        assert process.poll() is None and time.monotonic() < deadline, output(log)
        time.sleep(0.05)
    return WorkerHeartbeat.get(WorkerHeartbeat.pid == process.pid)


@pytest.fixture
def cli_workers():
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_jobdeck_worker_listens_on_its_queues_with_its_workers_and_keeps_a_pidfile(fixture_jobs, tmp_path,
                                                                                     cli_workers):
    record = routed("sleeper.Sleeper", ("a", "b"))
    pidfile = tmp_path / "worker.pid"
    process, log = start_cli_worker(fixture_jobs, tmp_path, "--queue", "b", "--workers", "3", "--loglevel",
                                    "warning", "--pidfile", str(pidfile))
    cli_workers.append(process)
    beat = wait_for_heartbeat(process, log)
    assert (beat.queues, beat.concurrency) == (["b"], 3)
    assert pidfile.read_text() == f"{process.pid}\n"

    on_b = [to(record, "b", milliseconds=3_000) for _ in range(3)]
    on_a = to(record, "a", milliseconds=0)
    for result in on_b:  # three at once
        wait_for_status(result.id, Status.STATUS_STARTED, timeout=20)
    assert JobResult.get_by_id(on_a.id).status == Status.STATUS_PENDING

    second, second_log = start_cli_worker(fixture_jobs, tmp_path, "--queue", "a", "--pidfile", str(pidfile))
    cli_workers.append(second)
    assert second.wait(timeout=30) == 2
    assert f"The pidfile {pidfile} names process {process.pid}, which is still running" in output(second_log)
    assert pidfile.read_text() == f"{process.pid}\n"

    process.send_signal(signal.SIGINT)  # finish the running jobs, then stop
    assert process.wait(timeout=30) == 0, output(log)
    assert not pidfile.exists()
    assert "INFO" not in output(log)  # --loglevel warning


def test_a_pidfile_left_by_a_killed_worker_is_taken_over(fixture_jobs, tmp_path, cli_workers):
    pidfile = tmp_path / "worker.pid"
    first, log = start_cli_worker(fixture_jobs, tmp_path, "--pidfile", str(pidfile), "--workers", "1")
    cli_workers.append(first)
    wait_for_heartbeat(first, log)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert pidfile.read_text() == f"{first.pid}\n"  # nobody removed it

    second, log = start_cli_worker(fixture_jobs, tmp_path, "--pidfile", str(pidfile), "--workers", "1")
    cli_workers.append(second)
    wait_for_heartbeat(second, log)
    assert pidfile.read_text() == f"{second.pid}\n"


@pytest.mark.parametrize("args, message", [
    (("--queue", "two words"), "--queue: 'two words' is not a queue name"),
    (("--loglevel", "LOUD"), "choose one of DEBUG, INFO, WARNING, ERROR"),
    (("--pidfile", "/nonexistent-dir/worker.pid"), "Cannot create the pidfile /nonexistent-dir/worker.pid"),
])
def test_jobdeck_worker_refuses_bad_options_with_a_sentence(fixture_jobs, tmp_path, cli_workers, args, message):
    process, log = start_cli_worker(fixture_jobs, tmp_path, *args)
    cli_workers.append(process)
    assert process.wait(timeout=30) == 2
    assert message in output(log) and "Traceback" not in output(log)
