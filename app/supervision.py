"""How ``jobdeck serve``'s job worker is doing, as its web processes see it.

``serve`` writes the state to a ``SupervisionBoard``: a page of shared memory it maps before forking
the web server, so every gunicorn process reads the latest state without a query, a file or a lock.
``worker_supervision()`` gives it to a view: ``{"state": ..., "detail": ...}``, or None when the
web server was not started by ``serve`` (then nothing supervises a worker from here).

States: ``running``; ``restarting`` (it crashed and is restarted after a back-off); ``gave-up`` (it
crashed too often in a short time: no jobs run until ``serve`` is restarted); ``none`` (``serve
--no-worker``). Only ``serve``'s main flow writes it, never a signal handler, so writes never overlap.
"""

from __future__ import annotations

import json
import mmap
import struct
import zlib

__all__ = ["STATES", "SupervisionBoard", "worker_supervision"]

STATES = ("running", "restarting", "gave-up", "none")
CONFIG_KEY = "JOBDECK_WORKER_SUPERVISION"

_HEADER = struct.Struct("<II")  # payload length, crc32
_SIZE = 4096
_READ_ATTEMPTS = 5


class SupervisionBoard:
    """A shared page holding one small JSON state; written by ``serve``, read by its web processes."""

    def __init__(self):
        self.page = mmap.mmap(-1, _SIZE)  # anonymous and shared: inherited by every fork

    def write(self, state: str, detail: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown worker supervision state {state!r}")
        payload = json.dumps({"state": state, "detail": detail}).encode()[: _SIZE - _HEADER.size]
        self.page[_HEADER.size:_HEADER.size + len(payload)] = payload
        self.page[:_HEADER.size] = _HEADER.pack(len(payload), zlib.crc32(payload))

    def read(self) -> dict | None:
        # A read racing a write sees a checksum that does not match: read again.
        for _ in range(_READ_ATTEMPTS):
            length, crc = _HEADER.unpack(self.page[:_HEADER.size])
            payload = self.page[_HEADER.size:_HEADER.size + length]
            if length and zlib.crc32(payload) == crc:
                return json.loads(payload)
        return None


def worker_supervision(app) -> dict | None:
    """The state ``serve`` last wrote for ``app``'s worker, or None when ``serve`` did not start it."""
    board = app.config.get(CONFIG_KEY)
    return board.read() if board is not None else None
