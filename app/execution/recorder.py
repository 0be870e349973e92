"""The supervisor's side of a run: storing what the job process sends on its pipe.

``feed()`` takes bytes read from the pipe (``app.execution.events`` messages). Log rows wait in a
batch, stored in one transaction (rows inserted, ``log_count`` updated) once ``batch_size`` rows
wait or the oldest has waited ``flush_interval``, so a page watching the result sees lines within
a fraction of a second. Files are stored with the next batch, straight away. ``settle()`` stores
the last batch, the final status (the job's own outcome, or why its process stopped) and deletes
the run's uploaded inputs in one transaction: whoever sees the final status sees every line.
"""

from __future__ import annotations

import json
import logging
import time

from app.config import get_config
from app.db import database
from app.execution import status
from app.execution.events import FILE
from app.execution.events import LOG
from app.execution.events import FrameDecoder
from app.execution.joblog import append_line
from app.execution.joblog import count_lines
from app.execution.joblog import insert_rows
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices
from app.models import FileProxy

__all__ = ["RunRecorder"]

log = logging.getLogger(__name__)

SETTLE_ATTEMPTS = 3


class RunRecorder:
    def __init__(self, result_id, *, drop_inputs: bool = False, flush_interval: float = 0.2,
                 batch_size: int = 2000):
        self.result_id = result_id
        self.drop_inputs = drop_inputs
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.patterns = get_config().sanitizer_patterns
        self.decoder = FrameDecoder()
        self.rows: list[tuple] = []
        self.files: list[tuple] = []
        self.outcome: tuple | None = None
        self.flush_at: float | None = None  # when the waiting rows and files are due (monotonic)

    def feed(self, data: bytes) -> bool:
        """Take bytes read from the pipe; True when a full batch is waiting."""
        for kind, value in self.decoder.feed(data):
            if kind == LOG:
                self.rows.append(value)
            elif kind == FILE:
                self.files.append(value)
                self.flush_at = time.monotonic()
            else:
                self.outcome = value
        if self.flush_at is None and self.rows:
            self.flush_at = time.monotonic() + self.flush_interval
        return len(self.rows) >= self.batch_size or bool(self.files)

    def due(self, now: float) -> bool:
        return len(self.rows) >= self.batch_size or (self.flush_at is not None and now >= self.flush_at)

    def flush(self) -> None:
        """Store the waiting rows and files; after a database error they wait for the next try."""
        try:
            with database.atomic():
                added = self._store()
                if added:
                    count_lines(self.result_id, added)
        except Exception:
            log.exception("could not store log lines or files of result %s; will retry", self.result_id)
            self.flush_at = time.monotonic() + self.flush_interval
            return
        self._stored()

    def settle(self, reason: str | None) -> str | None:
        """Store everything left and the final status; return why the run did not finish, or None.

        ``reason`` says why the process stopped without finishing (None: it exited normally). The
        job's own outcome, when it sent one, wins over the reason; "cancelled" leaves the status
        (REVOKED) alone.
        """
        if self.decoder.pending:
            log.warning("result %s: dropped %d bytes of a message cut short", self.result_id, self.decoder.pending)
        if self.outcome is not None:
            reason = None
        elif reason is None:
            reason = "the job process exited (code 0) before the job finished"
        for attempt in range(1, SETTLE_ATTEMPTS + 1):
            try:
                with database.atomic():
                    self._settle(reason)
                break
            except Exception:
                log.exception("could not record the end of result %s (attempt %d of %d)",
                              self.result_id, attempt, SETTLE_ATTEMPTS)
                if attempt < SETTLE_ATTEMPTS:
                    time.sleep(0.5 * attempt)
        self._stored()
        return reason

    def _settle(self, reason: str | None) -> None:
        added = self._store()
        if self.outcome is not None:
            final, text, traceback = self.outcome
            recorded = status.finish_by_id(self.result_id, final, value=None if text is None else json.loads(text),
                                           traceback=traceback, added_lines=added)
        elif reason != "cancelled":
            recorded = status.finish_by_id(self.result_id, Status.STATUS_ERRORED, traceback=reason,
                                           added_lines=added)
            if recorded:
                append_line(self.result_id, LogLevelChoices.LOG_ERROR, _sentence(reason), "supervisor")
                log.warning("result %s %s: %s", self.result_id, Status.STATUS_ERRORED, reason)
        else:
            recorded = False
        if added and not recorded:
            count_lines(self.result_id, added)
        if self.drop_inputs:
            # Uploaded inputs live only for the run, like Nautobot's in-memory uploads.
            FileProxy.delete().where(
                (FileProxy.job_result == self.result_id) & (FileProxy.purpose == FileProxy.PURPOSE_INPUT)
            ).execute()

    def _store(self) -> int:
        if self.rows:
            insert_rows(self.result_id, self.rows, self.patterns)
        for file_id, name, content in self.files:
            FileProxy.insert(id=file_id, job_result=self.result_id, name=name, content=content,
                             size=len(content)).execute()
        return len(self.rows)

    def _stored(self) -> None:
        self.rows, self.files, self.flush_at = [], [], None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
