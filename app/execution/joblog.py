"""Writing a running job's log lines into JobLogEntry rows.

Lines are formatted when logged but written by a background thread in batches (one INSERT of many
rows every fraction of a second), so a job that logs 100,000 lines is not slowed by 100,000 commits,
and a page watching the result still sees lines arrive while the job runs.
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


def _insert_sql() -> str:
    # Built once per handler: peewee's insert_many() renders every value of every row through its
    # query builder, which cost several times the INSERT itself for 100,000-line logs.
    db = database.obj
    opening, closing = db.quote
    columns = ", ".join(f"{opening}{field.column_name}{closing}" for field in _COLUMNS)
    marks = ", ".join([db.param] * len(_COLUMNS))
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


class JobLogHandler(logging.Handler):
    """Routes records of the ``jobdeck.job`` loggers into one result's log."""

    def __init__(self, result_id, flush_interval: float = 0.2, batch_size: int = 2000):
        super().__init__(level=logging.DEBUG)
        self.result_id = result_id
        self._row_id = JobLogEntry.job_result.db_value(result_id)
        self._insert = _insert_sql()
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.patterns = get_config().sanitizer_patterns
        self.count = 0
        self._pending: collections.deque = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="jobdeck-log-writer", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "skip_db_logging", False):
            return
        try:
            message = record.getMessage()
            if record.exc_info:
                message = f"{message}\n```\n{''.join(traceback.format_exception(*record.exc_info)).rstrip()}\n```"
            display, object_type, object_id, url = describe_object(getattr(record, "object", None))
            grouping = str(getattr(record, "grouping", None) or record.funcName or "main")[:255]
            created = datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).replace(tzinfo=None)
        except Exception:
            self.handleError(record)
            return
        self._pending.append(
            (created, _level(record.levelno), grouping, message, display, object_type, object_id, url)
        )
        if len(self._pending) >= self.batch_size:
            self._wake.set()

    def _drain(self) -> list[tuple]:
        rows = []
        pending = self._pending
        while pending and len(rows) < self.batch_size:
            created, level, grouping, message, display, object_type, object_id, url = pending.popleft()
            rows.append((self._row_id, created, level, grouping, sanitize(message, self.patterns),
                         sanitize(display, self.patterns), object_type, object_id, url))
        return rows

    def _write(self) -> None:
        while self._pending:
            rows = self._drain()
            with database.atomic():
                database.cursor().executemany(self._insert, rows)
                JobResult.update(log_count=JobResult.log_count + len(rows)).where(
                    JobResult.id == self.result_id
                ).execute()
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
        """Stop the writer and write every line still pending."""
        self._stop.set()
        self._wake.set()
        self._writer.join()
        self._write()
        super().close()


class attach_job_log:
    """Context manager: while active, ``jobdeck.job`` loggers write into the result's log."""

    def __init__(self, result_id):
        self.handler = JobLogHandler(result_id)
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
        JobResult.update(log_count=JobResult.log_count + 1).where(JobResult.id == result_id).execute()
