"""What the workers page and ``GET /api/extras/workers/`` show: each worker, live or dead, with its
current runs, and per job queue the pending runs and the live workers listening on it.

Read from the database only (heartbeat rows and results): no worker is contacted.
"""

from __future__ import annotations

import dataclasses
import datetime
import socket

from peewee import fn

from app.db import utcnow
from app.execution.reaper import pid_alive
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobQueue
from app.models import JobResult
from app.models import WorkerHeartbeat
from app.security import restrict

__all__ = ["QueueState", "WorkerState", "overview"]


@dataclasses.dataclass
class WorkerState:
    beat: WorkerHeartbeat
    live: bool
    why_dead: str  # "" while live
    current_runs: int  # runs it executes now (STARTED results naming it)
    runs: list  # those of them the viewer may see: JobResult rows (id, name, job_record_id)
    silent_for: str = ""  # time since its last heartbeat, as "3 s", "5 min", "2 h", "1 d"


@dataclasses.dataclass
class QueueState:
    queue: JobQueue
    pending: int
    consumers: list[str]  # names of the live workers listening on it


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{max(int(seconds), 0)} s"


def _why_dead(beat: WorkerHeartbeat, cutoff: datetime.datetime, hostname: str) -> str:
    if beat.hostname == hostname and not pid_alive(beat.pid):
        return f"its process {beat.pid} is no longer running"
    if beat.last_seen < cutoff:
        return f"no heartbeat since {beat.last_seen:%Y-%m-%d %H:%M:%S} UTC"
    return ""


def overview(user, queues=None) -> tuple[list[WorkerState], list[QueueState]]:
    """(workers, live first then by name; the job queues ``user`` may view, or ``queues``, by name)."""
    now, hostname = utcnow(), socket.gethostname()
    cutoff = WorkerHeartbeat.live_cutoff(now)
    beats = list(WorkerHeartbeat.select().order_by(WorkerHeartbeat.name))
    started = JobResult.status == Status.STATUS_STARTED
    counts = dict(JobResult.select(JobResult.worker, fn.COUNT(JobResult.id)).where(started)
                  .group_by(JobResult.worker).tuples())
    runs: dict[str, list] = {}
    visible = restrict(JobResult.select(JobResult.id, JobResult.name, JobResult.worker, JobResult.job_record),
                       user, "view").where(started).order_by(JobResult.date_started)
    for result in visible:
        runs.setdefault(result.worker, []).append(result)
    workers = []
    for beat in beats:
        why = _why_dead(beat, cutoff, hostname)
        workers.append(WorkerState(beat, not why, why, counts.get(beat.name, 0), runs.get(beat.name, []),
                                   _duration((now - beat.last_seen).total_seconds())))
    workers.sort(key=lambda state: (not state.live, state.beat.name))

    if queues is None:
        queues = restrict(JobQueue.select(), user, "view").order_by(JobQueue.name)
    queues = list(queues)
    pending = dict(JobResult.select(JobResult.queue, fn.COUNT(JobResult.id))
                   .where((JobResult.status == Status.STATUS_PENDING)
                          & JobResult.queue.in_([queue.name for queue in queues]))
                   .group_by(JobResult.queue).tuples()) if queues else {}
    states = [QueueState(queue, pending.get(queue.name, 0),
                         [state.beat.name for state in workers if state.live and queue.name in state.beat.queues])
              for queue in queues]
    return workers, states
