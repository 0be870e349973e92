"""Following a result from the terminal: its log lines as they are written, then its outcome."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from app.cli.common import EXIT_INTERRUPTED
from app.cli.common import CommandError
from app.db import database
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobResult

EXIT_TIMEOUT = 3  # still running when the wait ended
POLL_INTERVAL = 0.2
BATCH = 1000


class LogPrinter:
    """Prints a result's log lines once each, in write order."""

    def __init__(self, result_id, out):
        self.result_id = result_id
        self.out = out
        self.last_id = 0

    def drain(self) -> int:
        printed = 0
        while True:
            entries = list(
                JobLogEntry.select()
                .where((JobLogEntry.job_result == self.result_id) & (JobLogEntry.id > self.last_id))
                .order_by(JobLogEntry.id)
                .limit(BATCH)
            )
            for entry in entries:
                self.out.write(format_entry(entry) + "\n")
                self.last_id = entry.id
            self.out.flush()
            printed += len(entries)
            if len(entries) < BATCH:
                return printed


def format_entry(entry) -> str:
    line = f"{entry.log_level.upper():<8}  {entry.grouping:<14}  {entry.message}"
    return f"{line}  [{entry.log_object}]" if entry.log_object else line


def follow(result_id, out, timeout: float | None = None) -> JobResult | None:
    """Print log lines until the result finishes; return it, or None when ``timeout`` passes first."""
    printer = LogPrinter(result_id, out)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        printer.drain()
        status = JobResult.select(JobResult.status).where(JobResult.id == result_id).scalar()
        if status is None or status in Status.TERMINAL:
            printer.drain()  # lines written between the last poll and the final status
            return JobResult.get_or_none(JobResult.id == result_id)
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(POLL_INTERVAL)


class BackgroundPrinter:
    """Prints log lines from a thread while the job runs in this one (``runjob --local``)."""

    def __init__(self, result_id, out):
        self.printer = LogPrinter(result_id, out)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jobdeck-log-follower", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self.printer.drain()

    def _loop(self):
        try:
            while not self._stop.wait(POLL_INTERVAL):
                self.printer.drain()
        finally:
            database.close()  # this thread's own connection


def print_outcome(result: JobResult, out) -> None:
    duration = result.duration
    took = f" in {duration.total_seconds():.2f} s" if duration is not None else ""
    out.write(f"\nStatus: {result.status}{took}\n")
    if result.result is not None:
        out.write(f"Return value: {json.dumps(result.result, indent=2, default=str)}\n")
    if result.traceback:
        # The same field holds a real traceback or the framework's reason (cancelled, time limit, ...).
        label = "Traceback" if result.traceback.startswith("Traceback") else "Reason"
        out.write(f"{label}:\n" + "".join(f"  {line}\n" for line in result.traceback.splitlines()))
    files = list(
        FileProxy.select(FileProxy.name, FileProxy.size)
        .where((FileProxy.job_result == result.id) & (FileProxy.purpose == FileProxy.PURPOSE_OUTPUT))
        .order_by(FileProxy.uploaded_at)
    )
    if files:
        out.write("Output files:\n" + "".join(f"  {file.name} ({file.size:,} bytes)\n" for file in files))
    out.write(f"Result: {result.id}\n")
    out.flush()


def follow_interruptibly(result, timeout=None):
    """follow() to stdout; Ctrl-C stops following (exit 130) but leaves the job running."""
    try:
        return follow(result.id, sys.stdout, timeout)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise CommandError(
            f"Stopped following; the job keeps running. {how_to_follow(result.id)}", EXIT_INTERRUPTED
        ) from None


def how_to_follow(result_id) -> str:
    return (
        f"Follow it with `jobdeck results show {result_id} --follow`; "
        f"cancel it with `jobdeck results cancel {result_id}`."
    )


def finish(result, save_dir: Path | None) -> int:
    """Print the outcome (and save the output files); return the exit status it means."""
    print_outcome(result, sys.stdout)
    if save_dir is not None:
        save_files(result, save_dir)
    return 0 if result.status == Status.STATUS_SUCCESS else 1


def save_files(result, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for proxy in FileProxy.select().where(
        (FileProxy.job_result == result.id) & (FileProxy.purpose == FileProxy.PURPOSE_OUTPUT)
    ):
        target = directory / Path(proxy.name).name
        target.write_bytes(bytes(proxy.content))
        print(f"Saved {target}")
