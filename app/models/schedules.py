"""Runs requested for later, on a recurring schedule, or awaiting another user's approval.

A ScheduledJob holds a validated request frozen at the time it was made: the job, the requester,
the serialized inputs and run options, when to run and whether (and by whom) it was approved. Each
run it produces is a JobResult pointing back at it with the due time it was made for; the unique
(scheduled_job, scheduled_for) pair on JobResult is what makes "one run per due time" hold whatever
the number of dispatchers.
"""

from __future__ import annotations

import contextlib
import enum
import uuid

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow
from app.models.jobs import JobRecord
from app.models.users import User


class Interval(str, enum.Enum):
    """When a request runs: Nautobot's ``schedule.interval`` vocabulary."""

    IMMEDIATELY = "immediately"
    FUTURE = "future"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    CUSTOM = "custom"

    def __str__(self) -> str:
        return self.value

    @property
    def recurring(self) -> bool:
        return self in (Interval.HOURLY, Interval.DAILY, Interval.WEEKLY, Interval.CUSTOM)


class ApprovalState(str, enum.Enum):
    NOT_REQUIRED = "not-required"
    AWAITING = "awaiting"
    APPROVED = "approved"
    DENIED = "denied"

    def __str__(self) -> str:
        return self.value


class MisfirePolicy(str, enum.Enum):
    """What a recurring schedule does about the slots it missed while nothing dispatched."""

    ONCE = "once"  # one catch-up run, marked late
    SKIP = "skip"  # none: wait for the next slot
    ALL = "all"  # every missed slot, up to a cap

    def __str__(self) -> str:
        return self.value


class ScheduledJob(BaseModel):
    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    name = peewee.CharField(max_length=200)
    job_record = peewee.ForeignKeyField(JobRecord, null=True, backref="schedules", on_delete="SET NULL")
    # The job's class path when requested: still names the job if its record is deleted.
    task_name = peewee.CharField(max_length=300, default="")
    user = peewee.ForeignKeyField(User, null=True, backref="scheduled_jobs", on_delete="SET NULL")
    description = peewee.TextField(default="")

    interval = peewee.CharField(max_length=16, default=Interval.FUTURE.value)
    start_time = peewee.DateTimeField()  # UTC
    crontab = peewee.CharField(max_length=100, default="")
    time_zone = peewee.CharField(max_length=64, default="UTC")
    misfire_policy = peewee.CharField(max_length=8, default=MisfirePolicy.ONCE.value)

    # The validated, serialized inputs and run options (queue, profile, request metadata), frozen.
    task_kwargs = JSONField(default=dict)
    options = JSONField(default=dict)
    queue = peewee.CharField(max_length=100, default="default")
    # A digest of the job's source when it was requested: approval warns when the code changed since.
    code_digest = peewee.CharField(max_length=64, default="")

    enabled = peewee.BooleanField(default=True)
    approval_state = peewee.CharField(max_length=16, default=ApprovalState.NOT_REQUIRED.value, index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = peewee.DateTimeField(null=True)
    decision_reason = peewee.TextField(default="")

    next_run = peewee.DateTimeField(null=True, index=True)  # UTC; None once a one-off has run
    last_run = peewee.DateTimeField(null=True)
    total_run_count = peewee.IntegerField(default=0)
    # Why the last due run was skipped (job disabled, uninstalled, ...), and when; cleared by a run.
    skip_reason = peewee.TextField(default="")
    skipped_at = peewee.DateTimeField(null=True)

    created = peewee.DateTimeField(default=utcnow)
    last_updated = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "scheduled_job"
        indexes = ((("enabled", "approval_state", "next_run"), False),)

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return f"/scheduled-jobs/{self.id}/"

    def delete_instance(self, *args, **kwargs):
        """Delete the row and its uploaded inputs (kept for its runs only, as rows of no result)."""
        from app.models.results import FileProxy

        file_ids = []
        for value in (self.task_kwargs or {}).values():
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    file_ids.append(uuid.UUID(value))
        deleted = super().delete_instance(*args, **kwargs)
        if file_ids:
            FileProxy.delete().where(FileProxy.id.in_(file_ids) & FileProxy.job_result.is_null()
                                     & (FileProxy.purpose == FileProxy.PURPOSE_INPUT)).execute()
        return deleted

    @property
    def interval_choice(self) -> Interval:
        return Interval(self.interval)
