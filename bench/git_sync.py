"""Syncing a Git repository of 200 job modules, and the first run after a sync on a running worker.

    python bench/git_sync.py [--modules 200] [--runs 20] [--syncs 5]

Builds a ``file://`` remote with ``--modules`` job files, syncs it in this process (fetch + extract
+ load + records, as the sync task does) and prints the sync time and the time spent loading its
jobs. Then, with a real 2-process worker running, measures submit → the run's first log line for
``--runs`` runs of one of the jobs, then ``--syncs`` times commits a change, syncs, and measures the
first run after that sync: its extra start delay is what the new commit's checkout and import cost a running
worker. Targets (issue 16): sync + load under 5 s; the first run after a sync starts within 1 s more
than a normal run. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import time

from _harness import REPO
from _harness import Deck
from _harness import machine
from _harness import wait_until_finished

sys.path.insert(0, str(REPO))
os.environ["JOBDECK_GIT_ALLOW_FILE_REMOTES"] = "true"

JOB = '''from app.jobs import Job, register_jobs


class Job{n:03d}(Job):
    class Meta:
        name = "Job {n:03d}"
        has_sensitive_variables = False

    def run(self):
        return "{version}"


register_jobs(Job{n:03d})
'''


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def sync(repository) -> tuple[float, float, str]:
    from app.git.sync import create_sync_result
    from app.git.sync import run_sync
    from app.models import JobLogEntry

    result = create_sync_result(repository)
    began = time.perf_counter()
    outcome = run_sync(result.id)
    elapsed = time.perf_counter() - began
    lines = [entry.message for entry in JobLogEntry.select().where(JobLogEntry.job_result == result.id)]
    loaded = next(float(m.group(1)) for line in lines if (m := re.search(r"job\(s\) loaded in ([\d.]+) s", line)))
    return elapsed, loaded, outcome


def start_delay(record) -> float:
    """Submit → the run's first log line (written by the job process once the job is imported)."""
    from app.execution.submit import submit
    from app.models import JobLogEntry
    from app.models import JobResult

    submitted = utcnow()
    result = submit(record, None, {})
    wait_until_finished([result.id], timeout=60)
    finished = JobResult.get_by_id(result.id)
    assert finished.status == "SUCCESS", finished.traceback
    first = JobLogEntry.select().where(JobLogEntry.job_result == result.id).order_by(JobLogEntry.id).first()
    return (first.created - submitted).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--syncs", type=int, default=5)
    args = parser.parse_args()

    deck = Deck({})
    try:
        from app.git.repositories import add_repository
        from app.models import GitRepository
        from app.models import JobRecord
        from tests.support.git_remote import Remote

        remote = Remote(deck.root / "remote")
        files = {f"jobs/job_{n:03d}.py": JOB.format(n=n, version="1") for n in range(args.modules)}
        remote.commit({"jobs/__init__.py": "", **files}, "200 jobs")
        repository = add_repository(name="bench", remote_url=remote.url)

        first_sync, first_load, outcome = sync(repository)
        assert outcome == "success", outcome
        count = JobRecord.select().where(JobRecord.source == "git").count()
        resync, resync_load, _ = sync(GitRepository.get_by_id(repository.id))

        record = deck.enable("bench.jobs.job_000.Job000")
        deck.start_worker()
        normal = [start_delay(JobRecord.get_by_id(record.id)) for _ in range(args.runs)]

        after_sync, syncs = [], []
        for version in range(2, 2 + args.syncs):
            remote.commit({"jobs/job_000.py": JOB.format(n=0, version=version)}, "change one job")
            syncs.append(sync(GitRepository.get_by_id(repository.id)))
            after_sync.append(start_delay(JobRecord.get_by_id(record.id)))
        deck.stop_worker()
        second_sync = statistics.median(one[0] for one in syncs)
        second_load = statistics.median(one[1] for one in syncs)

        median = statistics.median(normal)
        print(f"git sync bench: {args.modules} job modules ({count} jobs), {machine()}")
        print(f"  first sync (clone + extract + load + records): {first_sync:.2f} s, of which loading jobs "
              f"and writing their records {first_load:.2f} s")
        print(f"  sync with nothing new: {resync:.2f} s (loading {resync_load:.2f} s)")
        print(f"  sync of a new commit (one file changed): median {second_sync:.2f} s (loading {second_load:.2f} s) "
              f"over {args.syncs} syncs")
        print(f"  start delay (submit -> first log line), normal run: median {median * 1000:.0f} ms over "
              f"{args.runs} runs (max {max(normal) * 1000:.0f} ms)")
        first = statistics.median(after_sync)
        print(f"  first run after each new sync on the running worker: median {first * 1000:.0f} ms, max "
              f"{max(after_sync) * 1000:.0f} ms (extra over a normal run: {(first - median) * 1000:+.0f} ms)")
    finally:
        deck.close()


if __name__ == "__main__":
    main()
