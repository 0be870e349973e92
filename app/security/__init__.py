"""Permissions: the one place that decides who may do what to which objects.

A user may act on an object when they are an active superuser, or when one of their enabled
ObjectPermissions (granted directly or through a group) lists the action and the object's type and
its constraints match the object. ``can()`` answers for one object (or, given a model or a type
name, for "at least some objects"); ``restrict()`` filters a query to the same objects in SQL.

Constraints: null or ``{}`` matches everything; a dict of Django-style lookups must all match
(``{"grouping": "Reports"}``, ``{"id__in": [...]}``, ``{"user": "$user"}``,
``{"job_record__grouping": "Reports"}``); a list of dicts matches when any does. Anything that
cannot be evaluated (unknown field, unusable value) matches nothing.

The package: ``object_types`` (model → object type name), ``grants`` (a user's permissions,
memoized), ``constraints`` (matching an instance, compiling a WHERE clause); the checks are here.
"""

from __future__ import annotations

from app.security.constraints import NEVER
from app.security.constraints import USER_TOKEN
from app.security.constraints import follow
from app.security.constraints import matches
from app.security.constraints import where_expression
from app.security.grants import CACHE_ATTRIBUTE
from app.security.grants import clear_permission_cache
from app.security.grants import is_active
from app.security.grants import permission_cache
from app.security.grants import user_permissions
from app.security.object_types import object_type_of
from app.security.object_types import register_object_type
from app.security.object_types import registration

__all__ = [
    "ACTIONS", "CACHE_ATTRIBUTE", "USER_TOKEN", "PermissionDenied", "can", "clear_permission_cache",
    "has_django_perm", "object_type_of", "register_object_type", "require", "restrict", "user_permissions",
]  # fmt: skip

ACTIONS = ("view", "add", "change", "delete", "run", "approve")


class PermissionDenied(Exception):
    """The user may not perform an action; ``str(exc)`` is a sentence fit to show them."""

    def __init__(self, message: str, action: str | None = None, object_type: str | None = None):
        super().__init__(message)
        self.message = message
        self.action = action
        self.object_type = object_type


def _grant(user, action: str, obj_or_model):
    """(decided answer or None, clauses, via, cache) shared by can() and restrict()."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if not is_active(user):
        return False, None, None, None
    if getattr(user, "is_superuser", False):
        return True, None, None, None
    object_type, _, _, via = registration(obj_or_model)
    cache = permission_cache(user)
    key = (object_type, action)
    if key not in cache.grants:
        return False, None, via, cache
    return (True if cache.grants[key] is None else None), cache.grants[key], via, cache


def can(user, action: str, obj_or_model) -> bool:
    """May user perform action on this object (or, given a model or type name, on some objects)?"""
    decided, clauses, via, cache = _grant(user, action, obj_or_model)
    if decided is not None:
        return decided
    if isinstance(obj_or_model, (type, str)):
        return True
    target = follow(obj_or_model, type(obj_or_model)._meta.fields[via], cache) if via else obj_or_model
    return target is not None and any(matches(target, clause, user, cache) for clause in clauses)


def restrict(query, user, action: str):
    """Narrow a select query (or a model) to the rows user may perform action on."""
    query = query.select() if isinstance(query, type) else query
    decided, clauses, via, _ = _grant(user, action, query.model)
    if decided is not None:
        return query if decided else query.where(NEVER)
    if via:
        fk = query.model._meta.fields[via]
        allowed = fk.rel_model.select(fk.rel_field).where(where_expression(fk.rel_model, clauses, user))
        return query.where(fk.in_(allowed))
    return query.where(where_expression(query.model, clauses, user))


def has_django_perm(user, perm: str, obj=None) -> bool:
    """Django-style ``"extras.run_job"`` (``app_label.action_modelname``) check through can()."""
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    if not (app_label and action and model_name):
        raise ValueError(f"invalid permission {perm!r}: expected 'app_label.action_modelname'")
    object_type = f"{app_label}.{model_name}".lower()
    if action not in ACTIONS:
        return False
    if obj is None:
        return can(user, action, object_type)
    if object_type_of(obj) != object_type:
        raise ValueError(f"permission {perm!r} does not apply to a {type(obj).__name__}")
    return can(user, action, obj)


def require(user, action: str, obj_or_model) -> None:
    """Raise PermissionDenied, with a sentence naming the object, unless can() allows it."""
    if can(user, action, obj_or_model):
        return
    object_type, noun, plural, _ = registration(obj_or_model)
    if isinstance(obj_or_model, (type, str)):
        message = f"You do not have permission to {action} {plural}."
    else:
        message = f"You do not have permission to {action} the {noun} \u201c{obj_or_model}\u201d."
    raise PermissionDenied(message, action=action, object_type=object_type)
