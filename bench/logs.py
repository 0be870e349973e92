"""Log write rate: one job that logs 100,000 lines, run through a real worker.

    python bench/logs.py [--lines 100000]

Prints lines/s over the run (date_started → date_done, which comes after the last line is stored)
and checks that every line was kept, in order. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from _harness import Deck
from _harness import machine
from _harness import wait_until_finished

LOGGER_JOB = """
    from app.jobs import IntegerVar, Job, register_jobs


    class ManyLines(Job):
        lines = IntegerVar(default=100_000)

        def run(self, *, lines):
            for number in range(lines):
                self.logger.info("line %d of the benchmark", number)


    register_jobs(ManyLines)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()

    deck = Deck({"many_lines": LOGGER_JOB})
    try:
        from app.execution.submit import submit
        from app.models import JobLogEntry
        from app.models import JobResult

        record = deck.enable("many_lines.ManyLines")
        deck.start_worker(2)
        began = time.perf_counter()
        result_id = submit(record, None, {"lines": args.lines}).id
        wait_until_finished([result_id], timeout=600)
        wall = time.perf_counter() - began
        result = JobResult.get_by_id(result_id)
        messages = [message for (message,) in JobLogEntry.select(JobLogEntry.message)
                    .where(JobLogEntry.job_result == result_id).order_by(JobLogEntry.id).tuples()]
    finally:
        deck.close()

    expected = [f"line {number} of the benchmark" for number in range(args.lines)]
    kept = messages[1:-1] == expected
    run_seconds = (result.date_done - result.date_started).total_seconds()
    print(f"Jobdeck log writes: one job logging {args.lines:,} lines, SQLite; {machine()}")
    print(f"  status {result.status}; {len(messages):,} rows stored; every line kept in order: {kept}")
    print(f"  during the run (date_started -> date_done)   {args.lines / run_seconds:10,.0f} lines/s   "
          f"({run_seconds:.2f} s; target >= 30,000)")
    print(f"  end to end (submit -> finished, as polled)   {args.lines / wall:10,.0f} lines/s   ({wall:.2f} s)")
    print("Nautobot 2.4 (from /work/shared/reference/nautobot-measured.md): 302 lines/s "
          "(one INSERT per line; 20,000 lines took 66 s)")


if __name__ == "__main__":
    main()
