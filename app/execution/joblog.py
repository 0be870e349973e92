"""A running job's log lines: from ``logging`` records to JobLogEntry rows.

``JobLogHandler`` turns each record of the ``jobdeck.job`` loggers into a row (formatted, not yet
sanitized) and hands it to the run's sink (``app.execution.events``). Rows reach the database
through ``insert_rows``, which always sanitizes, in batches: one INSERT of many rows per
transaction, so a job that logs 100,000 lines is not slowed by 100,000 commits.
``BatchedLogWriter`` is the in-process batcher (a background thread); a worker's job process sends
its rows to its supervisor instead, which batches them the same way.
"""

from __future__ import annotations

import collections
import datetime
import functools
import logging
import threading
import traceback

from app.config import get_config
from app.db import database
from app.jobs.choices import level_name
from app.jobs.logger import NAMESPACE
from app.models import JobLogEntry
from app.models import JobResult
from app.sanitize import sanitize

_COLUMNS = (
    JobLogEntry.job_result,
    JobLogEntry.created,
    JobLogEntry.log_level,
    JobLogEntry.grouping,
    JobLogEntry.message,
    JobLogEntry.log_object,
    JobLogEntry.object_type,
    JobLogEntry.object_id,
    JobLogEntry.absolute_url,
)

# A row as a sink carries it: (created as a POSIX timestamp, level, grouping, message, linked
# object's display text, object type, object id, url). Plain str and float, so it pickles, marshals
# and compares cheaply.
ROW_FIELDS = 8


@functools.cache
def _insert_sql(quote: tuple[str, str], param: str) -> str:
    # Written once per dialect: peewee's insert_many() renders every value of every row through its
    # query builder, which cost several times the INSERT itself for 100,000-line logs.
    opening, closing = quote
    columns = ", ".join(f"{opening}{field.column_name}{closing}" for field in _COLUMNS)
    marks = ", ".join([param] * len(_COLUMNS))
    return f"INSERT INTO {opening}{JobLogEntry._meta.table_name}{closing} ({columns}) VALUES ({marks})"


@functools.cache
def _level(levelno: int) -> str:
    return str(level_name(levelno))


def describe_object(obj) -> tuple[str, str, str, str]:
    """(display text, object type, id, url) for a log line's linked object."""
    if obj is None:
        return "", "", "", ""
    meta = getattr(obj, "_meta", None)
    object_type = getattr(meta, "table_name", "") or type(obj).__name__.lower()
    get_id = getattr(obj, "get_id", None)
    object_id = str(get_id() if callable(get_id) else getattr(obj, "pk", getattr(obj, "id", "")) or "")
    url_method = getattr(obj, "get_absolute_url", None)
    url = str(url_method()) if callable(url_method) else ""
    return str(obj)[:200], object_type[:100], object_id[:64], url[:255]


def log_row(record: logging.LogRecord) -> tuple:
    """The row a log record becomes (its message not yet sanitized)."""
    message = record.getMessage()
    if record.exc_info:
        message = f"{message}\n```\n{''.join(traceback.format_exception(*record.exc_info)).rstrip()}\n```"
    display, object_type, object_id, url = describe_object(getattr(record, "object", None))
    grouping = str(getattr(record, "grouping", None) or record.funcName or "main")[:255]
    return (record.created, _level(record.levelno), grouping, message, display, object_type, object_id, url)


def insert_rows(result_id, rows, patterns: tuple[str, ...]) -> None:
    """Sanitize and insert log rows of one result, in order; the caller holds the transaction and
    updates ``log_count``."""
    db = database.obj
    row_id = JobLogEntry.job_result.db_value(result_id)
    utc = datetime.timezone.utc
    fromtimestamp = datetime.datetime.fromtimestamp
    database.cursor().executemany(_insert_sql(tuple(db.quote), db.param), [
        (row_id, fromtimestamp(created, utc).replace(tzinfo=None), level, grouping, sanitize(message, patterns),
         sanitize(display, patterns), object_type, object_id, url)
        for created, level, grouping, message, display, object_type, object_id, url in rows
    ])


def count_lines(result_id, added: int) -> None:
    JobResult.update(log_count=JobResult.log_count + added).where(JobResult.id == result_id).execute()


class JobLogHandler(logging.Handler):
    """Routes records of the ``jobdeck.job`` loggers into one run's sink as rows."""

    def __init__(self, sink):
        super().__init__(level=logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "skip_db_logging", False):
            return
        try:
            row = log_row(record)
        except Exception:
            self.handleError(record)
            return
        try:
            self.sink.log(row)
        except OSError:  # anything else (a deferred SoftTimeLimitExceeded) is the job's to see
            self.handleError(record)


class BatchedLogWriter:
    """Writes one result's rows from a background thread, a batch every fraction of a second, so a
    page watching the result sees lines arrive while the job runs."""

    def __init__(self, result_id, flush_interval: float = 0.2, batch_size: int = 2000):
        self.result_id = result_id
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.patterns = get_config().sanitizer_patterns
        self.count = 0
        self._pending: collections.deque = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="jobdeck-log-writer", daemon=True)
        self._writer.start()

    def add(self, row: tuple) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.batch_size:
            self._wake.set()

    def _write(self) -> None:
        pending = self._pending
        while pending:
            rows = [pending.popleft() for _ in range(min(len(pending), self.batch_size))]
            with database.atomic():
                insert_rows(self.result_id, rows, self.patterns)
                count_lines(self.result_id, len(rows))
            self.count += len(rows)

    def _write_loop(self) -> None:
        # Connects on its first write only: the lines of a job shorter than flush_interval are all
        # written by close(), which spares every short run a second connection.
        try:
            while True:
                self._wake.wait(self.flush_interval)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    self._write()
                except Exception:
                    logging.getLogger(__name__).exception("could not write job log lines; will retry")
                    self._stop.wait(self.flush_interval)
        finally:
            if not database.is_closed():
                database.close()

    def close(self) -> None:
        """Stop the thread and write every line still pending."""
        self._stop.set()
        self._wake.set()
        self._writer.join()
        self._write()


class attach_job_log:
    """Context manager: while active, ``jobdeck.job`` loggers write into ``sink``."""

    def __init__(self, sink):
        self.handler = JobLogHandler(sink)
        self.logger = logging.getLogger(NAMESPACE)

    def __enter__(self) -> JobLogHandler:
        self._saved = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.DEBUG)
        # Lines go to the result; the console (worker output) only gets what skips the database.
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        self.console = logging.StreamHandler()
        self.console.addFilter(lambda record: getattr(record, "skip_db_logging", False))
        self.console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.logger.addHandler(self.console)
        return self.handler

    def __exit__(self, *exc_info):
        self.logger.removeHandler(self.handler)
        self.logger.removeHandler(self.console)
        self.logger.setLevel(self._saved[0])
        self.logger.propagate = self._saved[1]
        self.handler.close()
        return False


def append_line(result_id, level: str, message: str, grouping: str) -> None:
    """One line written into a result's log by the framework itself (supervisor, reaper, cancel)."""
    with database.atomic():
        JobLogEntry.insert(job_result=result_id, log_level=level, grouping=grouping, message=message).execute()
        count_lines(result_id, 1)
