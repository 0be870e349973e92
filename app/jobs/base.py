"""The Job base class: what a job author subclasses."""

from __future__ import annotations

import inspect
import json
import os
import sys
from pathlib import Path

import yaml

from app.jobs.logger import INTERNAL_FILES
from app.jobs.logger import get_job_logger
from app.jobs.vars import DryRunVar
from app.jobs.vars import ScriptVariable

INTERNAL_FILES.add(os.path.normcase(__file__))

# Meta attributes and their defaults (None for the time limits means "the configured default").
META_DEFAULTS = {
    "name": None,
    "description": "",
    "approval_required": False,
    "dryrun_default": False,
    "field_order": (),
    "has_sensitive_variables": True,
    "hidden": False,
    "is_singleton": False,
    "read_only": False,
    "soft_time_limit": None,
    "time_limit": None,
    "task_queues": (),
    "template_name": None,
}


class classproperty:
    """A read-only property computed on the class (``HelloJobs.name`` works without an instance)."""

    def __init__(self, fget):
        self.fget = fget
        self.__doc__ = fget.__doc__

    def __get__(self, instance, owner):
        return self.fget(owner)


def _meta_value(cls, attribute: str):
    # Walk the MRO: a plain class attribute (``description = "..."``) or the class's own Meta wins
    # over anything inherited; our classproperties and variables are skipped.
    for klass in cls.__mro__:
        if klass is Job or klass is object:
            break
        value = klass.__dict__.get(attribute)
        if value is not None and not isinstance(value, (classproperty, ScriptVariable)):
            return value
        meta = klass.__dict__.get("Meta")
        if meta is not None and attribute in vars(meta):
            return vars(meta)[attribute]
    return META_DEFAULTS[attribute]


class RequestContext:
    """``self.request``: who asked for the run, and how.

    ``id`` is the task id (the same ``task_id`` given to the lifecycle methods), ``user`` the
    requesting user and ``META`` holds ``REMOTE_ADDR`` and ``HTTP_USER_AGENT`` captured when the run
    was submitted from the web or API (empty for the CLI, schedules and hooks).
    """

    def __init__(self, id=None, user=None, META=None):
        self.id = id
        self.user = user
        self.META = dict(META or {})

    def __repr__(self):
        return f"<RequestContext id={self.id} user={self.user}>"


