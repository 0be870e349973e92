"""Permissions: the one place that decides who may do what to which objects.

A user may act on an object when they are an active superuser, or when one of their enabled
ObjectPermissions (granted directly or through a group) lists the action and the object's type and
its constraints match the object. ``can()`` answers for one object (or, given a model or a type
name, for "at least some objects"); ``restrict()`` filters a query to the same objects in SQL.

Constraints: null or ``{}`` matches everything; a dict of Django-style lookups must all match
(``{"grouping": "Reports"}``, ``{"id__in": [...]}``, ``{"user": "$user"}``,
``{"job_record__grouping": "Reports"}``); a list of dicts matches when any does. Anything that
cannot be evaluated (unknown field, unusable value) matches nothing.
"""

from __future__ import annotations

import datetime
import operator
import weakref
from functools import reduce

import peewee
from peewee import SQL
from peewee import fn

from app.db import JSONField

__all__ = [
    "ACTIONS", "PermissionDenied", "can", "clear_permission_cache", "has_django_perm",
    "object_type_of", "register_object_type", "require", "restrict", "user_permissions",
]  # fmt: skip

ACTIONS = ("view", "add", "change", "delete", "run", "approve")
USER_TOKEN = "$user"
CACHE_ATTRIBUTE = "_jobdeck_perm_cache"

# "module.Class" -> (object type, noun, plural, FK to check through). Keyed by name so models that
# import this module, or are not written yet, need no import here.
_REGISTRY: dict[str, tuple[str, str, str, str | None]] = {
    "app.models.jobs.JobRecord": ("extras.job", "job", "jobs", None),
    "app.models.results.JobResult": ("extras.jobresult", "job result", "job results", None),
    "app.models.results.JobLogEntry": ("extras.jobresult", "log entry", "log entries", "job_result"),
    "app.models.results.FileProxy": ("extras.jobresult", "file", "files", "job_result"),
    "app.models.schedules.ScheduledJob": ("extras.scheduledjob", "scheduled job", "scheduled jobs", None),
    "app.models.git.GitRepository": ("extras.gitrepository", "Git repository", "Git repositories", None),
    "app.models.users.User": ("users.user", "user", "users", None),
    "app.models.users.Group": ("users.group", "group", "groups", None),
    "app.models.users.ObjectPermission": ("users.objectpermission", "permission", "permissions", None),
    "app.models.users.Token": ("users.token", "API token", "API tokens", None),
}

_ORDER = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_TEXT_LOOKUPS = frozenset({"icontains", "contains", "startswith", "iexact"})
_LOOKUPS = frozenset({"exact", "in", "isnull", *_TEXT_LOOKUPS, *_ORDER})
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_NEVER = SQL("1 = 0")
_INVALID = object()
_RELATED_CACHE_LIMIT = 1000
_UNICODE_LOWER_REGISTERED: weakref.WeakSet = weakref.WeakSet()


class PermissionDenied(Exception):
    """The user may not perform an action; ``str(exc)`` is a sentence fit to show them."""

    def __init__(self, message: str, action: str | None = None, object_type: str | None = None):
        super().__init__(message)
        self.message = message
        self.action = action
        self.object_type = object_type


def register_object_type(model, object_type: str, noun: str = "", plural: str = "", via: str | None = None):
    """Give a model (a plugin's, say) an object type; ``via`` names an FK to check through."""
    noun = noun or object_type.rpartition(".")[2]
    _REGISTRY[f"{model.__module__}.{model.__qualname__}"] = (object_type, noun, plural or f"{noun}s", via)


def _registration(obj_or_model) -> tuple[str, str, str, str | None]:
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
    return _registration(obj_or_model)[0]


# --- the user's permissions ---------------------------------------------------------------------


class _PermissionCache:
    def __init__(self, grants: dict):
        self.grants = grants  # {(object_type, action): [clause, ...] or None for "everything"}
        self.related = {}  # (model, field name, value) -> row, for constraints through an FK


