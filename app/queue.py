"""The task queues: one Huey instance per queue name, all on the configured storage.

``JOBDECK_QUEUE_URL`` picks the storage: ``sqlite:///PATH`` (SqliteHuey, the default) or
``redis://...`` (RedisHuey). Every queue shares that storage; the queue name keeps their tasks apart.
A message carries the result's id and its sealed (encrypted) inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey
from huey import RedisHuey
from huey.storage import SqliteStorage

from app.config import get_config
from app.execution.sealing import seal

__all__ = ["enqueue", "get_huey", "make_huey"]

# Busy timeout (s) of the SQLite queue: web processes and workers write it concurrently.
SQLITE_TIMEOUT = 10


class _SqliteStorage(SqliteStorage):
    """Huey's SQLite storage with synchronous=NORMAL: safe in WAL mode, no fsync per task."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def make_huey(name: str, url: str | None = None, *, blocking: bool = True):
    """A new Huey instance for queue ``name`` with Jobdeck's tasks registered on it.

    ``blocking`` only matters for Redis: a worker listening to several queues polls them instead of
    blocking on one.
    """
    from app import tasks

    url = url or get_config().queue_url
    if url.startswith("sqlite:"):
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else url.split("sqlite:", 1)[1]
        if not path or path == ":memory:":
            raise ValueError("the queue must be a SQLite file every process can open, not :memory:")
        path = Path(path).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        # results=False: outcomes live in JobResult rows, so Huey's result store would be dead weight.
        huey = Huey(name, storage_class=_SqliteStorage, filename=str(path), results=False,
                    timeout=SQLITE_TIMEOUT, cache_mb=4)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, results=False, blocking=blocking)
    else:
        raise ValueError(f"unsupported queue URL {url!r}: use sqlite:///PATH or redis://HOST:PORT/DB")
    huey.jobdeck_tasks = tasks.register(huey)
    return huey


_hueys: dict[tuple[int, str, str], object] = {}
# Instances inherited from a parent process: kept referenced, because closing a SQLite connection
# opened before fork() could disturb the parent's locks.
_inherited: list = []


def get_huey(name: str | None = None):
    """The shared Huey instance of queue ``name`` in this process (default: the default queue)."""
    config = get_config()
    name = name or config.default_queue
    # Keyed by pid: a process forked from one that enqueued must not share its storage connection.
    key = (os.getpid(), config.queue_url, name)
    huey = _hueys.get(key)
    if huey is None:
        for stale in [other for other in _hueys if other[:2] != key[:2]]:
            # A parent process's, or another queue URL's (tests switch configs).
            previous = _hueys.pop(stale)
            if stale[0] == key[0]:
                previous.storage.close()
            else:
                _inherited.append(previous)
        huey = _hueys[key] = make_huey(name, config.queue_url)
    return huey


def enqueue(result_id, payload: dict, queue: str) -> None:
    """Queue ``run_job`` for a PENDING result (one INSERT or LPUSH; no worker presence check).

    The payload travels sealed (``app.execution.sealing``): the queue never holds a run's inputs in clear.
    """
    huey = get_huey(queue)
    huey.enqueue(huey.jobdeck_tasks["run_job"].s(str(result_id), seal(result_id, payload)))
