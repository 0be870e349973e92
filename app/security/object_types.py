"""Object types: the names permissions use for models (``"extras.job"`` for JobRecord)."""

from __future__ import annotations

__all__ = ["object_type_of", "register_object_type", "registration"]

# "module.Class" -> (object type, noun, plural, FK to check through). Keyed by name so models that
# import this package, or are not written yet, need no import here.
_REGISTRY: dict[str, tuple[str, str, str, str | None]] = {
    "app.models.jobs.JobRecord": ("extras.job", "job", "jobs", None),
    "app.models.results.JobResult": ("extras.jobresult", "job result", "job results", None),
    "app.models.results.JobLogEntry": ("extras.jobresult", "log entry", "log entries", "job_result"),
    "app.models.results.FileProxy": ("extras.jobresult", "file", "files", "job_result"),
    "app.models.git.GitRepository": ("extras.gitrepository", "Git repository", "Git repositories", None),
    "app.models.schedules.ScheduledJob": ("extras.scheduledjob", "scheduled job", "scheduled jobs", None),
    "app.models.queues.JobQueue": ("extras.jobqueue", "job queue", "job queues", None),
    "app.models.workers.WorkerHeartbeat": ("extras.worker", "worker", "workers", None),
    "app.models.users.User": ("users.user", "user", "users", None),
    "app.models.users.Group": ("users.group", "group", "groups", None),
    "app.models.users.ObjectPermission": ("users.objectpermission", "permission", "permissions", None),
    "app.models.users.Token": ("users.token", "API token", "API tokens", None),
    "app.models.users.FailedLogin": ("users.failedlogin", "failed login", "failed logins", None),
}


def register_object_type(model, object_type: str, noun: str = "", plural: str = "", via: str | None = None):
    """Give a model (a plugin's, say) an object type; ``via`` names an FK to check through."""
    noun = noun or object_type.rpartition(".")[2]
    _REGISTRY[f"{model.__module__}.{model.__qualname__}"] = (object_type, noun, plural or f"{noun}s", via)


def registration(obj_or_model) -> tuple[str, str, str, str | None]:
    """(object type, noun, plural, via) for a model, an instance or an object type name."""
    if isinstance(obj_or_model, str):
        noun = obj_or_model.rpartition(".")[2]
        found = [entry for entry in _REGISTRY.values() if entry[0] == obj_or_model and not entry[3]]
        return found[0] if found else (obj_or_model, noun, f"{noun}s", None)
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        entry = _REGISTRY.get(f"{klass.__module__}.{klass.__qualname__}")
        if entry is not None:
            return entry
    raise ValueError(f"{model.__name__} has no object type: register it with register_object_type()")


def object_type_of(obj_or_model) -> str:
    """``"extras.job"`` for JobRecord (class or instance); a type name is returned as is."""
    return registration(obj_or_model)[0]
