"""Git repositories of jobs: where they are cloned from and which commit their jobs run at."""

from __future__ import annotations

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow


class SyncStatus:
    """What the last sync of a repository did."""

    NEVER = "never"
    PENDING = "pending"
    SUCCESS = "success"
    PARTIAL = "partial"  # synced; some job files failed to load (their jobs keep their records)
    FAILED = "failed"  # nothing changed: the previous commit and its jobs stay

    CHOICES = (NEVER, PENDING, SUCCESS, PARTIAL, FAILED)


class GitRepository(BaseModel):
    """A remote Git repository whose ``jobs/`` package provides jobs.

    Credentials are never stored: ``username_env`` and ``token_env`` name environment variables of
    the processes that sync and run (web, workers, CLI) holding them.
    """

    id = peewee.AutoField()
    name = peewee.CharField(max_length=100, unique=True)
    slug = peewee.CharField(max_length=100, unique=True)
    remote_url = peewee.CharField(max_length=500)
    branch = peewee.CharField(max_length=200, default="main")
    username_env = peewee.CharField(max_length=100, default="")
    token_env = peewee.CharField(max_length=100, default="")
    provided_contents = JSONField(default=lambda: ["jobs"])
    current_commit = peewee.CharField(max_length=40, default="")
    last_sync_time = peewee.DateTimeField(null=True)
    sync_status = peewee.CharField(max_length=16, default=SyncStatus.NEVER)
    sync_error = peewee.TextField(default="")
    created = peewee.DateTimeField(default=utcnow)
    last_updated = peewee.DateTimeField(default=utcnow)

    def __str__(self):
        return self.name

    @property
    def display(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/git-repositories/{self.id}/"