class Job:
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
    """

    def __init__(self):
        self.logger = get_job_logger(self.class_path)
        self.job_result = None
        self.user = None
        self.request = RequestContext()
        self.failed = False
        self._context = None  # set by the runner: storage for files and the log flush

    # -- lifecycle: override what you need ---------------------------------------------------------

    def before_start(self, task_id, args, kwargs):
        """Called before ``run()``; an exception here fails the job and ``run()`` is skipped."""

    def run(self, *args, **kwargs):
        """The job's work. Receives the validated variables as keyword arguments."""
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    def on_success(self, retval, task_id, args, kwargs):
        """Called after ``run()`` returned and the job did not fail."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Called when ``before_start()`` or ``run()`` raised, or the job called ``fail()``."""

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        """Called last, whatever happened; ``status`` is a ``JobResultStatusChoices`` value."""

    # -- helpers for job code ---------------------------------------------------------------------

    def fail(self, message=None, *args, **kwargs):
        """Mark the job FAILURE without a traceback and go on running; logs ``message`` if given."""
        self.failed = True
        if message is not None:
            self.logger.failure(message, *args, **kwargs)

    def create_file(self, filename: str, content) -> object:
        """Store an output file with the result; ``content`` is ``str`` or ``bytes``.

        Raises ``ValueError`` when the file is larger than ``JOBDECK_JOB_CREATE_FILE_MAX_SIZE``.
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
        """Load a YAML file that sits beside the job's source file."""
        with open(self._resolve_own_path(filename), encoding="utf-8") as handle:
            return yaml.safe_load(handle)

    def load_json(self, filename):
        """Load a JSON file that sits beside the job's source file."""
        with open(self._resolve_own_path(filename), encoding="utf-8") as handle:
            return json.load(handle)

    # -- Nautobot 1.x logging methods ---------------------------------------------------------------

    def _log_legacy(self, level: str, obj, message):
        if message is None and isinstance(obj, str):
            obj, message = None, obj
        extra = {"object": obj} if obj is not None else {}
        getattr(self.logger, level)(message if message is not None else str(obj), extra=extra)

    def log(self, message):
        """1.x: log at INFO."""
        self._log_legacy("info", None, message)

    def log_debug(self, obj=None, message=None):
        """1.x: log at DEBUG; a lone string is the message, a model instance the linked object."""
        self._log_legacy("debug", obj, message)

    def log_info(self, obj=None, message=None):
        """1.x: log at INFO."""
        self._log_legacy("info", obj, message)

    def log_success(self, obj=None, message=None):
        """1.x: log at SUCCESS."""
        self._log_legacy("success", obj, message)

    def log_warning(self, obj=None, message=None):
        """1.x: log at WARNING."""
        self._log_legacy("warning", obj, message)

    def log_failure(self, obj=None, message=None):
        """1.x: log at FAILURE and mark the job failed (it keeps running)."""
        self.failed = True
        self._log_legacy("failure", obj, message)

    # -- class metadata -----------------------------------------------------------------------------

    @classproperty
    def name(cls) -> str:
        return _meta_value(cls, "name") or cls.__name__

    @classproperty
    def description(cls) -> str:
        return inspect.cleandoc(_meta_value(cls, "description") or "")

    @classproperty
    def description_first_line(cls) -> str:
        return next((line.strip() for line in cls.description.splitlines() if line.strip()), "")

    @classproperty
    def approval_required(cls) -> bool:
        return bool(_meta_value(cls, "approval_required"))

    @classproperty
    def dryrun_default(cls) -> bool:
        return bool(_meta_value(cls, "dryrun_default"))

    @classproperty
    def field_order(cls) -> list:
        return list(_meta_value(cls, "field_order") or [])

    @classproperty
    def has_sensitive_variables(cls) -> bool:
        return bool(_meta_value(cls, "has_sensitive_variables"))

    @classproperty
    def hidden(cls) -> bool:
        return bool(_meta_value(cls, "hidden"))

    @classproperty
    def is_singleton(cls) -> bool:
        return bool(_meta_value(cls, "is_singleton"))

    @classproperty
    def read_only(cls) -> bool:
        return bool(_meta_value(cls, "read_only"))

    @classproperty
    def soft_time_limit(cls):
        return _meta_value(cls, "soft_time_limit")

    @classproperty
    def time_limit(cls):
        return _meta_value(cls, "time_limit")

    @classproperty
    def task_queues(cls) -> list:
        return list(_meta_value(cls, "task_queues") or [])

    @classproperty
    def template_name(cls):
        return _meta_value(cls, "template_name")

    @classproperty
    def module_name(cls) -> str:
        return getattr(cls, "_jobdeck_module", None) or cls.__module__.rsplit(".", 1)[-1]

    @classproperty
    def class_path(cls) -> str:
        """``module.ClassName``: the job's stable identity."""
        return f"{cls.module_name}.{cls.__name__}"

    @classproperty
    def grouping(cls) -> str:
        """The module-level ``name``, else the module's name."""
        for module_name in (cls.__module__, getattr(cls, "_jobdeck_module_path", None)):
            module = sys.modules.get(module_name or "")
            value = getattr(module, "name", None)
            if isinstance(value, str) and value:
                return value
        return cls.module_name

    @classproperty
    def file_path(cls) -> str:
        return inspect.getfile(cls)

    @classproperty
    def supports_dryrun(cls) -> bool:
        return any(isinstance(var, DryRunVar) for var in cls._get_vars().values())

    @classproperty
    def properties_dict(cls) -> dict:
        """The job's metadata as a dict (what sync copies into its record)."""
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
        """This job's database record."""
        from app.models import JobRecord

        return JobRecord.get_or_none(JobRecord.class_path == self.class_path)

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
        from app.jobs.forms import job_form_class

        return job_form_class(cls, record)

    @classmethod
    def as_form(cls, data=None, files=None, record=None):
        """A form instance for this job, bound to ``data`` (and ``files``) when given."""
        from app.jobs.forms import bind_form

        return bind_form(cls, data, files, record=record)
