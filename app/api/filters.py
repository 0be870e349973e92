"""Query-string filters, declared once per resource and used both to filter and to document.

Filtering is strict like Nautobot's: an unknown parameter answers 400 ``{"<param>": ["Unknown filter
field"]}`` instead of silently returning everything. A parameter given several times matches any of
its values (``?status=SUCCESS&status=FAILURE``).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from functools import reduce

from flask import request

from app.api.errors import ApiError
from app.api.pagination import PAGE_PARAMETERS
from app.objects.values import parse_boolean  # noqa: F401  (re-exported for the API's views)
from app.objects.values import parse_datetime  # noqa: F401
from app.objects.values import parse_integer  # noqa: F401
from app.objects.values import parse_uuid  # noqa: F401

# Accepted and ignored: pagination, and options pynautobot may send by default (exclude_m2m, include).
IGNORED_PARAMETERS = frozenset({*PAGE_PARAMETERS, "format", "brief", "depth", "exclude_m2m", "include"})


def choice_parser(choices, normalize=str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = normalize(text.strip())
        if value not in choices:
            raise ValueError(f"Select a valid choice. {text} is not one of the available choices.")
        return value

    return parse


@dataclasses.dataclass(frozen=True)
class Filter:
    """``where(values)`` builds the condition for the parsed values (several: any may match)."""

    name: str
    description: str
    where: Callable[[list], object]
    parse: Callable[[str], object] = str
    schema: dict = dataclasses.field(default_factory=lambda: {"type": "string"})
    multiple: bool = True


class FilterSet:
    def __init__(self, *filters: Filter):
        self.filters = {item.name: item for item in filters}

    def without(self, name: str) -> FilterSet:
        return FilterSet(*(item for item in self if item.name != name))

    def __iter__(self):
        return iter(self.filters.values())

    def apply(self, query, ignore=IGNORED_PARAMETERS):
        """Narrow query by the request's parameters (except ``ignore``); 400 for unknown ones or unusable values."""
        errors: dict[str, list[str]] = {}
        conditions = []
        for name in request.args:
            if name in ignore:
                continue
            spec = self.filters.get(name)
            if spec is None:
                errors[name] = ["Unknown filter field"]
                continue
            raw = request.args.getlist(name)
            if not spec.multiple and len(raw) > 1:
                errors[name] = ["Give this filter one value."]
                continue
            try:
                values = [spec.parse(text) for text in raw]
            except ValueError as exc:
                errors[name] = [str(exc)]
                continue
            conditions.append(spec.where(values))
        if errors:
            raise ApiError(400, errors)
        return query.where(reduce(operator.and_, conditions)) if conditions else query


def any_of(field) -> Callable[[list], object]:
    """Equality with any of the values."""
    return lambda values: field == values[0] if len(values) == 1 else field.in_(values)


def all_of(build) -> Callable[[list], object]:
    """Every value must hold (for ranges and text search)."""
    return lambda values: reduce(operator.and_, [build(value) for value in values])


BOOLEAN = {"type": "boolean"}
UUID = {"type": "string", "format": "uuid"}
DATETIME = {"type": "string", "format": "date-time"}
