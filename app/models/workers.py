"""Live worker processes, so a result whose worker vanished can be told apart from a slow one."""

from __future__ import annotations

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow


class WorkerHeartbeat(BaseModel):
    name = peewee.CharField(max_length=255, unique=True)
    hostname = peewee.CharField(max_length=255)
    pid = peewee.IntegerField()
    queues = JSONField(default=list)
    started = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(default=utcnow, index=True)
