"""Nautobot-style filters for any model, from a query string or from an ObjectVar's ``query_params``.

One translation serves the REST list endpoints, the list pages and the ObjectVar options, so a value
the options offered is the value the server accepts::

    filter_queryset(Device, [("location", "hq"), ("status", "Active"), ("status", "Planned"), ("q", "sw")])

Parameter names, each a field of the model (no ``__`` traversal, as Nautobot's filter sets):

- ``field=value``: equality; repeated, any value may match. ``null`` matches an empty value.
- ``<fk>=value``: the related object's primary key, or its ``name`` when the related model has one;
  ``<fk>_id=value``: the primary key only.
- ``field__<suffix>``: ``n`` (not equal), ``ic``/``nic`` (contains, case-insensitive), ``isw``/``nisw``
  (starts with), ``iew``/``niew`` (ends with), ``ie``/``nie`` (equals, case-insensitive),
  ``gt``/``gte``/``lt``/``lte``, ``isnull`` (true or false).
- ``q=text``: any of the model's search fields contains the text (case-insensitive).

Unknown parameters and unusable values raise ``FilterError`` with Nautobot's error body shape.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable
from collections.abc import Mapping
from functools import reduce

import peewee

from app.objects.lookups import Q
from app.objects.lookups import field_named
from app.objects.queryset import QuerySet
from app.objects.registry import search_fields_of
from app.objects.values import parse_boolean
from app.objects.values import parse_date
from app.objects.values import parse_datetime
from app.objects.values import parse_decimal
from app.objects.values import parse_float
from app.objects.values import parse_integer
from app.objects.values import parse_uuid

__all__ = ["IGNORED_PARAMETERS", "FilterError", "FilterParameter", "filter_parameters", "filter_queryset",
           "parameter_pairs"]

# Paging and output options, read by the callers and never filters (pynautobot sends some by default).
IGNORED_PARAMETERS = frozenset({"limit", "offset", "format", "brief", "depth", "exclude_m2m", "include", "sort",
                                "per_page", "page"})
NULL = "null"

# Nautobot's suffix -> (manager lookup, negated)
_SUFFIXES = {
    "n": ("exact", True),
    "ic": ("icontains", False), "nic": ("icontains", True),
    "isw": ("istartswith", False), "nisw": ("istartswith", True),
    "iew": ("iendswith", False), "niew": ("iendswith", True),
    "ie": ("iexact", False), "nie": ("iexact", True),
    "gt": ("gt", False), "gte": ("gte", False), "lt": ("lt", False), "lte": ("lte", False),
    "isnull": ("isnull", False),
}
_TEXT_LOOKUPS = frozenset({"icontains", "istartswith", "iendswith", "iexact"})


class FilterError(ValueError):
    """Unknown parameters or unusable values: ``errors`` maps each parameter to its sentences."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items()))
        self.errors = errors


def parameter_pairs(params) -> list[tuple[str, str]]:
    """(name, text) pairs from a MultiDict, a list of pairs, or a mapping of values or lists of values.

    Model instances become their primary key and booleans ``true``/``false``, so an ObjectVar's
    ``query_params={"manufacturer_id": manufacturer}`` reads like the query string would.
    """
    if hasattr(params, "items") and hasattr(params, "getlist"):  # werkzeug MultiDict
        items = params.items(multi=True)
    elif isinstance(params, Mapping):
        items = [(key, item) for key, value in params.items()
                 for item in (value if isinstance(value, (list, tuple, set, frozenset)) else [value])]
    else:
        items = params
    return [(str(key), _as_text(value)) for key, value in items]


def _as_text(value) -> str:
    if isinstance(value, peewee.Model):
        return str(value.get_id())
    if isinstance(value, bool):
        return "true" if value else "false"
    return NULL if value is None else str(value)


