"""Constraints: each clause is compiled, then evaluated in Python (``can``) or SQL (``restrict``).

Both paths must agree on every row: a clause that cannot be evaluated (unknown field, unusable
value) matches nothing in either.
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
from app.security.grants import PermissionCache

__all__ = ["NEVER", "USER_TOKEN", "follow", "matches", "where_expression"]

USER_TOKEN = "$user"
NEVER = SQL("1 = 0")

_ORDER = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_TEXT_LOOKUPS = frozenset({"icontains", "contains", "startswith", "iexact"})
_LOOKUPS = frozenset({"exact", "in", "isnull", *_TEXT_LOOKUPS, *_ORDER})
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_INVALID = object()
_RELATED_CACHE_LIMIT = 1000
_UNICODE_LOWER_REGISTERED: weakref.WeakSet = weakref.WeakSet()


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


def _fetch(model, field, value, cache: PermissionCache):
    key = (model, field.name, value)
    if key not in cache.related:
        if len(cache.related) >= _RELATED_CACHE_LIMIT:
            cache.related.clear()
        cache.related[key] = model.get_or_none(field == value)
    return cache.related[key]


def _value(obj, field, cache: PermissionCache):
    if field.name in obj.__data__:
        return obj.__data__[field.name]
    pk = obj.get_id()  # a row selected with only some columns: load the rest once
    full = None if pk is None else _fetch(type(obj), type(obj)._meta.primary_key, pk, cache)
    return None if full is None else full.__data__.get(field.name)


def follow(obj, fk, cache: PermissionCache):
    """The row obj's foreign key fk points at (None for a null FK), fetched at most once."""
    related_id = _value(obj, fk, cache)
    if related_id is None:
        return None
    loaded = obj.__rel__.get(fk.name)
    if loaded is not None and loaded.__data__.get(fk.rel_field.name) == related_id:
        return loaded
    return _fetch(fk.rel_model, fk.rel_field, related_id, cache)


def matches(obj, clause: dict, user, cache: PermissionCache) -> bool:
    """Does obj satisfy every lookup of one clause? (``can()``'s side.)"""
    conditions = _compile(type(obj), clause, user)
    for fields, lookup, expected in conditions or ():
        target = obj
        for fk in fields[:-1]:
            target = follow(target, fk, cache)
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


def where_expression(model, clauses: list, user):
    """A WHERE expression for the rows of model any clause matches. (``restrict()``'s side.)"""
    alternatives = []
    for clause in clauses:
        conditions = _compile(model, clause, user)
        parts = [_condition(*condition) for condition in conditions] if conditions is not None else []
        alternatives.append(reduce(operator.and_, parts) if parts else NEVER)
    return reduce(operator.or_, alternatives)
