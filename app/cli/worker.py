"""``jobdeck worker``: the job worker in the foreground (``jobdeck serve`` starts one too)."""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time

from app.cli.common import CommandError
from app.cli.common import open_database
from app.cli.common import positive_int
from app.cli.pidfile import PidFile


def register(subparsers) -> None:
    parser = subparsers.add_parser("worker", help="run the job worker until Ctrl-C")
    parser.add_argument("--queue", action="append", dest="queues", metavar="NAME",
                        help="listen on this job queue (repeatable; default: JOBDECK_DEFAULT_QUEUE only)")
    parser.add_argument("--workers", type=positive_int, default=2, metavar="N",
                        help="runs executed at once, one worker process each (default 2)")
    parser.add_argument("--loglevel", type=log_level, default="INFO", metavar="LEVEL",
                        help="DEBUG, INFO (default), WARNING or ERROR")
    parser.add_argument("--pidfile", metavar="PATH",
                        help="write the worker's process id here, removed on exit; refuses to start "
                             "while the file names a running process")
    # Used by `jobdeck serve`: the worker stops when serve goes away, even if serve is killed.
    parser.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=worker)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"choose one of {', '.join(LOG_LEVELS)}")
    return level


def worker(args) -> int:
    from app.models.queues import QUEUE_NAME
    from app.models.queues import QUEUE_NAME_RULE
    from app.worker import run_worker

    bad = [name for name in args.queues or () if not QUEUE_NAME.match(name)]
    if bad:
        raise CommandError(f"--queue: {', '.join(map(repr, bad))} is not a queue name ({QUEUE_NAME_RULE} characters).")
    open_database()
    pidfile = PidFile(args.pidfile) if args.pidfile else None
    if pidfile:
        pidfile.acquire()
    try:
        if args.exit_with_parent:
            watch_parent(os.getppid())
        run_worker(args.queues or None, args.workers, loglevel=args.loglevel)
    finally:
        if pidfile:
            pidfile.release()
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

