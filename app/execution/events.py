"""Where a running job's log lines, files and outcome go: its sink.

The runner reports a run through three calls, ``log(row)``, ``store_file(name, data)`` and
``finish(status, value, traceback)``:

- ``DirectSink`` writes them to the database itself (batched log inserts, FileProxy rows, the final
  status). ``runjob --local``, ``run_in_process`` and ``app.testing`` run jobs with it.
- ``PipeSink`` is the forked job process's: it writes each event as one message on a pipe to its
  supervisor (``app.execution.recorder``), which stores them. The job process itself then needs no
  database connection unless the job's own code queries.

A message is a 5-byte header (kind, payload length) and a ``marshal``-encoded payload of plain
values. Each log line is written as it is logged (a line logged just before a crash survives it);
a message of at most ``PIPE_BUF`` bytes is one ``write()``, which a pipe never splits or interleaves.
``FrameDecoder`` yields whole messages only; a message cut short by a killed process is dropped.
"""

from __future__ import annotations

import json
import marshal
import os
import select
import struct
import threading
import time
import uuid

from app.db import database
from app.execution import status
from app.execution.joblog import ROW_FIELDS
from app.execution.joblog import BatchedLogWriter
from app.jobs.choices import LogLevelChoices
from app.models import FileProxy

__all__ = ["FILE", "LOG", "OUTCOME", "DirectSink", "FrameDecoder", "PipeSink", "encode", "jsonable"]

LOG = 1  # a log row (see app.execution.joblog.log_row)
FILE = 2  # an output file: (id, name, content)
OUTCOME = 3  # the run's end: (status, return value as JSON text or None, traceback or None)

HEADER = struct.Struct("<BI")

ORPHANED = ("The worker process supervising this job stopped: lines logged just before may be missing, "
            "and the time limits no longer apply.")


def encode(kind: int, value) -> bytes:
    payload = marshal.dumps(value)
    return HEADER.pack(kind, len(payload)) + payload


def jsonable(value):
    """The return value as stored: itself when JSON can hold it, else its string."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


class PipeSink:
    """The job process's sink: every event becomes one message on ``fd`` (the supervisor reads it).

    ``interruptible`` is False while a message too long for one atomic write is being written: a
    soft time limit that fires then is kept in ``deferred`` and raised once the message is whole.
    """

    def __init__(self, fd: int, result):
        self.fd = fd
        self.result = result
        self.interruptible = True
        self.deferred: BaseException | None = None
        self.fallback: DirectSink | None = None
        self._lock = threading.Lock()  # jobs may log from several threads

    def log(self, row: tuple) -> None:
        if self.fallback is not None or not self._send(encode(LOG, row)):
            self.fallback.log(row)

    def store_file(self, name: str, data: bytes) -> FileProxy:
        if self.fallback is not None:
            return self.fallback.store_file(name, data)
        proxy = FileProxy(id=uuid.uuid4(), job_result=self.result, name=name, content=data, size=len(data))
        if not self._send(encode(FILE, (str(proxy.id), name, data))):
            return self.fallback.store_file(name, data)
        return proxy

    def close(self) -> None:
        if self.fallback is not None:
            self.fallback.close()

    def finish(self, final: str, value, traceback: str | None) -> None:
        if self.fallback is not None:
            self.fallback.finish(final, value, traceback)
            return
        text = None
        if value is not None:
            try:
                text = json.dumps(value, separators=(",", ":"))
            except (TypeError, ValueError):
                text = json.dumps(str(value))
        if not self._send(encode(OUTCOME, (str(final), text, traceback))):
            self.fallback.finish(final, value, traceback)

    def _send(self, message: bytes) -> bool:
        """Write one message; False (and a DirectSink in ``fallback``) if the supervisor is gone."""
        with self._lock:
            if self.fallback is not None:
                return False
            try:
                if len(message) <= select.PIPE_BUF:
                    os.write(self.fd, message)  # all or nothing, even when a signal interrupts it
                    return True
                self.interruptible = False
                try:
                    view = memoryview(message)
                    while view:
                        view = view[os.write(self.fd, view):]
                finally:
                    self.interruptible = True
            except BrokenPipeError:
                self._orphaned()
                return False
        if self.deferred is not None:
            deferred, self.deferred = self.deferred, None
            raise deferred
        return True

    def _orphaned(self) -> None:
        # The worker process supervising this one died (a kill, the OOM killer): nobody reads the
        # pipe any more, so the job stores the rest of its run itself rather than leave it STARTED.
        self.fallback = DirectSink(self.result)
        self.fallback.log((time.time(), str(LogLevelChoices.LOG_WARNING), "supervisor", ORPHANED, "", "", "", ""))


class DirectSink:
    """The in-process sink: log rows through a background batch writer, files and status right away."""

    def __init__(self, result):
        self.result = result
        self.writer = BatchedLogWriter(result.id)

    def log(self, row: tuple) -> None:
        self.writer.add(row)

    def store_file(self, name: str, data: bytes) -> FileProxy:
        return FileProxy.create(job_result=self.result, name=name, content=data, size=len(data))

    def close(self) -> None:
        """Write every line still waiting (before ``finish``)."""
        self.writer.close()

    def finish(self, final: str, value, traceback: str | None) -> None:
        with database.atomic():
            # Uploaded inputs live only for the run, like Nautobot's in-memory uploads.
            FileProxy.delete().where(
                (FileProxy.job_result == self.result) & (FileProxy.purpose == FileProxy.PURPOSE_INPUT)
            ).execute()
        status.finish(self.result, final, value=None if value is None else jsonable(value), traceback=traceback)


class FrameDecoder:
    """Splits bytes read from a pipe into messages: ``feed(data)`` yields (kind, value) pairs."""

    def __init__(self):
        self.buffer = bytearray()
        self.malformed = 0

    def feed(self, data: bytes) -> list[tuple[int, object]]:
        buffer = self.buffer
        buffer += data
        messages = []
        position, size, header = 0, len(buffer), HEADER.size
        with memoryview(buffer) as view:
            while size - position >= header:
                kind, length = HEADER.unpack_from(view, position)
                end = position + header + length
                if end > size:
                    break
                value = self._decode(kind, view[position + header:end])
                position = end
                if value is not None:
                    messages.append((kind, value))
        del buffer[:position]
        return messages

    @property
    def pending(self) -> int:
        """Bytes of an incomplete message (dropped if the process died before finishing it)."""
        return len(self.buffer)

    def _decode(self, kind: int, payload):
        try:
            value = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            value = None
        if not _SHAPES.get(kind, lambda value: False)(value):
            self.malformed += 1
            return None
        return value


def _is_row(value) -> bool:
    return (isinstance(value, tuple) and len(value) == ROW_FIELDS and isinstance(value[0], float)
            and all(isinstance(item, str) for item in value[1:]))


def _is_file(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], str) and isinstance(value[2], bytes))


def _is_outcome(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
            and all(item is None or isinstance(item, str) for item in value[1:]))


_SHAPES = {LOG: _is_row, FILE: _is_file, OUTCOME: _is_outcome}
