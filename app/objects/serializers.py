"""Registered objects as JSON in Nautobot 2.x's shape, a page at a time, and their JSON Schemas.

Every object has ``id``, ``object_type``, ``display`` and an absolute ``url``, then each field. A
foreign key is ``{"id", "object_type", "url"}`` at ``depth=0``; at ``depth=1`` or ``2`` it is the
related object serialized one level shallower. Related rows are fetched once per foreign key and
level for the whole page, so a page costs a handful of queries whatever its length::

    serialize_rows(kind_at("dcim", "devices"), devices, depth=1)
"""

from __future__ import annotations

import datetime

import peewee

from app.api.rendering import format_datetime
from app.api.schemas import closed
from app.api.schemas import nullable
from app.api.schemas import ref
from app.api.serializers import api_url
from app.db import JSONField
from app.objects.model_forms import form_field_names
from app.objects.model_forms import is_required
from app.objects.registry import kind_of
from app.security.object_types import object_type_of

__all__ = ["MAX_DEPTH", "component_name", "object_components", "serialize_rows"]

MAX_DEPTH = 2
# Jobdeck's own models have hand-written endpoints; a registered model may point at them.
OWN_ROUTES = {"users.user": "users/users", "users.group": "users/groups", "extras.job": "extras/jobs",
              "extras.jobresult": "extras/job-results", "extras.scheduledjob": "extras/scheduled-jobs",
              "extras.gitrepository": "extras/git-repositories"}


def object_url(model, pk) -> str | None:
    kind = kind_of(model)
    route = f"{kind.app_label}/{kind.slug}" if kind else OWN_ROUTES.get(_object_type(model))
    return api_url(f"{route}/{pk}/") if route else None


def _object_type(model) -> str:
    try:
        return object_type_of(model)
    except ValueError:  # a model no one registered: still say what it is
        return f"{model.__module__.rpartition('.')[2]}.{model.__name__.lower()}"


def _reference(model, pk) -> dict | None:
    if pk is None:
        return None
    return {"id": str(pk), "object_type": _object_type(model), "url": object_url(model, pk)}


def _value(field, value):
    if value is None:
        return None
    if field.choices:
        return {"value": value, "label": str(dict(field.choices).get(value, value))}
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)  # UUID, Decimal, netaddr values, ...


def _fetch(field, rows) -> dict:
    """{key: related row} for ``field`` of ``rows`` in one query, each row's relation cache filled."""
    keys = {row.__data__.get(field.name) for row in rows if field.name not in row.__rel__} - {None}
    if not keys:
        return {}
    found = {row.__data__[field.rel_field.name]: row
             for row in field.rel_model.select().where(field.rel_field.in_(list(keys)))}
    for row in rows:
        if row.__data__.get(field.name) in found:
            row.__rel__[field.name] = found[row.__data__[field.name]]
    return found


def _displays(model, rows) -> list[str]:
    """``str(row)`` of each row. The relations ``__str__`` follows (seen on the first row: a device
    type's manufacturer) are fetched once for the page, not once per row."""
    if not rows:
        return []
    before = set(rows[0].__rel__)
    first = str(rows[0])
    for name in set(rows[0].__rel__) - before:
        field = model._meta.fields.get(name)
        if isinstance(field, peewee.ForeignKeyField):
            _displays(field.rel_model, list(_fetch(field, rows[1:]).values()))  # theirs may follow more
    return [first, *(str(row) for row in rows[1:])]


def _related(field, rows, depth: int) -> dict:
    """{key: JSON} of the rows ``field`` points to from ``rows``: one query for the page.

    Only registered models nest: Jobdeck's own (a user, say) stay references, never their columns.
    """
    if depth == 0 or kind_of(field.rel_model) is None:
        return {}
    found = _fetch(field, rows)
    return dict(zip(found, serialize_rows(field.rel_model, list(found.values()), depth - 1), strict=True))


