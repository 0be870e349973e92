"""Running a job from a test, and reading what the run left behind."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from app.jobs.base import Job
from app.jobs.fields import InMemoryFile
from app.jobs.vars import DryRunVar
from app.jobs.vars import FileVar


def find_job_record(job):
    """The JobRecord for ``job``: a record, a class path or a Job class.

    Class paths may be ``module.Class`` or the legacy ``local/module/Class`` and
    ``plugins/dotted.module/Class`` forms. When no record matches, the jobs root is synced once
    (a job added since the environment started) before giving up with ``LookupError``.
    """
    from app.catalog import sync_jobs
    from app.models import JobRecord

    if isinstance(job, JobRecord):
        return JobRecord.get_by_id(job.id)
    if isinstance(job, type) and issubclass(job, Job):
        class_path = job.class_path
    elif isinstance(job, str):
        class_path = job
    else:
        raise TypeError(f"run_job_for_testing() takes a JobRecord, a class path or a Job class, not {job!r}")
    for attempt in range(2):
        try:
            return JobRecord.get_for_class_path(class_path)
        except JobRecord.DoesNotExist:
            if attempt == 0:
                sync_jobs()
    known = ", ".join(sorted(record.class_path for record in JobRecord.select(JobRecord.class_path))) or "none"
    raise LookupError(f"no job record for {class_path!r} (known: {known})")


def create_test_user(username="test-user", *, superuser=True, permissions=(), password="password"):
    """Return the user ``username``, creating it when missing.

    A new user is a superuser unless ``superuser=False``; ``permissions`` grants Django-style
    permissions such as ``"extras.run_job"`` to it through an ObjectPermission::

        alice = create_test_user("alice", superuser=False, permissions=["extras.run_job"])
    """
    from app.db import database
    from app.models import ObjectPermission
    from app.models import PermissionUser
    from app.models import User

    with database.atomic():
        user = User.get_or_none(User.username == username)
        if user is None:
            user = User(username=username, is_superuser=superuser, is_staff=superuser)
            user.set_password(password)
            user.save()
        for perm in permissions:
            app_label, _, codename = perm.partition(".")
            action, _, model_name = codename.partition("_")
            if not (app_label and action and model_name):
                raise ValueError(f"invalid permission {perm!r}: expected 'app_label.action_modelname'")
            granted, _ = ObjectPermission.get_or_create(
                name=f"{username}: {perm}",
                defaults={"object_types": [f"{app_label}.{model_name}"], "actions": [action]},
            )
            PermissionUser.get_or_create(permission=granted, user=user)
    return user


def _as_upload(value, default_name: str):
    """Files in test data may be an InMemoryFile, bytes, text or an open file."""
    if value is None or isinstance(value, InMemoryFile) or hasattr(value, "filename"):
        return value
    if isinstance(value, str):
        return InMemoryFile(value.encode("utf-8"), default_name)
    if isinstance(value, (bytes, bytearray)):
        return InMemoryFile(bytes(value), default_name)
    if isinstance(value, io.IOBase) or hasattr(value, "read"):
        content = value.read()
        if isinstance(content, str):
            content = content.encode("utf-8")
        return InMemoryFile(content, Path(str(getattr(value, "name", default_name))).name)
    return value


def run_job_for_testing(job, data=None, commit=True, username="test-user", *, profile=False,
                        request_meta=None, task_queue=None, **kwargs):
    """Run a job to its end in this process, as a worker would, and return its JobResult.

    ``job`` is a JobRecord, a class path (``"hello_jobs.HelloJobs"``, ``"local/hello_jobs/HelloJobs"``)
    or a Job class. The job is enabled if needed and ``username`` is created (as a superuser) if
    missing; ``username=None`` runs it as the system user. Inputs go through the same validation,
    serialization and lifecycle as a worker run: ``data`` takes the API's typed values, and extra
    keyword arguments are merged into it (Nautobot 2.x's ``run_job_for_testing(job, **kwargs)``).
    A FileVar accepts an ``InMemoryFile``, bytes, text or an open file.

    ``commit=False`` (Nautobot 1.x) turns on the job's DryRunVar when it has one; Jobdeck never rolls
    back database changes. Invalid input raises ``JobDataError``. As Nautobot's, it runs a job that
    requires approval as if approved, and a singleton job without a lock (a test run is the only one);
    every other door refuses those runs until approvals and singleton locks land::

        result = run_job_for_testing("hello_jobs.HelloJobs", data={"person_name": "Ada"})
        assert result.status == JobResultStatusChoices.STATUS_SUCCESS
    """
    from app.catalog import job_class_for
    from app.execution.options import RunOptions
    from app.execution.options import apply_commit
    from app.execution.submit import run_in_process
    from app.models import JobRecord

    record = find_job_record(job)
    if not record.enabled:
        record.enabled = True
        record.save(only=[JobRecord.enabled])
    user = None if username is None else create_test_user(username)
    values = {**(data or {}), **kwargs}
    job_class = job_class_for(record)
    variables = job_class._get_vars()
    if not commit:
        # commit=True leaves the dry-run variables at their defaults, as the test author wrote them.
        values = apply_commit(job_class, values, False)
        if not any(isinstance(var, DryRunVar) for var in variables.values()):
            warnings.warn(
                f"commit=False has no effect on {record.class_path}: it has no DryRunVar, and Jobdeck does "
                "not roll back a job's database changes",
                stacklevel=2,
            )
    for name, var in variables.items():
        if isinstance(var, FileVar) and name in values:
            values[name] = _as_upload(values[name], name)
    options = RunOptions(queue=task_queue, profile=profile, request_meta=dict(request_meta or {}),
                         pre_approved=True, ignore_singleton_lock=True)
    return run_in_process(record, user, values, options=options)


def log_entries(job_result, *, level=None) -> list[tuple[str, str, str]]:
    """A result's log as ``(level, grouping, message)`` tuples, in the order they were written.

    ``level`` keeps only one level (``"info"``, ``LogLevelChoices.LOG_FAILURE``, ...)::

        assert ("info", "run", "Hello, Ada! (1)") in log_entries(result)
    """
    from app.models import JobLogEntry

    query = JobLogEntry.select().where(JobLogEntry.job_result == job_result.id)
    if level is not None:
        query = query.where(JobLogEntry.log_level == str(level))
    return [(entry.log_level, entry.grouping, entry.message) for entry in query.order_by(JobLogEntry.id)]


def log_messages(job_result, *, level=None) -> list[str]:
    """Only the messages of :func:`log_entries`."""
    return [message for _level, _grouping, message in log_entries(job_result, level=level)]


def output_files(job_result) -> dict[str, bytes]:
    """The files a run created with ``create_file()``, by name."""
    from app.models import FileProxy

    query = FileProxy.select().where(
        (FileProxy.job_result == job_result.id) & (FileProxy.purpose == FileProxy.PURPOSE_OUTPUT)
    )
    return {proxy.name: bytes(proxy.content) for proxy in query.order_by(FileProxy.uploaded_at)}
