"""Job metadata: ``classproperty``, and ``Meta`` values read along a job class's MRO."""

from __future__ import annotations

from app.jobs.vars import ScriptVariable

__all__ = ["META_DEFAULTS", "classproperty", "meta_value"]

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
    """A read-only property computed on the class (``HelloJobs.name`` works without an instance)::

        class Job:
            @classproperty
            def class_path(cls):
                return f"{cls.module_name}.{cls.__name__}"
    """

    def __init__(self, fget):
        self.fget = fget
        self.__doc__ = fget.__doc__

    def __get__(self, instance, owner):
        return self.fget(owner)


def meta_value(cls, attribute: str, base: type):
    """The value of a Meta ``attribute`` set on ``cls`` or a parent below ``base``, else its default."""
    # Walk the MRO: a plain class attribute (``description = "..."``) or the class's own Meta wins
    # over anything inherited; our classproperties and variables are skipped.
    for klass in cls.__mro__:
        if klass is base or klass is object:
            break
        value = klass.__dict__.get(attribute)
        if value is not None and not isinstance(value, (classproperty, ScriptVariable)):
            return value
        meta = klass.__dict__.get("Meta")
        if meta is not None and attribute in vars(meta):
            return vars(meta)[attribute]
    return META_DEFAULTS[attribute]
