"""register_jobs(): how a module makes its Job classes visible, and the checks made on the way in."""

from __future__ import annotations

import sys

import wtforms

from app.jobs.base import READ_ONLY_ATTRIBUTES  # noqa: F401  (re-exported: the names registry warns about)
from app.jobs.base import Job
from app.jobs.vars import is_valid_variable_name

# The seed's table of reserved names: metadata, lifecycle and helpers of the Job class.
RESERVED_NAMES = frozenset(
    {
        "after_return", "approval_required", "as_form", "as_form_class", "before_start", "celery_kwargs",
        "class_path", "class_path_dotted", "class_path_js_escaped", "create_file", "description",
        "description_first_line", "deserialize_data", "dryrun_default", "fail", "field_order", "file_path",
        "grouping", "has_sensitive_variables", "hidden", "is_singleton", "job_model", "job_result",
        "load_json", "load_yaml", "name", "on_failure", "on_retry", "on_success", "prepare_job_kwargs",
        "properties_dict", "read_only", "registered_name", "run", "serialize_data", "soft_time_limit",
        "supports_dryrun", "task_queues", "template_name", "time_limit", "user", "validate_data",
        # Jobdeck's own attributes of a running job.
        "logger", "request", "failed", "module_name", "log", "log_debug", "log_info", "log_success",
        "log_warning", "log_failure",
    }
)

# Attributes of a WTForms form, and our run-option names: a variable with one of these names would
# break the generated form or be mistaken for an option.
FORM_NAMES = frozenset(name for name in dir(wtforms.Form) if not name.startswith("__")) | {
    "csrf_token", "data", "errors", "meta", "task_queue", "job_queue", "profile", "schedule",
    "ignore_singleton_lock", "commit",
}


class JobDefinitionError(Exception):
    """A Job class cannot be registered as written."""


class _Collector:
    """Collects the classes registered while one module is being loaded."""

    def __init__(self):
        self.classes: list[type[Job]] = []
        self.warnings: list[str] = []
        self.registrars: dict[type[Job], str] = {}  # class -> module that called register_jobs()
        self.class_warnings: dict[type[Job], list[str]] = {}


_active: list[_Collector] = []
# Registrations made outside a load (e.g. a plugin module imported directly), by module.
_loose: dict[str, list[type[Job]]] = {}


def begin_collecting() -> _Collector:
    collector = _Collector()
    _active.append(collector)
    return collector


def end_collecting(collector: _Collector) -> None:
    _active.remove(collector)


def check_job_class(job_class) -> list[str]:
    """Raise JobDefinitionError for fatal mistakes; return warnings for questionable ones."""
    if not (isinstance(job_class, type) and issubclass(job_class, Job)) or job_class is Job:
        raise JobDefinitionError(f"register_jobs() takes Job subclasses, not {job_class!r}")
    label = job_class.__name__
    variables = job_class._get_vars()
    for var_name, var in variables.items():
        if var_name in RESERVED_NAMES:
            raise JobDefinitionError(
                f"Job {label}: variable {var_name!r} uses a reserved name of the Job class; rename the variable"
            )
        if var_name in FORM_NAMES or var_name.startswith("_") or not is_valid_variable_name(var_name):
            raise JobDefinitionError(
                f"Job {label}: variable {var_name!r} cannot be used as a form field name; rename the variable"
            )
        if var.widget_error:
            raise JobDefinitionError(f"Job {label}: variable {var_name!r} has an invalid widget: {var.widget_error}")
    for name in job_class.field_order:
        if name not in variables:
            raise JobDefinitionError(f"Job {label}: field_order names {name!r}, which is not a variable")
    if not callable(getattr(job_class, "run", None)) or job_class.run is Job.run:
        raise JobDefinitionError(f"Job {label}: it must implement run()")

    warnings = []
    for klass in job_class.__mro__:
        if klass is Job:
            break
        # Job.__init_subclass__ already removed these definitions and noted their names.
        for attribute in klass.__dict__.get("_jobdeck_shadowed", ()):
            warnings.append(
                f"Job {label}: {klass.__name__} redefines {attribute!r}, a read-only attribute of Job; "
                "Jobdeck ignores the redefinition"
            )
    if job_class.approval_required and job_class.has_sensitive_variables:
        warnings.append(
            f"Job {label}: approval_required and has_sensitive_variables are both set, but a job with sensitive "
            "variables cannot require approval (a request awaiting approval stores its inputs; sensitive ones "
            "are never stored); clear one of them in Meta or on the job's edit page"
        )
    soft, hard = job_class.soft_time_limit, job_class.time_limit
    if soft and hard and hard <= soft:
        warnings.append(
            f"Job {label}: time_limit ({hard:g}s) <= soft_time_limit ({soft:g}s); the job will be killed "
            "before SoftTimeLimitExceeded can be raised"
        )
    return warnings


def register_jobs(*job_classes) -> None:
    """Make Job classes discoverable; call it at the end of the module that defines them.

    A class that is never registered stays invisible. A variable with a reserved name (``name``,
    ``run``, ``data``, ...) or an invalid ``widget=`` makes the module fail to load with a message
    naming the job and the variable::

        register_jobs(CleanupDevices, SyncInventory)
    """
    registrar = sys._getframe(1).f_globals.get("__name__")
    for job_class in job_classes:
        warnings = check_job_class(job_class)
        if _active:
            collector = _active[-1]
            if job_class not in collector.classes:
                collector.classes.append(job_class)
                collector.registrars[job_class] = registrar
                collector.class_warnings[job_class] = warnings
                collector.warnings.extend(warnings)
        else:
            registered = _loose.setdefault(job_class.__module__, [])
            if job_class not in registered:
                registered.append(job_class)


def loose_registrations(module_name: str) -> list[type[Job]]:
    return list(_loose.get(module_name, []))
