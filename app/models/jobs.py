"""Job records: one database row per registered Job class, with per-field admin overrides."""

from __future__ import annotations

import uuid

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow
from app.models.git import GitRepository

# Metadata an administrator may override; each has a ``<field>_override`` flag. While the flag is
# set, sync keeps the record's value; when it is cleared, the class's value comes back.
OVERRIDABLE_FIELDS = (
    "grouping",
    "name",
    "description",
    "approval_required",
    "dryrun_default",
    "has_sensitive_variables",
    "hidden",
    "is_singleton",
    "read_only",
    "soft_time_limit",
    "time_limit",
    "task_queues",
)

LEGACY_SOURCES = ("local", "git", "plugins")


class JobRecord(BaseModel):
    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    source = peewee.CharField(max_length=16, default="local")
    git_repository = peewee.CharField(max_length=100, null=True)  # the repository's slug, kept after it is deleted
    repository = peewee.ForeignKeyField(GitRepository, null=True, backref="jobs", on_delete="SET NULL")
    # A repository job runs at the commit of the last sync that loaded it (a file broken by a later
    # commit keeps its jobs running at the commit before).
    git_commit = peewee.CharField(max_length=40, null=True)
    module_name = peewee.CharField(max_length=200)
    job_class_name = peewee.CharField(max_length=100)
    class_path = peewee.CharField(max_length=300, unique=True)

    grouping = peewee.CharField(max_length=255, default="")
    name = peewee.CharField(max_length=100, default="")
    description = peewee.TextField(default="")
    approval_required = peewee.BooleanField(default=False)
    dryrun_default = peewee.BooleanField(default=False)
    has_sensitive_variables = peewee.BooleanField(default=True)
    hidden = peewee.BooleanField(default=False)
    is_singleton = peewee.BooleanField(default=False)
    read_only = peewee.BooleanField(default=False)
    soft_time_limit = peewee.FloatField(default=0.0)
    time_limit = peewee.FloatField(default=0.0)
    task_queues = JSONField(default=list)

    grouping_override = peewee.BooleanField(default=False)
    name_override = peewee.BooleanField(default=False)
    description_override = peewee.BooleanField(default=False)
    approval_required_override = peewee.BooleanField(default=False)
    dryrun_default_override = peewee.BooleanField(default=False)
    has_sensitive_variables_override = peewee.BooleanField(default=False)
    hidden_override = peewee.BooleanField(default=False)
    is_singleton_override = peewee.BooleanField(default=False)
    read_only_override = peewee.BooleanField(default=False)
    soft_time_limit_override = peewee.BooleanField(default=False)
    time_limit_override = peewee.BooleanField(default=False)
    task_queues_override = peewee.BooleanField(default=False)

    enabled = peewee.BooleanField(default=False)
    installed = peewee.BooleanField(default=True)
    supports_dryrun = peewee.BooleanField(default=False)
    is_job_hook_receiver = peewee.BooleanField(default=False)
    is_job_button_receiver = peewee.BooleanField(default=False)
    template_name = peewee.CharField(max_length=255, default="")
    source_file = peewee.CharField(max_length=1000, default="")
    created = peewee.DateTimeField(default=utcnow)
    last_updated = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("grouping", "name"), False),
            (("source", "repository", "module_name", "job_class_name"), True),
        )

    def __str__(self):
        return self.name or self.job_class_name

    @property
    def display(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        """The job page's path (the web route ``/jobs/<id>/``; models know no Flask)."""
        return f"/jobs/{self.id}/"

    @property
    def description_first_line(self) -> str:
        for line in (self.description or "").splitlines():
            if line.strip():
                return line.strip()
        return ""

    @property
    def runnable(self) -> bool:
        return self.enabled and self.installed

    @property
    def legacy_class_path(self) -> str:
        """Nautobot 1.x's form: ``local/module/Class``, ``git/<slug>/module/Class``."""
        if self.source == "git":
            return f"git/{self.git_repository}/{self.module_name}/{self.job_class_name}"
        return f"{self.source}/{self.module_name}/{self.job_class_name}"

    @property
    def queues(self) -> list[str]:
        """Queues this job may be sent to; the first is its default."""
        from app.config import get_config

        return list(self.task_queues) or [get_config().default_queue]

    def effective_time_limits(self) -> tuple[float, float]:
        """(soft, hard) limits in seconds: the record's values, else the configured defaults."""
        from app.config import get_config

        config = get_config()
        return (self.soft_time_limit or config.soft_time_limit, self.time_limit or config.time_limit)

    @classmethod
    def get_for_class_path(cls, class_path: str) -> "JobRecord":
        """Look a record up by ``module.Class`` or the legacy ``local/module/Class`` form.

        Raises ``JobRecord.DoesNotExist`` when there is none.
        """
        return cls.get(cls.class_path == normalize_class_path(class_path))

    @classmethod
    def get_by_natural_key(cls, module_name: str, job_class_name: str) -> "JobRecord":
        return cls.get((cls.module_name == module_name) & (cls.job_class_name == job_class_name))


def normalize_class_path(class_path: str) -> str:
    """``local/mod/Class`` and ``plugins/pkg.mod/Class`` -> ``mod.Class``; ``git/<slug>/mod/Class`` (or
    ``git/<slug>/jobs.mod/Class``) -> ``<slug>.jobs.mod.Class``; ``mod.Class`` unchanged."""
    parts = class_path.strip().split("/")
    if len(parts) == 3 and parts[0] in LEGACY_SOURCES:
        return f"{parts[1]}.{parts[2]}"
    if len(parts) == 4 and parts[0] == "git":
        return f"{parts[1]}.jobs.{parts[2].removeprefix('jobs.')}.{parts[3]}"
    return class_path.strip()
