"""Huey consumer entry point: ``python worker.py [--queue NAME ...] [--workers N]``.

The same as ``jobdeck worker``. Configuration comes from the JOBDECK_* environment variables.
"""

from __future__ import annotations

import argparse

from app.worker import run_worker


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run a Jobdeck worker (a Huey consumer).")
    parser.add_argument("--queue", "-q", action="append", dest="queues", metavar="NAME",
                        help="queue to listen to (repeat for several; default: the default queue)")
    parser.add_argument("--workers", "-w", type=int, default=2, help="worker processes (default: 2)")
    args = parser.parse_args(argv)
    run_worker(args.queues, args.workers)


if __name__ == "__main__":
    main()
