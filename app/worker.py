"""The worker: a Huey consumer with process workers, plus its heartbeat, its reaper and the
scheduled-job dispatcher (``app.scheduling.dispatcher``), all ticked from the consumer's main loop.

``run_worker()`` syncs the job catalog, registers a heartbeat, reaps runs orphaned by a dead worker,
then runs one Huey consumer whose worker processes serve every requested queue. Each job runs in a
child forked by its worker process (``app.execution.supervisor``). The consumer and its worker
processes are child subreapers: what a job leaves behind when its supervising process dies is
re-parented to the consumer, which kills and reaps it (``app.execution.process_tree``).

Signals (to the main process): SIGINT or SIGHUP stops gracefully, letting running jobs finish (a
second one stops now); SIGTERM stops now: running jobs are killed and recorded ERRORED.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sqlite3
import time

import peewee
from huey.consumer import Consumer
from huey.consumer import Scheduler
from huey.consumer import Worker

from app import db
from app.catalog import sync_jobs
from app.catalog import sync_plugins
from app.config import configure
from app.config import from_environment
from app.execution import reaper
from app.execution import supervisor
from app.execution.process_tree import become_subreaper
from app.execution.process_tree import reap_leftovers
from app.jobs.loader import local_source
from app.models import JobQueue
from app.models import WorkerHeartbeat
from app.queue import make_huey
from app.scheduling.dispatcher import Dispatcher

__all__ = ["run_worker"]

log = logging.getLogger("jobdeck.worker")

LEFTOVER_CHECK_INTERVAL = 0.5  # seconds between the consumer's looks for adopted job processes

# Inherited queue connections are kept referenced so they are never closed in a forked process:
# closing a SQLite connection opened by the parent could disturb the parent's locks.
_inherited = []


def _rebind_after_fork(database_url: str, hueys) -> None:
    db.adopt_after_fork(db.open_database(database_url))
    for huey in hueys:
        if hasattr(huey.storage, "_conn"):
            _inherited.append(huey.storage._conn)
            huey.storage._conn = None


class QueueWorker(Worker):
    """A Huey worker process that takes tasks from several queues and dies with its consumer."""

    def __init__(self, hueys, database_url: str, **kwargs):
        super().__init__(**kwargs)
        self.hueys = hueys
        self.database_url = database_url
        self.parent_pid = os.getpid()
        self.next = 0

    def initialize(self):
        become_subreaper()
        _rebind_after_fork(self.database_url, self.hueys)
        gc.freeze()  # fewer copy-on-write pages in every job child forked from here
        super().initialize()

    def loop(self, now=None):
        if os.getppid() != self.parent_pid:
            raise KeyboardInterrupt  # the consumer died (e.g. SIGKILL): leave quietly
        count = len(self.hueys)
        for offset in range(count):
            huey = self.hueys[(self.next + offset) % count]
            try:
                task = huey.dequeue()
            except Exception:
                self._logger.exception("Error reading from queue %s", huey.name)
                continue
            if task is not None:
                self.next = (self.next + offset + 1) % count
                self.delay = self.default_delay
                try:
                    huey.execute(task, now)
                except Exception:
                    self._logger.exception("Unhandled error during execution of task %s.", task.id)
                return
        if count > 1 or not self.huey.storage.blocking:
            self.sleep()


class OrphanSafeScheduler(Scheduler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()

    def loop(self, now=None):
        if os.getppid() != self.parent_pid:
            raise KeyboardInterrupt
        super().loop(now)


class Heartbeat:
    """This worker's WorkerHeartbeat row, refreshed every ``heartbeat_interval``; reaps as it goes."""

    def __init__(self, name: str, queues: list[str], interval: float, concurrency: int = 1):
        self.name = name
        self.queues = queues
        self.concurrency = concurrency
        self.interval = interval
        self.next_beat = 0.0
        self.next_reap = 0.0

    def register(self) -> None:
        now = db.utcnow()
        WorkerHeartbeat.delete().where(WorkerHeartbeat.name == self.name).execute()
        WorkerHeartbeat.create(name=self.name, hostname=socket.gethostname(), pid=os.getpid(),
                               queues=self.queues, concurrency=self.concurrency, started=now, last_seen=now)
        self.next_beat = time.monotonic() + self.interval

    def beat(self) -> None:
        updated = WorkerHeartbeat.update(last_seen=db.utcnow()).where(WorkerHeartbeat.name == self.name).execute()
        if not updated:  # another worker took us for dead and removed the row
            self.register()

    def tick(self, *, reap: bool = True) -> None:
        now = time.monotonic()
        if now >= self.next_beat:
            self.next_beat = now + self.interval
            try:
                with db.database.connection_context():
                    self.beat()
            except Exception:
                log.exception("could not record the worker's heartbeat; will retry")
        if reap and now >= self.next_reap:
            self.next_reap = now + max(self.interval, 1.0)
            reaper.reap_safely()

    def unregister(self) -> None:
        try:
            with db.database.connection_context():
                WorkerHeartbeat.delete().where(WorkerHeartbeat.name == self.name).execute()
        except Exception:
            log.exception("could not remove the worker's heartbeat")


