"""Job queues: the named queues runs are sent to and workers listen on (Nautobot 2.4's JobQueue).

A job names its allowed queues in ``Meta.task_queues`` (or an admin's override on its record); every
name a job uses, and ``JOBDECK_DEFAULT_QUEUE``, gets a row when the catalog syncs.
"""

from __future__ import annotations

import re

import peewee

from app.db import BaseModel
from app.db import utcnow

__all__ = ["QUEUE_NAME", "JobQueue"]

# Also a Huey queue (and Redis key) name: keep it to characters that need no quoting anywhere.
QUEUE_NAME = re.compile(r"^[\w.:-]{1,100}$")
QUEUE_NAME_RULE = "letters, digits, _ . : - only, at most 100"


class JobQueue(BaseModel):
    name = peewee.CharField(max_length=100, unique=True)
    description = peewee.CharField(max_length=200, default="")
    created = peewee.DateTimeField(default=utcnow)
    last_updated = peewee.DateTimeField(default=utcnow)

    def __str__(self):
        return self.name

    @property
    def display(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/job-queues/{self.id}/"

    @classmethod
    def ensure(cls, names) -> list[str]:
        """Create a row for each of ``names`` that has none; return the names created."""
        wanted = list(dict.fromkeys(name for name in names if name and QUEUE_NAME.match(name)))
        if not wanted:
            return []
        known = {name for (name,) in cls.select(cls.name).where(cls.name.in_(wanted)).tuples()}
        missing = [name for name in wanted if name not in known]
        for name in missing:
            cls.insert(name=name).on_conflict_ignore().execute()
        return missing

    @classmethod
    def refusal(cls, names) -> str | None:
        """Why ``names`` cannot be a job's task queues (an override), or None: each must be a JobQueue."""
        bad = [name for name in names if not QUEUE_NAME.match(name)]
        if bad:
            return f"Invalid queue name: {', '.join(bad)} ({QUEUE_NAME_RULE} characters)."
        known = {name for (name,) in cls.select(cls.name).where(cls.name.in_(list(names))).tuples()}
        unknown = [name for name in names if name not in known]
        if unknown:
            return (f"No job queue named {', '.join(unknown)}: choose among the job queues "
                    f"({', '.join(cls.names()) or 'none yet'}), or add it first.")
        return None

    @classmethod
    def names(cls) -> list[str]:
        return [name for (name,) in cls.select(cls.name).order_by(cls.name).tuples()]

    def jobs(self) -> list:
        """The job records that may send runs here (their allowed queues name this one)."""
        from app.models.jobs import JobRecord

        return [record for record in JobRecord.select().order_by(JobRecord.grouping, JobRecord.name)
                if self.name in record.queues]

    def blockers(self) -> list[str]:
        """Why this queue cannot be renamed or deleted now (empty when it can)."""
        from app.config import get_config
        from app.jobs.choices import JobResultStatusChoices as Status
        from app.models.results import JobResult
        from app.models.schedules import ScheduledJob

        reasons = []
        if self.name == get_config().default_queue:
            reasons.append("It is the default queue (JOBDECK_DEFAULT_QUEUE).")
        jobs = self.jobs()
        if jobs:
            names = ", ".join(f"\u201c{job}\u201d" for job in jobs[:5]) + (" \u2026" if len(jobs) > 5 else "")
            reasons.append(f"Jobs still send runs to it: {names}.")
        waiting = JobResult.select().where(
            (JobResult.queue == self.name)
            & JobResult.status.in_([Status.STATUS_PENDING, Status.STATUS_STARTED])).count()
        if waiting:
            reasons.append(f"{waiting} run(s) on it are pending or running.")
        scheduled = ScheduledJob.select().where((ScheduledJob.queue == self.name) & ScheduledJob.enabled).count()
        if scheduled:
            reasons.append(f"{scheduled} enabled scheduled job(s) send runs to it.")
        return reasons