def _is_active(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_active", False))


def _clauses(constraints):
    """None for "everything", else the clause dicts ([] for malformed: nothing)."""
    if constraints is None or constraints == {}:
        return None
    if isinstance(constraints, dict):
        return [constraints]
    if not isinstance(constraints, list):
        return []
    if any(item == {} for item in constraints):
        return None
    return [item for item in constraints if isinstance(item, dict)]


def _load_grants(user) -> dict:
    from app.models.users import ObjectPermission
    from app.models.users import PermissionGroup
    from app.models.users import PermissionUser
    from app.models.users import UserGroup

    direct = PermissionUser.select(PermissionUser.permission).where(PermissionUser.user == user.id)
    groups = UserGroup.select(UserGroup.group).where(UserGroup.user == user.id)
    via_groups = PermissionGroup.select(PermissionGroup.permission).where(PermissionGroup.group.in_(groups))
    query = ObjectPermission.select(
        ObjectPermission.object_types, ObjectPermission.actions, ObjectPermission.constraints
    ).where(
        (ObjectPermission.enabled == True)  # noqa: E712
        & (ObjectPermission.id.in_(direct) | ObjectPermission.id.in_(via_groups))
    )
    grants: dict = {}
    for permission in query:
        clauses = _clauses(permission.constraints)
        types, actions = permission.object_types, permission.actions
        for object_type in types if isinstance(types, list) else [types]:
            for action in actions if isinstance(actions, list) else [actions]:
                key = (str(object_type).lower(), str(action).lower())
                if clauses is None or (key in grants and grants[key] is None):
                    grants[key] = None
                elif clauses:
                    grants[key] = grants.get(key, []) + clauses
    return grants


def _cache(user) -> _PermissionCache:
    cache = getattr(user, CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = _PermissionCache(_load_grants(user))
        setattr(user, CACHE_ATTRIBUTE, cache)
    return cache


def user_permissions(user) -> dict:
    """``{(object_type, action): clauses or None}``, one query, memoized on the user object."""
    return _cache(user).grants if _is_active(user) else {}


def clear_permission_cache(user) -> None:
    """Forget memoized permissions (for a user object that outlives a request)."""
    if user is not None and hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)


# --- constraints: each clause is compiled, then evaluated in Python (can) or SQL (restrict) -----


def _database(field):
    database = field.model._meta.database
    return getattr(database, "obj", database)  # through the DatabaseProxy


def _position(field, haystack, needle):
    if isinstance(_database(field), peewee.PostgresqlDatabase):
        return fn.STRPOS(haystack, needle)
    return fn.INSTR(haystack, needle)  # case-sensitive, unlike SQLite's LIKE


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _lower(field):
    database = _database(field)
    if not isinstance(database, peewee.SqliteDatabase):
        return fn.LOWER(field)
    # SQLite's LOWER() folds ASCII only; can() folds like str.lower(), so SQL must too.
    if database not in _UNICODE_LOWER_REGISTERED:
        database.register_function(_unicode_lower, "jobdeck_lower", 1, deterministic=True)
        _UNICODE_LOWER_REGISTERED.add(database)
    if not database.is_closed():
        # register_function reaches only new connections and this thread's; connections are
        # per thread, so one opened earlier by another thread would lack it.
        database.connection().create_function("jobdeck_lower", 1, _unicode_lower, deterministic=True)
    return fn.jobdeck_lower(field)


_MATCH = {
    "exact": operator.eq,
    "in": lambda actual, expected: actual in expected,
    "iexact": lambda actual, expected: actual.lower() == expected.lower(),
    "contains": lambda actual, expected: expected in actual,
    "icontains": lambda actual, expected: expected.lower() in actual.lower(),
    "startswith": lambda actual, expected: actual.startswith(expected),
    **_ORDER,
}
_WHERE = {
    "exact": operator.eq,
    "in": lambda field, value: field.in_(value),
    "iexact": lambda field, value: _lower(field) == value.lower(),
    "contains": lambda field, value: _position(field, field, value) > 0,
    "icontains": lambda field, value: _position(field, _lower(field), value.lower()) > 0,
    "startswith": lambda field, value: fn.SUBSTR(field, 1, len(value)) == value,
    **_ORDER,
}


def _resolve(model, key: str):
    """``"job_record__grouping__in"`` -> ([job_record FK, grouping field], "in"), or None."""
    parts = key.split("__")
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in _LOOKUPS else "exact"
    fields = []
    for name in parts:
        meta = getattr(model, "_meta", None)
        field = None if meta is None else meta.primary_key if name == "pk" else meta.combined.get(name)
        if field is None:
            return None
        fields.append(field)
        model = field.rel_model if isinstance(field, peewee.ForeignKeyField) else None
    if isinstance(fields[-1], (JSONField, peewee.BlobField)) and lookup != "isnull":
        return None
    if lookup in _TEXT_LOOKUPS and not isinstance(fields[-1], (peewee.CharField, peewee.TextField)):
        return None
    return fields, lookup


def _coerce(field, value):
    """The Python value a row of field would hold for value, or _INVALID."""
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return _INVALID
    if isinstance(field, peewee.BooleanField):
        text = str(value).lower()
        return value if isinstance(value, bool) else _BOOLEANS.get(text, _INVALID)
    if isinstance(value, bool):
        return _INVALID  # JSON true must not become id 1 (often the first admin)
    try:
        if isinstance(field, peewee.DateTimeField):
            value = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
            if not isinstance(value, datetime.datetime):
                return _INVALID
            if value.tzinfo is not None:  # stored naive UTC
                value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value
        return field.python_value(field.db_value(value))
    except (ValueError, TypeError, OverflowError):
        return _INVALID


def _prepare(field, lookup: str, value, user):
    """The expected value for a lookup (``$user`` substituted, coerced), or _INVALID."""
    if lookup == "isnull":
        return value if isinstance(value, bool) else _INVALID
    if lookup == "in":
        if not isinstance(value, list):
            return _INVALID
        items = [_coerce(field, user.id if item == USER_TOKEN else item) for item in value]
        return [item for item in items if item is not None and item is not _INVALID]
    value = _coerce(field, user.id if value == USER_TOKEN else value)
    return _INVALID if value is None and lookup != "exact" else value


def _compile(model, clause: dict, user):
    """[(fields, lookup, expected), ...] for a clause, or None when it can never match."""
    conditions = []
    for key, raw in clause.items():
        resolved = _resolve(model, key)
        if resolved is None:
            return None
        fields, lookup = resolved
        if lookup == "exact" and isinstance(raw, list):
            lookup = "in"  # {"id": [...]} lists explicit objects
        expected = _prepare(fields[-1], lookup, raw, user)
        if expected is _INVALID:
            return None
        conditions.append((fields, lookup, expected))
    return conditions


def _fetch(model, field, value, cache: _PermissionCache):
    key = (model, field.name, value)
    if key not in cache.related:
        if len(cache.related) >= _RELATED_CACHE_LIMIT:
            cache.related.clear()
        cache.related[key] = model.get_or_none(field == value)
    return cache.related[key]


def _value(obj, field, cache: _PermissionCache):
    if field.name in obj.__data__:
        return obj.__data__[field.name]
    pk = obj.get_id()  # a row selected with only some columns: load the rest once
    full = None if pk is None else _fetch(type(obj), type(obj)._meta.primary_key, pk, cache)
    return None if full is None else full.__data__.get(field.name)


def _follow(obj, fk, cache: _PermissionCache):
    related_id = _value(obj, fk, cache)
    if related_id is None:
        return None
    loaded = obj.__rel__.get(fk.name)
    if loaded is not None and loaded.__data__.get(fk.rel_field.name) == related_id:
        return loaded
    return _fetch(fk.rel_model, fk.rel_field, related_id, cache)


def _matches(obj, clause: dict, user, cache: _PermissionCache) -> bool:
    conditions = _compile(type(obj), clause, user)
    for fields, lookup, expected in conditions or ():
        target = obj
        for fk in fields[:-1]:
            target = _follow(target, fk, cache)
            if target is None:  # as in SQL, where a null FK is never IN the subquery
                return False
        actual = _value(target, fields[-1], cache)
        if lookup == "isnull":
            matched = (actual is None) == expected
        else:
            actual = _coerce(fields[-1], actual)
            if actual is None or expected is None:
                matched = actual is None and expected is None  # only "exact" allows a None
            else:
                matched = actual is not _INVALID and _MATCH[lookup](actual, expected)
        if not matched:
            return False
    return conditions is not None


def _condition(fields: list, lookup: str, expected):
    field = fields[0]
    if len(fields) > 1:
        # A subquery, not a join, so the caller's own joins are left alone.
        inner = field.rel_model.select(field.rel_field).where(_condition(fields[1:], lookup, expected))
        return field.in_(inner)
    if lookup == "isnull" or expected is None:
        return field.is_null(expected if lookup == "isnull" else True)
    return _WHERE[lookup](field, expected)


def _where(model, clauses: list, user):
    alternatives = []
    for clause in clauses:
        conditions = _compile(model, clause, user)
        parts = [_condition(*condition) for condition in conditions] if conditions is not None else []
        alternatives.append(reduce(operator.and_, parts) if parts else _NEVER)
    return reduce(operator.or_, alternatives)


# --- the public checks --------------------------------------------------------------------------


def _grant(user, action: str, obj_or_model):
    """(decided answer or None, clauses, via, cache) shared by can() and restrict()."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if not _is_active(user):
        return False, None, None, None
    if getattr(user, "is_superuser", False):
        return True, None, None, None
    object_type, _, _, via = _registration(obj_or_model)
    cache = _cache(user)
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
    target = _follow(obj_or_model, type(obj_or_model)._meta.fields[via], cache) if via else obj_or_model
    return target is not None and any(_matches(target, clause, user, cache) for clause in clauses)


def restrict(query, user, action: str):
    """Narrow a select query (or a model) to the rows user may perform action on."""
    query = query.select() if isinstance(query, type) else query
    decided, clauses, via, _ = _grant(user, action, query.model)
    if decided is not None:
        return query if decided else query.where(_NEVER)
    if via:
        fk = query.model._meta.fields[via]
        allowed = fk.rel_model.select(fk.rel_field).where(_where(fk.rel_model, clauses, user))
        return query.where(fk.in_(allowed))
    return query.where(_where(query.model, clauses, user))


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
    object_type, noun, plural, _ = _registration(obj_or_model)
    if isinstance(obj_or_model, (type, str)):
        message = f"You do not have permission to {action} {plural}."
    else:
        message = f"You do not have permission to {action} the {noun} \u201c{obj_or_model}\u201d."
    raise PermissionDenied(message, action=action, object_type=object_type)
