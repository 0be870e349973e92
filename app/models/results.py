"""What a run leaves behind: its result, its log lines and its files."""

from __future__ import annotations

import uuid

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow
from app.jobs.choices import JobResultStatusChoices
from app.jobs.choices import LogLevelChoices
from app.models.jobs import JobRecord
from app.models.schedules import ScheduledJob
from app.models.users import User


class JobResult(BaseModel):
    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    job_record = peewee.ForeignKeyField(JobRecord, null=True, backref="results", on_delete="SET NULL")
    name = peewee.CharField(max_length=255)
    task_name = peewee.CharField(max_length=300, default="")
    user = peewee.ForeignKeyField(User, null=True, backref="job_results", on_delete="SET NULL")
    status = peewee.CharField(max_length=16, default=JobResultStatusChoices.STATUS_PENDING, index=True)
    date_created = peewee.DateTimeField(default=utcnow, index=True)
    date_started = peewee.DateTimeField(null=True)
    date_done = peewee.DateTimeField(null=True)
    # The validated, serialized inputs; null when the job has sensitive variables.
    task_kwargs = JSONField(null=True)
    # Run options: queue, profile, ignore_singleton_lock, and the request metadata.
    options = JSONField(default=dict)
    result = JSONField(null=True)
    traceback = peewee.TextField(null=True)
    queue = peewee.CharField(max_length=100, default="default")
    worker = peewee.CharField(max_length=255, null=True)
    # The process that forked and watched the job (on the host named in ``worker``): the reaper's clue.
    supervisor_pid = peewee.IntegerField(null=True)
    log_count = peewee.IntegerField(default=0)
    # A run made for a schedule (or an approved request) and the due time it was made for: unique
    # together, so two dispatchers can never both create the run of one slot.
    scheduled_job = peewee.ForeignKeyField(ScheduledJob, null=True, backref="results", on_delete="SET NULL",
                                           index=False)  # the unique (scheduled_job, scheduled_for) index serves
    scheduled_for = peewee.DateTimeField(null=True)
    approved_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_at = peewee.DateTimeField(null=True)
    # The Git commit a repository job ran at (the last successful sync when the run started).
    git_commit = peewee.CharField(max_length=40, null=True)

    class Meta:
        indexes = (
            (("scheduled_job", "scheduled_for"), True),
            (("job_record", "date_created"), False),
            (("user", "date_created"), False),
            (("status", "worker"), False),
            (("status", "date_created"), False),
        )

    def __str__(self):
        return f"{self.name} created at {self.date_created} ({self.status})"

    def get_absolute_url(self) -> str:
        """The result page's path (the web route ``/results/<id>/``; models know no Flask)."""
        return f"/results/{self.id}/"

    @property
    def is_finished(self) -> bool:
        return self.status in JobResultStatusChoices.TERMINAL

    @property
    def duration(self):
        if self.date_started and self.date_done:
            return self.date_done - self.date_started
        return None


class JobLogEntry(BaseModel):
    # An integer key keeps log lines in write order and keeps 100k-line inserts cheap.
    id = peewee.BigAutoField()
    job_result = peewee.ForeignKeyField(JobResult, backref="logs", on_delete="CASCADE", index=False)
    created = peewee.DateTimeField(default=utcnow)
    log_level = peewee.CharField(max_length=16, default=LogLevelChoices.LOG_INFO)
    grouping = peewee.CharField(max_length=255, default="main")
    message = peewee.TextField(default="")
    log_object = peewee.CharField(max_length=200, default="")
    object_type = peewee.CharField(max_length=100, default="")
    object_id = peewee.CharField(max_length=64, default="")
    absolute_url = peewee.CharField(max_length=255, default="")

    class Meta:
        indexes = (
            (("job_result", "id"), False),
            (("job_result", "log_level", "id"), False),
        )


class FileProxy(BaseModel):
    """A file stored in the database so every machine sees it: job output, or an uploaded input."""

    PURPOSE_OUTPUT = "output"
    PURPOSE_INPUT = "input"

    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    job_result = peewee.ForeignKeyField(JobResult, null=True, backref="files", on_delete="CASCADE")
    name = peewee.CharField(max_length=255)
    purpose = peewee.CharField(max_length=8, default=PURPOSE_OUTPUT)
    size = peewee.IntegerField(default=0)
    content = peewee.BlobField()
    uploaded_at = peewee.DateTimeField(default=utcnow)

    def __str__(self):
        return self.name