def _parser(field):
    if isinstance(field, peewee.ForeignKeyField):
        return _parser(field.rel_field)
    if isinstance(field, peewee.BooleanField):
        return parse_boolean
    if isinstance(field, (peewee.IntegerField, peewee.AutoField)):
        return parse_integer
    if isinstance(field, peewee.UUIDField):
        return parse_uuid
    if isinstance(field, peewee.DateTimeField):
        return parse_datetime
    if isinstance(field, peewee.DateField):
        return parse_date
    if isinstance(field, peewee.FloatField):
        return parse_float
    if isinstance(field, peewee.DecimalField):
        return parse_decimal
    return str


_TEXT_FIELDS = (peewee.CharField, peewee.TextField)
_ORDERED_FIELDS = (peewee.IntegerField, peewee.FloatField, peewee.DecimalField, peewee.DateField,
                   peewee.DateTimeField, peewee.TimeField)


def _offers(field, lookup: str) -> bool:
    """As Nautobot's filter sets: text lookups on text fields, comparisons on numbers and times."""
    if lookup in _TEXT_LOOKUPS:
        return isinstance(field, _TEXT_FIELDS) and not field.choices
    if lookup in ("gt", "gte", "lt", "lte"):
        return isinstance(field, _ORDERED_FIELDS) and not isinstance(field, peewee.ForeignKeyField)
    return True


def _check_choice(field, text: str) -> str:
    if field.choices and text not in {str(value) for value, _ in field.choices}:
        raise ValueError(f"Select a valid choice. {text} is not one of the available choices.")
    return text


def _related_condition(field, values: list[str], negated: bool) -> Q:
    """``<fk>=`` takes a primary key, or the related object's name when the text is not a key."""
    parse = _parser(field.rel_field)
    keys, names = [], []
    for text in values:
        try:
            keys.append(parse(text))
        except ValueError:
            if "name" not in field.rel_model._meta.fields:
                raise
            names.append(text)
    parts = []
    if keys:
        parts.append(Q(**{f"{field.name}__in": keys}))
    if names:
        parts.append(Q(**{f"{field.name}__name__in": names}))
    condition = reduce(operator.or_, parts)
    return ~condition if negated else condition


def _condition(model, name: str, values: list[str]) -> Q:
    base, _, suffix = name.partition("__")
    field = field_named(model, base)
    if field is None or (suffix and suffix not in _SUFFIXES) or isinstance(field, peewee.ManyToManyField):
        raise LookupError(name)
    lookup, negated = _SUFFIXES[suffix] if suffix else ("exact", False)
    if not _offers(field, lookup):
        raise LookupError(name)
    by_id = isinstance(field, peewee.ForeignKeyField) and base == field.object_id_name
    if lookup == "isnull":
        wanted = [parse_boolean(text) for text in values]
        return reduce(operator.or_, [Q(**{f"{field.name}__isnull": value}) for value in wanted])
    nulls = [text for text in values if text == NULL and field.null and lookup == "exact"]
    rest = [text for text in values if text not in nulls]
    parts = []
    if nulls:
        parts.append(~Q(**{f"{field.name}__isnull": True}) if negated else Q(**{f"{field.name}__isnull": True}))
    if rest and isinstance(field, peewee.ForeignKeyField) and lookup == "exact" and not by_id:
        parts.append(_related_condition(field, rest, negated))
    elif rest:
        parse = str if lookup in _TEXT_LOOKUPS else _parser(field)
        parsed = [parse(_check_choice(field, text)) for text in rest]
        if lookup == "exact" and not negated:
            parts.append(Q(**{f"{field.name}__in": parsed}))
        else:
            each = [Q(**{f"{field.name}__{lookup}": value}) for value in parsed]
            parts.append(reduce(operator.and_, [~item for item in each]) if negated else reduce(operator.or_, each))
    return reduce(operator.and_ if negated else operator.or_, parts)


