"""Finding runs whose worker is gone and marking them ERRORED ("worker lost").

A STARTED result ran on this host is orphaned when the process that supervised it (its
``supervisor_pid``, a Huey worker process that Huey's consumer may have restarted since) no longer
exists; while that process lives, it still enforces the run's limits. Elsewhere, a result is
orphaned when its worker's heartbeat is older than ``worker_lost_after``. A result whose worker never
had a heartbeat (``runjob --local``, a bare Huey consumer) is only reaped when its process is known
dead, or once it has outlived its hard time limit by ``worker_lost_after``.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from pathlib import Path

from peewee import JOIN

from app.config import get_config
from app.db import database
from app.db import utcnow
from app.execution import status
from app.execution.joblog import append_line
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices
from app.models import JobRecord
from app.models import JobResult
from app.models import WorkerHeartbeat

__all__ = ["pid_alive", "reap"]

log = logging.getLogger(__name__)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The state follows the command name, which is in parentheses and may contain spaces.
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


_boot_time: float | None = None


def started_after(pid: int, moment: datetime.datetime) -> bool:
    """Whether process ``pid`` started more than a second after ``moment`` (naive UTC): then it is
    not the process that was running at ``moment``, its pid having been reused. False when unknown."""
    global _boot_time
    try:
        if _boot_time is None:
            stat = Path("/proc/stat").read_text()
            _boot_time = float(stat.split("btime", 1)[1].split()[0])
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return False
    started = _boot_time + ticks / os.sysconf("SC_CLK_TCK")
    return started > moment.replace(tzinfo=datetime.UTC).timestamp() + 1.0


def _parse_worker(name: str) -> tuple[str, int | None]:
    host, _, pid = (name or "").rpartition(":")
    return (host, int(pid)) if pid.isdigit() else (name or "", None)


def _lost_workers(hostname: str, cutoff: datetime.datetime) -> tuple[set[str], dict[str, str]]:
    """(every heartbeat name, {name: why that worker is considered gone})."""
    lost = {}
    beats = list(WorkerHeartbeat.select())
    for beat in beats:
        if beat.hostname == hostname and not pid_alive(beat.pid):
            lost[beat.name] = f"its process {beat.pid} on {hostname} is no longer running"
        elif beat.last_seen < cutoff:
            lost[beat.name] = f"no heartbeat since {beat.last_seen:%Y-%m-%d %H:%M:%S} UTC"
    return {beat.name for beat in beats}, lost


def _orphan_reason(result, known: set[str], lost: dict[str, str], hostname: str, now, grace) -> str | None:
    worker = result.worker or ""
    host, pid = _parse_worker(worker)
    if host == hostname and result.supervisor_pid:
        supervisor = result.supervisor_pid
        if pid_alive(supervisor) and not (result.date_started and started_after(supervisor, result.date_started)):
            return None
        return f"its supervising process {supervisor} on {hostname} is no longer running"
    if worker in lost:
        return lost[worker]
    if worker in known:
        return None
    if host == hostname and pid is not None and not pid_alive(pid):
        return f"its process {pid} on {hostname} is no longer running"
    hard = result.job_record.effective_time_limits()[1] if result.job_record else get_config().time_limit
    if result.date_started and result.date_started + datetime.timedelta(seconds=hard) + grace < now:
        return "it has no heartbeat and the run outlived its time limit"
    return None


def reap(hostname: str | None = None) -> list[str]:
    """Mark orphaned STARTED results ERRORED and forget long-dead workers; return the reaped result ids."""
    hostname = hostname or socket.gethostname()
    grace = datetime.timedelta(seconds=get_config().worker_lost_after)
    now = utcnow()
    known, lost = _lost_workers(hostname, now - grace)
    started = list(
        JobResult.select(JobResult.id, JobResult.worker, JobResult.supervisor_pid, JobResult.date_started, JobRecord)
        .join(JobRecord, JOIN.LEFT_OUTER)
        .where(JobResult.status == Status.STATUS_STARTED)
    )
    reaped = []
    for result in started:
        reason = _orphan_reason(result, known, lost, hostname, now, grace)
        if reason is None:
            continue
        message = f"worker lost: {result.worker or 'an unknown worker'} stopped while the job ran ({reason})"
        with database.atomic():
            recorded = status.finish_by_id(result.id, Status.STATUS_ERRORED, traceback=message)
            if recorded:
                append_line(result.id, LogLevelChoices.LOG_ERROR, message[:1].upper() + message[1:] + ".", "reaper")
        if recorded:
            log.warning("result %s ERRORED: %s", result.id, message)
            reaped.append(str(result.id))
    WorkerHeartbeat.forget_dead(lost, now)  # kept a while so the workers page can show them dead
    return reaped


def reap_safely(hostname: str | None = None) -> list[str]:
    """``reap()`` in its own connection, logging (not raising) errors: for the worker's loop."""
    try:
        with database.connection_context():
            return reap(hostname)
    except Exception:
        log.exception("reaping orphaned results failed; will retry")
        return []
