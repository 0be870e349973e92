"""The Job base class: what a job author subclasses."""

from __future__ import annotations

import inspect
import json
import os
import sys
from pathlib import Path

import yaml

from app.jobs.legacy import LegacyLoggingMixin
from app.jobs.logger import INTERNAL_FILES
from app.jobs.logger import get_job_logger
from app.jobs.meta import classproperty
from app.jobs.meta import meta_value
from app.jobs.vars import DryRunVar
from app.jobs.vars import ScriptVariable

INTERNAL_FILES.add(os.path.normcase(__file__))

# Attributes a job may read but not redefine: a subclass's own definition is removed (Jobdeck keeps
# its own) and registering the job reports a warning naming it.
READ_ONLY_ATTRIBUTES = (
    "class_path", "grouping", "description_first_line", "job_model", "supports_dryrun", "properties_dict",
    "as_form",
)


def _meta_value(cls, attribute: str):
    # Only the author's classes hold Meta: the walk stops at Job (its mixins come after it).
    return meta_value(cls, attribute, Job)


class RequestContext:
    """``self.request``: who asked for the run, and how.

    ``id`` is the task id (the same ``task_id`` given to the lifecycle methods), ``user`` the
    requesting user and ``META`` holds ``REMOTE_ADDR`` and ``HTTP_USER_AGENT`` captured when the run
    was submitted from the web or API (empty for the CLI, schedules and hooks)::

        ip_address = self.request.META.get("HTTP_X_FORWARDED_FOR") or self.request.META.get("REMOTE_ADDR")
        self.logger.info("Running as %s (IP: %s)", self.request.user.username, ip_address)
    """

    def __init__(self, id=None, user=None, META=None):
        self.id = id
        self.user = user
        self.META = dict(META or {})

    def __repr__(self):
        return f"<RequestContext id={self.id} user={self.user}>"