def _search(model, texts: list[str], search: tuple[str, ...]) -> Q:
    if not search:
        raise LookupError("q")
    per_text = [reduce(operator.or_, [Q(**{f"{path}__icontains": text.strip()}) for path in search])
                for text in texts if text.strip()]
    return reduce(operator.and_, per_text) if per_text else Q()


def filter_queryset(model, params, *, search: tuple[str, ...] | None = None,
                    ignore: Iterable[str] = IGNORED_PARAMETERS, base: QuerySet | None = None) -> QuerySet:
    """``model``'s rows matching every parameter (see the module docstring); raises FilterError.

    ``search`` overrides the fields ``q`` looks in (default: the registered ones, else ``name``);
    ``base`` is a QuerySet to narrow instead of all rows.
    """
    grouped: dict[str, list[str]] = {}
    for name, text in parameter_pairs(params):
        if name not in ignore:
            grouped.setdefault(name, []).append(text)
    errors: dict[str, list[str]] = {}
    conditions = []
    for name, values in grouped.items():
        try:
            if name == "q":
                conditions.append(_search(model, values, search_fields_of(model) if search is None else search))
            else:
                conditions.append(_condition(model, name, values))
        except LookupError:
            errors[name] = ["Unknown filter field"]
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise FilterError(errors)
    queryset = base if base is not None else model.objects.all()
    return queryset.filter(*conditions)


@dataclasses.dataclass(frozen=True)
class FilterParameter:
    """One query parameter ``filter_queryset`` accepts for a model, as the API document lists it."""

    name: str
    description: str
    schema: dict
    multiple: bool = True


_SCHEMAS = ((peewee.BooleanField, {"type": "boolean"}), (peewee.IntegerField, {"type": "integer"}),
            (peewee.FloatField, {"type": "number"}), (peewee.DateTimeField, {"type": "string", "format": "date-time"}),
            (peewee.DateField, {"type": "string", "format": "date"}), (peewee.UUIDField, {"type": "string",
                                                                                          "format": "uuid"}))
_WORDS = {"exact": ("equals", "differs from"), "icontains": ("contains", "does not contain"),
          "istartswith": ("starts with", "does not start with"), "iendswith": ("ends with", "does not end with"),
          "iexact": ("equals (any case)", "differs from (any case)"), "gt": ("greater than", ""),
          "gte": ("at least", ""), "lt": ("less than", ""), "lte": ("at most", "")}


def filter_parameters(model, search: tuple[str, ...] | None = None) -> list[FilterParameter]:
    """Every parameter ``filter_queryset(model, ...)`` accepts, in field order."""
    found = []
    search = search_fields_of(model) if search is None else search
    if search:
        found.append(FilterParameter("q", f"Search {', '.join(search)} (contains, any case).", {"type": "string"},
                                     multiple=False))
    for field in model._meta.sorted_fields:
        related = isinstance(field, peewee.ForeignKeyField)
        schema = {"type": "string"} if related else next(
            (schema for klass, schema in _SCHEMAS if isinstance(field, klass)), {"type": "string"})
        if field.choices:
            schema = {"enum": [str(value) for value, _ in field.choices]}
        by = " (primary key or name)" if related and "name" in field.rel_model._meta.fields else ""
        found.append(FilterParameter(field.name, f"{field.name} equals{by}; any of several values.", schema))
        if related:
            found.append(FilterParameter(field.object_id_name, f"{field.name}'s primary key.", schema))
        for suffix, (lookup, negated) in _SUFFIXES.items():
            if lookup == "isnull" and field.null:
                found.append(FilterParameter(f"{field.name}__isnull", f"{field.name} is empty (true/false).",
                                             {"type": "boolean"}, multiple=False))
            elif lookup != "isnull" and _offers(field, lookup):
                words = _WORDS[lookup][1 if negated else 0]
                found.append(FilterParameter(f"{field.name}__{suffix}", f"{field.name} {words}.", schema))
    return found