class WalKeeper:
    """An idle SQLite connection held by the consumer's main process while it runs.

    With it, a job process is never the last connection to the database, so its exit never pays
    for a checkpoint and for deleting the WAL, and the next job never pays for recreating them.
    """

    def __init__(self, database):
        self.path = database.database if isinstance(database, peewee.SqliteDatabase) else None
        self.connection = None

    def open(self) -> None:
        if self.path is None or self.connection is not None:
            return
        try:
            self.connection = sqlite3.connect(self.path, timeout=10)
            self.connection.execute("select count(*) from sqlite_master").fetchall()
        except sqlite3.Error:
            log.exception("could not open the idle SQLite connection; carrying on without it")
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class JobdeckConsumer(Consumer):
    """Huey's consumer over several queues, beating and reaping in its main loop (no threads)."""

    def __init__(self, hueys, database_url: str, heartbeat: Heartbeat, **options):
        self.hueys = hueys
        self.database_url = database_url
        self.heartbeat = heartbeat
        self.keeper = WalKeeper(db.database.obj)
        self.next_leftover_check = 0.0
        self.dispatcher = Dispatcher()
        super().__init__(hueys[0], **options)
        # Huey restarts itself on SIGHUP by re-executing sys.argv, which `python -c` and `jobdeck serve`
        # children cannot survive; a hang-up (closed terminal) stops gracefully instead.
        self._signal_actions[signal.SIGHUP] = (False, True)

    def _create_worker(self):
        return QueueWorker(self.hueys, self.database_url, huey=self.huey, stop_flag=self.stop_flag,
                           default_delay=self.default_delay, max_delay=self.max_delay,
                           backoff=self.backoff, max_tasks=self.max_tasks)

    def _create_scheduler(self):
        return OrphanSafeScheduler(huey=self.huey, stop_flag=self.stop_flag,
                                   interval=self.scheduler_interval, periodic=self.periodic)

    def start(self):
        become_subreaper()
        for huey in self.hueys[1:]:
            huey.storage.close()  # the base class closes the first one before forking
        super().start()
        self.keeper.open()  # only once the worker processes are forked: they must not inherit it

    def check_worker_health(self):
        procs = [process for _, process in self.worker_threads] + [self.scheduler]
        restarting = not all(self.environment.is_alive(process) for process in procs)
        if restarting:
            self.keeper.close()
        try:
            return super().check_worker_health()
        finally:
            if restarting:
                self.keeper.open()

    def loop(self, health_check_ts=None):
        health_check_ts = super().loop(health_check_ts)
        self.dispatcher.tick()
        self.heartbeat.tick()
        self.reap_adopted()
        return health_check_ts

    def reap_adopted(self, *, now: bool = False) -> None:
        """Kill and reap processes of jobs whose supervising worker process died (re-parented here)."""
        if not now and time.monotonic() < self.next_leftover_check:
            return
        self.next_leftover_check = time.monotonic() + LEFTOVER_CHECK_INTERVAL
        keep = {process.pid for _, process in self.worker_threads} | {self.scheduler.pid}
        try:
            count = reap_leftovers(keep, timeout=1.0)
        except Exception:
            log.exception("could not reap processes left by a lost worker process")
            return
        if count:
            log.warning("killed %d process(es) left behind by a job whose worker process died", count)

    def _join_workers(self):
        # A graceful stop waits for running jobs; keep beating meanwhile so nobody reaps them.
        deadline = None if self.shutdown_timeout is None else time.monotonic() + self.shutdown_timeout
        procs = [process for _, process in self.worker_threads] + [self.scheduler]
        while any(self.environment.is_alive(process) for process in procs):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            for process in procs:
                process.join(0.05)
            self.heartbeat.tick(reap=False)
        return True


def configure_logging(level: str = "INFO") -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level,
                            format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    logging.getLogger("huey").setLevel(logging.WARNING)  # "Executing ..." twice per job is noise
    logging.getLogger("huey.consumer").setLevel(max(logging.INFO, logging.getLevelName(level)))


def run_worker(queues: list[str] | None = None, workers: int = 2, *, loglevel: str = "INFO") -> None:
    """Sync the catalog, then consume ``queues`` (default: the default queue) until stopped."""
    configure_logging(loglevel)
    config = configure(from_environment())
    queues = list(dict.fromkeys(queues or [config.default_queue]))
    db.bind(config.database_url)
    name = f"{socket.gethostname()}:{os.getpid()}"
    workers = max(int(workers), 1)
    heartbeat = Heartbeat(name, queues, config.heartbeat_interval, workers)
    with db.database.connection_context():
        pending = db.pending_migrations()
        if pending:
            raise SystemExit(f"the database needs migrations ({', '.join(pending)}): run `jobdeck migrate` first")
        for report in (sync_jobs(config.jobs_root), *sync_plugins()):  # a listed plugin missing stops it here
            for line in report.lines():
                log.info("%s", line)
        unknown = set(queues) - set(JobQueue.names())
        if unknown:
            log.warning("no job queue is named %s: no job sends runs there yet", ", ".join(sorted(unknown)))
    # The consumer's processes must never hold job modules: each run imports the current source.
    local_source(config.jobs_root).forget_all()
    supervisor.set_worker_name(name)
    poll = max(config.worker_poll_interval, 0.001)
    hueys = [make_huey(queue, config.queue_url, blocking=len(queues) == 1) for queue in queues]
    with db.database.connection_context():
        heartbeat.register()
    consumer = None
    try:
        reaped = reaper.reap_safely()
        if reaped:
            log.warning("marked %d run(s) of a lost worker ERRORED", len(reaped))
        heartbeat.next_reap = time.monotonic() + max(config.heartbeat_interval, 1.0)
        consumer = JobdeckConsumer(
            hueys, config.database_url, heartbeat,
            workers=workers, worker_type="process", periodic=False,
            initial_delay=min(poll, 0.01), backoff=1.5, max_delay=poll,
        )
        log.info("worker %s listening to %s with %d process(es)", name, ", ".join(queues), workers)
        consumer.run()
    finally:
        if consumer is not None:
            consumer.reap_adopted(now=True)
            consumer.keeper.close()
        heartbeat.unregister()
        log.info("worker %s stopped", name)
