"""The scheduled-job dispatcher: one pass over 10,000 recurring schedules, and due-to-start delay.

    python bench/schedules.py [--schedules 10000] [--due 1000] [--one-offs 40]

Phase 1 inserts the recurring (daily) schedules, none due, and times dispatcher passes
(``app.scheduling.dispatcher.dispatch``: the indexed due query) with nothing due. Phase 2 makes
``--due`` of them due and times the one pass that creates and queues their runs. Phase 3 starts a
real 2-process worker, whose own dispatcher runs one-off schedules due 0.1 s apart, and measures
each run's ``date_started`` − its due time. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import time
import uuid

from _harness import Deck
from _harness import machine
from _harness import percentile
from _harness import wait_until_finished

NOOP_JOB = """
    from app.jobs import Job, register_jobs


    class Noop(Job):
        class Meta:
            has_sensitive_variables = False

        def run(self):
            pass


    register_jobs(Noop)
"""


def insert_schedules(record, count: int, now) -> None:
    from app.db import database
    from app.models.schedules import ScheduledJob

    rows = [{
        "id": uuid.uuid4(), "name": f"nightly {i}", "job_record": record.id, "task_name": record.class_path,
        "interval": "daily", "start_time": now + datetime.timedelta(hours=1, seconds=i),
        "next_run": now + datetime.timedelta(hours=1, seconds=i), "options": {"queue": "default"},
        "task_kwargs": {}, "created": now, "last_updated": now,
    } for i in range(count)]
    with database.atomic():
        for start in range(0, count, 500):
            ScheduledJob.insert_many(rows[start:start + 500]).execute()


def timed_pass(now) -> tuple[float, int]:
    from app.scheduling.dispatcher import dispatch

    began = time.perf_counter()
    made = dispatch(now=now)
    return time.perf_counter() - began, made


def one_offs(record, count: int) -> list:
    from app.db import utcnow
    from app.execution.admission import admit
    from app.execution.options import decide

    first = utcnow() + datetime.timedelta(seconds=2)
    rows = []
    for i in range(count):
        due = first + datetime.timedelta(seconds=0.1 * i)
        options = decide(record, None, schedule={"interval": "future", "start_time": due.isoformat() + "Z"})
        rows.append(admit(record, None, {}, options=options).scheduled_job)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--one-offs", type=int, default=40)
    args = parser.parse_args()

    deck = Deck({"noop": NOOP_JOB})
    try:
        from app.db import utcnow
        from app.models import JobResult
        from app.models.schedules import ScheduledJob
        from app.queue import get_huey

        record = deck.enable("noop.Noop")
        now = utcnow()
        insert_schedules(record, args.schedules, now)
        idle = sorted(timed_pass(now)[0] for _ in range(20))

        due_ids = [row.id for row in ScheduledJob.select(ScheduledJob.id).limit(args.due)]
        ScheduledJob.update(next_run=now - datetime.timedelta(seconds=1)).where(
            ScheduledJob.id.in_(due_ids)).execute()
        busy, made = timed_pass(now)
        get_huey("default").flush()  # those runs are not the worker's business below
        JobResult.delete().execute()

        deck.start_worker(2)
        rows = one_offs(record, args.one_offs)
        deadline = time.monotonic() + 60
        ids = [row.id for row in rows]
        while JobResult.select().where(JobResult.scheduled_job.in_(ids)).count() < len(rows):
            if time.monotonic() > deadline:
                raise SystemExit("the one-off runs were not all made within 60 s")
            time.sleep(0.05)
        results = list(JobResult.select().where(JobResult.scheduled_job.in_(ids)))
        wait_until_finished([result.id for result in results], timeout=60)
        delays = [(JobResult.get_by_id(r.id).date_started - r.scheduled_for).total_seconds() for r in results]
    finally:
        deck.close()

    print(f"Scheduled-job dispatcher, SQLite; {machine()}")
    print(f"  {args.schedules} recurring schedules")
    print(f"  one pass, nothing due:   median {idle[len(idle) // 2] * 1000:.1f} ms, max {idle[-1] * 1000:.1f} ms")
    print(f"  one pass, {made} due:     {busy * 1000:.0f} ms (runs created and queued)")
    print(f"  due-to-start, {len(delays)} one-off runs through a 2-process worker: "
          f"p50 {percentile(delays, 0.5) * 1000:.0f} ms, p95 {percentile(delays, 0.95) * 1000:.0f} ms, "
          f"max {max(delays) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