def serialize_rows(kind_or_model, rows, depth: int = 0) -> list[dict]:
    """The rows of one model as JSON, foreign keys nested to ``depth`` (0 to MAX_DEPTH)."""
    model = kind_or_model if isinstance(kind_or_model, type) else kind_or_model.model  # DeviceType has a "model"
    depth = max(0, min(depth, MAX_DEPTH))
    fields = [field for field in model._meta.sorted_fields if not field.primary_key]
    related = {field.name: _related(field, rows, depth)
               for field in fields if isinstance(field, peewee.ForeignKeyField)}
    serialized = []
    for row, display in zip(rows, _displays(model, rows), strict=True):
        pk = row.get_id()
        data = {"id": str(pk), "object_type": _object_type(model), "display": display, "url": object_url(model, pk)}
        for field in fields:
            if isinstance(field, peewee.ForeignKeyField):
                key = row.__data__.get(field.name)
                data[field.name] = related[field.name].get(key) or _reference(field.rel_model, key)
            else:
                data[field.name] = _value(field, row.__data__.get(field.name))
        serialized.append(data)
    return serialized


# --- JSON Schemas -------------------------------------------------------------------------------

_TYPES = (
    (peewee.BooleanField, {"type": "boolean"}),
    (peewee.IntegerField, {"type": "integer"}),
    (peewee.FloatField, {"type": "number"}),
    (peewee.DecimalField, {"type": "string", "format": "decimal"}),
    (peewee.DateTimeField, {"type": "string", "format": "date-time"}),
    (peewee.DateField, {"type": "string", "format": "date"}),
    (peewee.TimeField, {"type": "string", "format": "time"}),
    (peewee.UUIDField, {"type": "string", "format": "uuid"}),
    (JSONField, {}),
    (peewee.CharField, {"type": "string"}),
    (peewee.TextField, {"type": "string"}),
)
OBJECT_REF = "ObjectRef"
_REF_SCHEMA = closed({"id": {"type": "string"}, "object_type": {"type": "string"},
                      "url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}})


def component_name(model) -> str:
    """``DcimDeviceType``: the response schema's name (Create, Patch and Replace follow it)."""
    kind = kind_of(model)
    prefix = "".join(part.capitalize() for part in kind.app_label.split("_")) if kind else ""
    return f"{prefix}{model.__name__}"


def _scalar(field) -> dict:
    if field.choices:
        values = [value for value, _ in field.choices]
        return closed({"value": {"enum": values}, "label": {"type": "string"}})
    return next((schema for klass, schema in _TYPES if isinstance(field, klass)), {})


def _response_field(field) -> dict:
    if isinstance(field, peewee.ForeignKeyField):
        options = [ref(OBJECT_REF)]
        if kind_of(field.rel_model) is not None:
            options.append(ref(component_name(field.rel_model)))
        schema = {"anyOf": options}
    else:
        schema = _scalar(field)
    return nullable(schema) if field.null and schema else schema


def _input_field(field) -> dict:
    if isinstance(field, peewee.ForeignKeyField):
        key = {"type": "string", "format": "uuid"} if isinstance(field.rel_field, peewee.UUIDField) else {
            "anyOf": [{"type": "integer"}, {"type": "string"}]}
        schema = {"anyOf": [key, {"type": "object", "description": "{\"id\": ...} or field lookups matching "
                                                                  "exactly one object"}]}
    elif field.choices:
        schema = {"enum": [value for value, _ in field.choices]}
    else:
        schema = _scalar(field)
    schema = nullable(schema) if field.null and schema else schema
    return {**schema, "description": field.help_text} if field.help_text else schema


def object_components(kind) -> dict:
    """The response schema of a kind and its Create / Patch / Replace request bodies."""
    model, name = kind.model, component_name(kind.model)
    pk = model._meta.primary_key.name
    header = {"id": {"type": "string"}, "object_type": {"const": kind.object_type}, "display": {"type": "string"},
              "url": {"type": "string", "format": "uri"}}
    fields = {field.name: _response_field(field) for field in model._meta.sorted_fields if field.name != pk}
    writable = form_field_names(kind)
    properties = {field: _input_field(model._meta.fields[field]) for field in writable}
    required = [field for field in writable if is_required(model._meta.fields[field])]
    ignored = "Read-only fields of the response are accepted and ignored."

    def body(required_fields, description):
        return {"type": "object", "properties": properties, "required": required_fields,
                "description": f"{description} {ignored}".strip()}

    return {
        OBJECT_REF: _REF_SCHEMA,
        name: closed({**header, **fields}),
        f"{name}Create": body(required, ""),
        f"{name}Patch": body([], "Only the fields given change."),
        f"{name}Replace": body(required, "Every required field must be given."),
    }