class Job(LegacyLoggingMixin):
    """Base class of every job.

    Subclass it, declare input variables as class attributes, describe the job in ``Meta`` and
    implement ``run()``; then pass the class to ``register_jobs()``::

        from app.jobs import Job, StringVar, register_jobs

        class SayHello(Job):
            class Meta:
                name = "Say Hello"
                description = "Greets someone in the job log."

            person = StringVar(default="world")

            def run(self, *, person):
                self.logger.info("Hello, %s!", person)
                return f"greeted {person}"

        register_jobs(SayHello)

    Lifecycle, in order: ``before_start()``, ``run()``, then ``on_success()`` or ``on_failure()``,
    then ``after_return()``. Raise an exception or call ``self.fail()`` to fail the job.

    While it runs a job has ``self.logger``, ``self.user`` (the requesting user, or the system
    user), ``self.request`` (see :class:`RequestContext`) and ``self.job_result`` (its JobResult).
    Ported 1.x jobs may still call ``self.log_info()`` and the other ``log_*`` methods (see
    :class:`~app.jobs.legacy.LegacyLoggingMixin`).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A read-only attribute redefined by the class (or a mixin) is put back to Job's own; the
        # names are kept for the warning register_jobs() gives.
        shadowed = []
        for name in READ_ONLY_ATTRIBUTES:
            definer = next(klass for klass in cls.__mro__ if name in vars(klass))
            if vars(definer)[name] is not vars(Job)[name]:
                shadowed.append(name)
                setattr(cls, name, vars(Job)[name])
        cls._jobdeck_shadowed = tuple(shadowed)

    def __init__(self):
        self.logger = get_job_logger(type(self).class_path)
        self.job_result = None
        self.user = None
        self.request = RequestContext()
        self.failed = False
        self._context = None  # set by the runner: storage for files and the log flush

    # -- lifecycle: override what you need ---------------------------------------------------------

    def before_start(self, task_id, args, kwargs):
        """Called before ``run()``; an exception here fails the job and ``run()`` is skipped.

        ``task_id`` equals ``self.request.id``; ``kwargs`` holds the job's inputs::

            def before_start(self, task_id, args, kwargs):
                self.logger.info("Starting with %s", sorted(kwargs))
        """

    def run(self, *args, **kwargs):
        """The job's work. Receives the validated variables as keyword arguments.

        The return value is stored with the result (as JSON when it can be)::

            def run(self, *, person_name):
                self.logger.info("Hello, %s!", person_name)
                return {"greeted": person_name}
        """
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    def on_success(self, retval, task_id, args, kwargs):
        """Called after ``run()`` returned and the job did not fail; ``retval`` is its return value::

            def on_success(self, retval, task_id, args, kwargs):
                self.logger.success("Returned %s", retval)
        """

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Called when ``before_start()`` or ``run()`` raised, or the job called ``fail()``.

        ``exc`` is the exception (or ``run()``'s return value after ``fail()``), ``einfo`` its
        traceback (None after ``fail()``)::

            def on_failure(self, exc, task_id, args, kwargs, einfo):
                self.logger.failure("Failed: %s", exc)
        """

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        """Called last, whatever happened; ``status`` is a ``JobResultStatusChoices`` value::

            def after_return(self, status, retval, task_id, args, kwargs, einfo):
                if status == JobResultStatusChoices.STATUS_FAILURE:
                    self.logger.warning("Cleaning up after a failure")
        """

    # -- helpers for job code ---------------------------------------------------------------------

    def fail(self, message=None, *args, **kwargs):
        """Mark the job FAILURE without a traceback and go on running; logs ``message`` if given::

            if not occasion.endswith("Tuesday"):
                self.fail("It's supposed to be Tuesday!")
        """
        self.failed = True
        if message is not None:
            self.logger.failure(message, *args, **kwargs)

    def create_file(self, filename: str, content) -> object:
        """Store an output file with the result; ``content`` is ``str`` or ``bytes``.

        Raises ``ValueError`` when the file is larger than ``JOBDECK_JOB_CREATE_FILE_MAX_SIZE``::

            self.create_file("report.csv", "name,status\nams01,ok\n")
        """
        if self._context is None:
            raise RuntimeError("create_file() can only be used while the job runs")
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return self._context.create_file(filename, data)

    @classmethod
    def _own_folder(cls) -> Path:
        return Path(inspect.getfile(cls)).resolve().parent

    @classmethod
    def _resolve_own_path(cls, filename) -> Path:
        folder = cls._own_folder()
        path = (folder / filename).resolve()
        if not path.is_relative_to(folder):
            raise ValueError(f"{filename!r} is outside the job's folder; only files beside the job can be read")
        return path

    def load_yaml(self, filename):
        """Load a YAML file that sits beside the job's source file (paths may not leave its folder)::

            config = self.load_yaml("defaults.yaml")
        """
        with open(self._resolve_own_path(filename), encoding="utf-8") as handle:
            return yaml.safe_load(handle)

    def load_json(self, filename):
        """Load a JSON file that sits beside the job's source file::

            sites = self.load_json("sites.json")
        """
        with open(self._resolve_own_path(filename), encoding="utf-8") as handle:
            return json.load(handle)

    # -- class metadata -----------------------------------------------------------------------------

    @classproperty
    def name(cls) -> str:
        """``Meta.name``, else the class name: ``HelloJobs.name == "Say Hello"``."""
        return _meta_value(cls, "name") or cls.__name__

    @classproperty
    def description(cls) -> str:
        """``Meta.description`` (Markdown), dedented: ``MyJob.description.splitlines()``."""
        return inspect.cleandoc(_meta_value(cls, "description") or "")

    @classproperty
    def description_first_line(cls) -> str:
        """The description's first non-blank line, shown in job lists: ``MyJob.description_first_line``."""
        return next((line.strip() for line in cls.description.splitlines() if line.strip()), "")

    @classproperty
    def approval_required(cls) -> bool:
        """``Meta.approval_required`` (default False): ``if MyJob.approval_required: ...``."""
        return bool(_meta_value(cls, "approval_required"))

    @classproperty
    def dryrun_default(cls) -> bool:
        """``Meta.dryrun_default``: the initial value of the job's DryRunVar (``MyJob.dryrun_default``)."""
        return bool(_meta_value(cls, "dryrun_default"))

    @classproperty
    def field_order(cls) -> list:
        """``Meta.field_order``: variable names shown first, in this order (``["site", "count"]``)."""
        return list(_meta_value(cls, "field_order") or [])

    @classproperty
    def has_sensitive_variables(cls) -> bool:
        """``Meta.has_sensitive_variables`` (default True: inputs are never stored)."""
        return bool(_meta_value(cls, "has_sensitive_variables"))

    @classproperty
    def hidden(cls) -> bool:
        """``Meta.hidden``: left out of the job list by default (``MyJob.hidden``)."""
        return bool(_meta_value(cls, "hidden"))

    @classproperty
    def is_singleton(cls) -> bool:
        """``Meta.is_singleton``: never two runs at once (``MyJob.is_singleton``)."""
        return bool(_meta_value(cls, "is_singleton"))

    @classproperty
    def read_only(cls) -> bool:
        """``Meta.read_only``: the author's promise that the job changes nothing (``MyJob.read_only``)."""
        return bool(_meta_value(cls, "read_only"))

    @classproperty
    def soft_time_limit(cls):
        """``Meta.soft_time_limit`` in seconds, None for the configured default (``MyJob.soft_time_limit``)."""
        return _meta_value(cls, "soft_time_limit")

    @classproperty
    def time_limit(cls):
        """``Meta.time_limit`` in seconds, None for the configured default (``MyJob.time_limit``)."""
        return _meta_value(cls, "time_limit")

    @classproperty
    def task_queues(cls) -> list:
        """``Meta.task_queues``: queues the job may run on, the first the default (``["default"]``)."""
        return list(_meta_value(cls, "task_queues") or [])

    @classproperty
    def template_name(cls):
        """``Meta.template_name``: a template beside the job's file (``"my_job.html"``)."""
        return _meta_value(cls, "template_name")

    @classproperty
    def module_name(cls) -> str:
        """The job's module (file or package name) in its jobs root: ``HelloJobs.module_name == "hello_jobs"``."""
        return getattr(cls, "_jobdeck_module", None) or cls.__module__.rsplit(".", 1)[-1]

    @classproperty
    def class_path(cls) -> str:
        """``module.ClassName``, the job's stable identity: ``HelloJobs.class_path == "hello_jobs.HelloJobs"``.

        A Git repository's job has ``<slug>.jobs.module.ClassName``.
        """
        return f"{getattr(cls, '_jobdeck_class_prefix', '')}{cls.module_name}.{cls.__name__}"

    @classproperty
    def grouping(cls) -> str:
        """The module-level ``name``, else the module's name: ``HelloJobs.grouping == "Hello Jobs"``."""
        for module_name in (cls.__module__, getattr(cls, "_jobdeck_module_path", None)):
            module = sys.modules.get(module_name or "")
            value = getattr(module, "name", None)
            if isinstance(value, str) and value:
                return value
        return cls.module_name

    @classproperty
    def file_path(cls) -> str:
        """The source file that defines the class: ``Path(MyJob.file_path).parent``."""
        return inspect.getfile(cls)

    @classproperty
    def supports_dryrun(cls) -> bool:
        """True when the job has a DryRunVar: ``if MyJob.supports_dryrun: ...``."""
        return any(isinstance(var, DryRunVar) for var in cls._get_vars().values())

    @classproperty
    def properties_dict(cls) -> dict:
        """The job's metadata as a dict (what sync copies into its record): ``MyJob.properties_dict["name"]``."""
        return {
            "name": _meta_value(cls, "name") or cls.__name__,
            "grouping": cls.grouping,
            "description": inspect.cleandoc(_meta_value(cls, "description") or ""),
            "approval_required": cls.approval_required,
            "dryrun_default": cls.dryrun_default,
            "has_sensitive_variables": cls.has_sensitive_variables,
            "hidden": cls.hidden,
            "is_singleton": cls.is_singleton,
            "read_only": cls.read_only,
            "soft_time_limit": cls.soft_time_limit or 0.0,
            "time_limit": cls.time_limit or 0.0,
            "task_queues": cls.task_queues,
            "supports_dryrun": cls.supports_dryrun,
            "template_name": cls.template_name or "",
        }

    @property
    def job_model(self):
        """This job's database record (a JobRecord), e.g. ``self.job_model.enabled``."""
        from app.models import JobRecord

        if self.job_result is not None and self.job_result.job_record_id is not None:
            return self.job_result.job_record
        return JobRecord.get_or_none(JobRecord.class_path == type(self).class_path)

    @classmethod
    def _get_vars(cls) -> dict[str, ScriptVariable]:
        """Variables in form order: ``field_order`` first, then parents' before the subclass's."""
        found: dict[str, ScriptVariable] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if isinstance(value, ScriptVariable):
                    found.pop(attr, None)
                    found[attr] = value
        ordered = {name: found[name] for name in cls.field_order if name in found}
        ordered.update((name, var) for name, var in found.items() if name not in ordered)
        return ordered

    @classmethod
    def as_form_class(cls, record=None):
        """The generated WTForms form class: ``form = MyJob.as_form_class()(formdata)``."""
        from app.jobs.forms import job_form_class

        return job_form_class(cls, record)

    @classmethod
    def as_form(cls, data=None, files=None, record=None):
        """A form instance for this job, bound to ``data`` (and ``files``) when given::

            form = MyJob.as_form({"person_name": "Ada"})
            assert form.validate(), form.errors
        """
        from app.jobs.forms import bind_form

        return bind_form(cls, data, files, record=record)
