"""Worker processes: each ``jobdeck worker`` keeps one row here, refreshed by its heartbeat.

A worker is live while its last heartbeat is younger than ``JOBDECK_WORKER_LOST_AFTER``; a worker that
stops cleanly removes its row, one that dies leaves it behind (shown as dead) until the reaper forgets
it ``DEAD_WORKERS_KEPT`` later.
"""

from __future__ import annotations

import datetime

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow

__all__ = ["DEAD_WORKERS_KEPT", "WorkerHeartbeat", "no_worker_warning"]

DEAD_WORKERS_KEPT = datetime.timedelta(days=1)


class WorkerHeartbeat(BaseModel):
    name = peewee.CharField(max_length=255, unique=True)
    hostname = peewee.CharField(max_length=255)
    pid = peewee.IntegerField()
    queues = JSONField(default=list)
    concurrency = peewee.IntegerField(default=1)  # runs it executes at once (``--workers``)
    started = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(default=utcnow, index=True)

    def __str__(self):
        return self.name

    @staticmethod
    def live_cutoff(now=None) -> datetime.datetime:
        """Heartbeats older than this are dead ones."""
        from app.config import get_config

        return (now or utcnow()) - datetime.timedelta(seconds=get_config().worker_lost_after)

    @classmethod
    def listeners(cls, queues) -> dict[str, int]:
        """{queue: live workers listening on it} for ``queues``: one indexed query, no worker contacted."""
        counts = dict.fromkeys(queues, 0)
        rows = cls.select(cls.queues).where(cls.last_seen >= cls.live_cutoff()).tuples()
        for (listened,) in rows:
            for queue in set(listened or ()) & counts.keys():
                counts[queue] += 1
        return counts

    @classmethod
    def forget_dead(cls, names, now=None) -> int:
        """Delete the rows of ``names`` (workers found dead) once they are ``DEAD_WORKERS_KEPT`` old."""
        names = list(names)
        if not names:
            return 0
        old = (now or utcnow()) - DEAD_WORKERS_KEPT
        return cls.delete().where(cls.name.in_(names) & (cls.last_seen < old)).execute()


def no_worker_warning(queue: str) -> str | None:
    """The sentence that tells a submitter their run will wait, or None when a live worker listens."""
    if WorkerHeartbeat.listeners([queue])[queue]:
        return None
    return (f"No live worker listens on queue \u201c{queue}\u201d: the run stays pending and will wait until one "
            f"does (start one with `jobdeck worker --queue {queue}`).")
