"""Throughput and start latency of trivial jobs through a real 2-process worker, against bare Huey.

    python bench/throughput.py [--jobs 1000] [--workers 2]

Phase 1 submits the jobs one after another with ``app.execution.submit.submit`` (validation, the
PENDING row, the queue message), as fast as it can, and measures first submit → last ``date_done``,
``date_started`` − submit time, and the CPU the worker's processes used per job. Phase 2 measures
the worker alone, draining runs queued while it was stopped; phase 3 idle pickup (runs about 0.2 s
apart); phase 4 latency under a steady load at half the measured rate. Phase 5 runs the same number
of no-op tasks through bare Huey on the same storage with 2 process workers. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from _harness import REPO
from _harness import Deck
from _harness import machine
from _harness import percentile
from _harness import wait_until_finished

NOOP_JOB = """
    from app.jobs import Job, register_jobs


    class Noop(Job):
        def run(self):
            pass


    register_jobs(Noop)
"""


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def jobdeck_burst(record, count: int) -> dict:
    from app.execution.submit import submit
    from app.models import JobResult

    submitted = {}
    began = utcnow()
    cpu = time.process_time()
    for _ in range(count):
        at = utcnow()
        submitted[str(submit(record, None, {}).id)] = at
    submit_cpu = time.process_time() - cpu
    submit_seconds = (utcnow() - began).total_seconds()
    wait_until_finished(submitted)
    rows = list(JobResult.select(JobResult.id, JobResult.status, JobResult.date_started, JobResult.date_done)
                .where(JobResult.id.in_(list(submitted))))
    statuses = {row.status for row in rows}
    latencies = [(row.date_started - submitted[str(row.id)]).total_seconds() for row in rows]
    elapsed = (max(row.date_done for row in rows) - began).total_seconds()
    return {"elapsed": elapsed, "rate": count / elapsed, "submit_rate": count / submit_seconds,
            "submit_cpu": submit_cpu / count,
            "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95), "statuses": statuses}


def jobdeck_drain(deck, record, count: int, workers: int) -> dict:
    """The worker alone: ``count`` runs queued while no worker runs, then drained."""
    from app.execution.submit import submit
    from app.models import JobResult

    ids = [str(submit(record, None, {}).id) for _ in range(count)]
    deck.start_worker(workers)
    wait_until_finished(ids)
    rows = list(JobResult.select(JobResult.date_started, JobResult.date_done).where(JobResult.id.in_(ids)))
    elapsed = (max(row.date_done for row in rows) - min(row.date_started for row in rows)).total_seconds()
    return {"elapsed": elapsed, "rate": count / elapsed}


def jobdeck_idle(record, count: int, gap: float) -> dict:
    from app.execution.submit import submit
    from app.models import JobResult

    latencies = []
    for _ in range(count):
        time.sleep(gap * random.uniform(0.5, 1.5))  # no phase lock with the workers' polling
        at = utcnow()
        result_id = submit(record, None, {}).id
        wait_until_finished([result_id])
        latencies.append((JobResult.get_by_id(result_id).date_started - at).total_seconds())
    return {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}


def jobdeck_paced(record, count: int, rate: float) -> dict:
    """Submissions at a steady ``rate`` the worker can keep up with: latency under load, no backlog."""
    from app.execution.submit import submit
    from app.models import JobResult

    submitted = {}
    start = time.monotonic()
    for index in range(count):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        submitted[str(submit(record, None, {}).id)] = utcnow()
    wait_until_finished(submitted)
    rows = JobResult.select(JobResult.id, JobResult.date_started).where(JobResult.id.in_(list(submitted)))
    latencies = [(row.date_started - submitted[str(row.id)]).total_seconds() for row in rows]
    return {"rate": rate, "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}


# -- bare Huey: the same storage class and polling settings, a task that does nothing ---------------


def bare_huey(queue_path: Path):
    from huey import Huey

    from app.queue import _SqliteStorage

    huey = Huey("bare", storage_class=_SqliteStorage, filename=str(queue_path), results=False, timeout=10)

    @huey.task(name="noop")
    def noop(index, last, marker):
        if index == last:
            Path(marker).write_text(repr(time.time()))

    return huey, noop


def run_bare_consumer(queue_path: Path, workers: int) -> None:
    from huey.consumer import Consumer

    huey, _noop = bare_huey(queue_path)
    Consumer(huey, workers=workers, worker_type="process", periodic=False,
             initial_delay=0.01, backoff=1.5, max_delay=0.05).run()


def bare_huey_burst(root: Path, count: int, workers: int) -> dict:
    queue_path = root / "bare-queue.sqlite3"
    _huey, noop = bare_huey(queue_path)
    consumer = subprocess.Popen([sys.executable, __file__, "--bare-consumer", str(queue_path), "--workers",
                                 str(workers)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    try:
        warm = root / "bare-warm"
        noop(0, 0, str(warm))
        deadline = time.monotonic() + 30
        while not warm.exists():
            if time.monotonic() > deadline:
                raise SystemExit("the bare Huey consumer did not start")
            time.sleep(0.02)
        time.sleep(0.3)
        marker = root / "bare-done"
        began = time.time()
        for index in range(count):
            noop(index, count - 1, str(marker))
        while not marker.exists() or not marker.read_text():
            time.sleep(0.005)
        elapsed = float(marker.read_text()) - began
        return {"elapsed": elapsed, "rate": count / elapsed}
    finally:
        consumer.send_signal(signal.SIGINT)
        consumer.wait(30)


def nautobot_figures() -> str:
    return (
        "Nautobot 2.4 (Celery, Redis, PostgreSQL, 2 cores; from /work/shared/reference/nautobot-measured.md):\n"
        "  end to end through its REST API      5.5 jobs/s   (worker alone, pre-queued: 14.7 jobs/s)\n"
        "  worker CPU per no-op job             39 ms        (web CPU per submitted job: 78 ms)\n"
        "  submit -> start latency, idle        p50 133 ms / p95 1138 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle-runs", type=int, default=30)
    parser.add_argument("--bare-consumer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_consumer:
        run_bare_consumer(args.bare_consumer, args.workers)
        return

    deck = Deck({"noop": NOOP_JOB})
    try:
        record = deck.enable("noop.Noop")
        deck.start_worker(args.workers)
        jobdeck_idle(record, 3, 0)  # warm-up: first connections, first fork
        burst = jobdeck_burst(record, args.jobs)
        burst["worker_cpu"] = deck.stop_worker() / (args.jobs + 3)
        drain = jobdeck_drain(deck, record, args.jobs, args.workers)
        idle = jobdeck_idle(record, args.idle_runs, 0.2)
        paced = jobdeck_paced(record, 200, max(5.0, round(burst["rate"] / 2)))
        bare = bare_huey_burst(deck.root, args.jobs, args.workers)
    finally:
        deck.close()

    print(f"Jobdeck throughput: {args.jobs} no-op jobs, {args.workers}-process worker, SQLite; {machine()}")
    print(f"  end to end (first submit -> last date_done)  {burst['rate']:8.1f} jobs/s   "
          f"({burst['elapsed']:.2f} s; target >= 150)")
    print(f"  worker alone, draining {args.jobs} queued runs     {drain['rate']:8.1f} jobs/s   "
          f"({drain['elapsed']:.2f} s)")
    print(f"  submit() alone, serial in this process        {burst['submit_rate']:8.1f} submits/s  "
          f"({burst['submit_cpu'] * 1000:.1f} ms CPU each)")
    print(f"  worker CPU per job (all its processes)        {burst['worker_cpu'] * 1000:8.1f} ms      "
          f"(so at most {os.cpu_count() / (burst['worker_cpu'] + burst['submit_cpu']):.0f} jobs/s on "
          f"{os.cpu_count()} idle cores)")
    print(f"  submit -> start latency during the burst      p50 {burst['p50'] * 1000:.0f} ms / "
          f"p95 {burst['p95'] * 1000:.0f} ms   (mostly time queued behind earlier submits)")
    print(f"  submit -> start latency, idle worker          p50 {idle['p50'] * 1000:.0f} ms / "
          f"p95 {idle['p95'] * 1000:.0f} ms   ({args.idle_runs} runs 0.2 s apart; target p50 <= 100 ms)")
    print(f"  submit -> start latency at {paced['rate']:.0f} submits/s      p50 {paced['p50'] * 1000:.0f} ms / "
          f"p95 {paced['p95'] * 1000:.0f} ms   (200 runs, steady load below capacity)")
    print(f"  bare Huey no-op task, same storage            {bare['rate']:8.1f} tasks/s  ({bare['elapsed']:.2f} s)")
    print(f"  Jobdeck / bare Huey                           {burst['rate'] / bare['rate']:8.2f}       "
          "(target >= 0.3)")
    print(f"  statuses: {', '.join(sorted(burst['statuses']))}")
    print(nautobot_figures())


if __name__ == "__main__":
    main()
