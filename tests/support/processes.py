"""Following the processes a job started: the ``spawner.Spawner`` fixture job's pids, and their end."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from app.execution.reaper import pid_alive
from tests.support.worker import log_messages

__all__ = ["GONE_WITHIN", "parent_of", "spawned", "still_running"]

GONE_WITHIN = 5.0


def spawned(result_id, timeout: float = 15) -> tuple[int, list[int]]:
    """(the job process's pid, the pids it started), from Spawner's "Spawned ... in process ..." line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in log_messages(result_id):
            if message.startswith("Spawned "):
                pids, _, job = message[len("Spawned "):].rstrip(".").partition(" in process ")
                return int(job), [int(pid) for pid in pids.split(",")]
        time.sleep(0.02)
    raise AssertionError(f"the job never logged its processes: {log_messages(result_id)}")


def still_running(pids, within: float = GONE_WITHIN) -> set[int]:
    """Those of ``pids`` still running after ``within`` seconds (then killed: a failure leaves none)."""
    deadline = time.monotonic() + within
    left = {pid for pid in pids if pid_alive(pid)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {pid for pid in left if pid_alive(pid)}
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
