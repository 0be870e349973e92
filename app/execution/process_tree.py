"""Keeping every process a job starts under control: its group, its parent's death, leftovers.

A job process leads its own session (``detach_job_process``), so one ``killpg`` reaches everything
it started that stayed in its group. It dies with its supervisor (``PR_SET_PDEATHSIG`` on Linux, a
parent-pid watch elsewhere). The processes above it are child subreapers (``become_subreaper``):
whatever a job leaves behind when a process between them dies, even in a session of its own, is
re-parented to the nearest of them instead of to PID 1, and ``reap_leftovers`` kills and reaps it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

__all__ = ["become_subreaper", "children", "detach_job_process", "kill_group", "reap_leftovers"]

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PARENT_CHECK_INTERVAL = 0.5  # where there is no PR_SET_PDEATHSIG
REAP_TIMEOUT = 5.0


_libc = None  # loaded once, in the worker process, so each job process inherits it


def _prctl(option: int, value: int) -> bool:
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        return _libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def detach_job_process(parent_pid: int) -> None:
    """In a job process just forked by ``parent_pid``: lead a new session, and die with that parent.

    The session makes the job's group signalable as one; a job never reads the worker's terminal.
    """
    os.setsid()
    if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL):
        if os.getppid() != parent_pid:  # the parent died before prctl() took effect
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="jobdeck-parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_INTERVAL)
    # Here the job can take its own group down with it, which PR_SET_PDEATHSIG's SIGKILL cannot.
    os.killpg(os.getpgrp(), signal.SIGKILL)


def become_subreaper() -> bool:
    """Adopt this process's orphaned descendants (Linux 3.4+); False where that is not possible."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads, and ``pid`` itself (it may not lead it yet)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def children(pid: int | None = None) -> set[int]:
    """The child processes of ``pid`` (default: this process), zombies included."""
    pid = os.getpid() if pid is None else pid
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        found = set()
        for task in tasks:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.update(int(child) for child in handle.read().split())
        return found
    except FileNotFoundError:
        return _children_by_scan(pid)
    except OSError:
        return set()


def _children_by_scan(pid: int) -> set[int]:
    # Kernels without CONFIG_PROC_CHILDREN: read every process's parent.
    found = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def reap_leftovers(keep=(), timeout: float = REAP_TIMEOUT) -> int:
    """Kill (with their groups) and reap this process's children other than ``keep``; return how many.

    Adopted orphans re-parented here while their parents die are handled too. Only specific pids
    are waited for, so children this process waits for elsewhere (``keep``) keep their statuses.
    """
    keep = set(keep)
    reaped = 0
    if not keep:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                reaped += 1
        except ChildProcessError:
            return reaped  # no child left: the usual case, one system call
    deadline = time.monotonic() + timeout
    while True:
        left = children() - keep
        if not left:
            return reaped
        for pid in left:
            kill_group(pid)
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    reaped += 1
            except ChildProcessError:
                pass
        if time.monotonic() > deadline:
            log.warning("processes %s did not exit after SIGKILL", ", ".join(map(str, sorted(left))))
            return reaped
        time.sleep(0.01)
