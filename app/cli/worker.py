"""``jobdeck worker``: the job worker in the foreground (``jobdeck serve`` starts one too)."""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time

from app.cli.common import open_database
from app.cli.common import positive_int


def register(subparsers) -> None:
    parser = subparsers.add_parser("worker", help="run the job worker until Ctrl-C")
    parser.add_argument("--queue", action="append", dest="queues", metavar="NAME",
                        help="serve this queue (repeatable; default: every queue)")
    parser.add_argument("--workers", type=positive_int, default=2, metavar="N",
                        help="job worker processes (default 2)")
    # Used by `jobdeck serve`: the worker stops when serve goes away, even if serve is killed.
    parser.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=worker)


def worker(args) -> int:
    from app.worker import run_worker

    open_database()
    if args.exit_with_parent:
        watch_parent(os.getppid())
    run_worker(args.queues or None, args.workers)
    return 0


def watch_parent(parent_pid: int, interval: float = 0.5) -> threading.Thread:
    """Send ourselves SIGTERM (a clean stop) once ``parent_pid`` is no longer our parent."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="jobdeck-parent-watch", daemon=True)
    thread.start()
    return thread

