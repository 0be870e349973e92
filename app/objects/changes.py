"""Change logging for registered models: every create, update and delete leaves an ObjectChange.

Models opt in by inheriting ``ChangeLogged`` (the built-in inventory and plugin models do). A save or
delete made anywhere (a page, the API, a job, the shell) records one ObjectChange in the same
transaction, so a write that rolls back leaves no record. Who, which request and which job run come
from ``app.objects.change_context``. An update's "before" is the row re-read by primary key just
before the write (one indexed read: it sees what the database held, whatever the instance was loaded
from); a save that changes nothing records nothing. Bulk queries (``Model.update()``,
``Model.insert_many()``, ``delete().where()``) bypass the model's methods and are not recorded.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import re
import uuid

from app.db import Prepared
from app.db import utcnow
from app.objects import change_context

__all__ = ["MASK", "ChangeLogged", "changed_object_type", "masked", "record_change", "snapshot"]

MASK = "********"
# Values of fields named like these are never stored in plain text.
_SECRET_NAME = re.compile(r"password|passwd|secret|token|private_key|api_key", re.IGNORECASE)


def _json_value(field, value):
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    try:  # coerce what the instance holds ("5" in an IntegerField) as the database would
        value = field.python_value(field.db_value(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    return str(value)


def snapshot(instance, data: dict | None = None) -> dict:
    """The instance's field values (or ``data``'s) as JSON, foreign keys as the related key (secrets in
    the clear: ``masked()`` before storing)."""
    data = instance.__data__ if data is None else data
    return {field.name: _json_value(field, data.get(field.name)) for field in instance._meta.sorted_fields}


def masked(data: dict | None, before: dict | None = None) -> dict | None:
    """``data`` with secret-looking values replaced by MASK (``MASK (changed)`` where ``before`` differs),
    so a changed token is seen to change and never read."""
    if data is None:
        return None
    out = dict(data)
    for name, value in data.items():
        if _SECRET_NAME.search(name) and value not in (None, ""):
            out[name] = f"{MASK} (changed)" if before is not None and before.get(name) != value else MASK
    return out


def changed_object_type(model) -> str:
    """``"dcim.device"``: the registered object type, else ``<module>.<model>`` in lower case."""
    from app.security.object_types import object_type_of

    try:
        return object_type_of(model)
    except ValueError:
        return f"{model.__module__.rsplit('.', 1)[-1]}.{model.__name__}".lower()


# SQL rendered once per kind of database: Peewee renders a query on every run, which cost more than
# the insert itself (bench/object_changes.py).
_INSERT = None
_READS: dict[type, Prepared] = {}


def _insert_query():
    global _INSERT
    if _INSERT is None:
        from app.models.changes import ObjectChange

        columns = ObjectChange._meta.sorted_fields
        _INSERT = (columns, Prepared(lambda p: ObjectChange.insert({column: p for column in columns})))
    return _INSERT


def record_change(instance, action, before: dict | None, after: dict | None) -> None:
    """Store one ObjectChange for ``instance`` (a ChangeAction, or its value)."""
    from app.models.changes import ChangeAction

    context = change_context.current()
    user = context.user
    values = {
        "id": uuid.uuid4(),
        "time": utcnow(),
        "user": getattr(user, "id", None),
        "user_name": getattr(user, "username", "") or "",
        "request_id": context.request_id,
        "action": ChangeAction(action).value,
        "changed_object_type": changed_object_type(type(instance)),
        "changed_object_id": str(instance._pk),
        "object_repr": str(instance)[:200],
        "object_data": after,
        "object_data_before": before,
        "job_result": context.job_result_id,
    }
    columns, insert = _insert_query()
    insert.execute(*(column.db_value(values[column.name]) for column in columns))


def _stored(instance) -> dict | None:
    """The row as the database holds it now, as a snapshot (None when there is no such row)."""
    model = type(instance)
    read = _READS.get(model)
    if read is None:
        read = _READS[model] = Prepared(lambda p: model.select().where(model._meta.primary_key == p))
    fields = model._meta.sorted_fields
    row = read.execute(model._meta.primary_key.db_value(instance._pk)).fetchone()
    if row is None:
        return None
    values = {field.name: field.python_value(value) for field, value in zip(fields, row, strict=True)}
    return snapshot(instance, values)


class ChangeLogged:
    """Mixin for a Peewee model whose saves and deletes are recorded as ObjectChanges."""

    def save(self, *args, **kwargs):
        creating = self._pk is None or kwargs.get("force_insert", False)
        with self._meta.database.atomic():
            before = None if creating else _stored(self)
            result = super().save(*args, **kwargs)
            after = snapshot(self)
            if creating or (result and before != after):
                record_change(self, "create" if creating or before is None else "update", masked(before),
                              masked(after, before))
        return result

    def delete_instance(self, *args, **kwargs):
        with self._meta.database.atomic():
            before = masked(snapshot(self))
            result = super().delete_instance(*args, **kwargs)
            if result:
                record_change(self, "delete", before, None)
        return result
