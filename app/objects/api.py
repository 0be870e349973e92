"""The REST API of every registered model: ``/api/<app_label>/<slug>/`` and ``.../<pk>/``.

One set of routes serves every kind, found by ``kind_at`` when a request arrives, so a model
registered after start-up (a plugin's) is served too. The views are app/api/crud.py's, given a
``KindResource``: Nautobot's filters (app/objects/filtering.py) and ``depth``, the generated model form
for writes, and the same permission checks. Hand-written routes (``/api/extras/jobs/``, ...) keep
precedence: Werkzeug tries static path segments first, and a path that is no kind's falls through
to their 404 or 405.

The OpenAPI document lists each kind's paths, filters and schemas (``document_parts``).
"""

from __future__ import annotations

import dataclasses
import re

import peewee
from flask import request
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

from app.api.access import api_user
from app.api.access import visible
from app.api.crud import Resource
from app.api.crud import resource_views
from app.api.crud import route_specs
from app.api.errors import ApiError
from app.api.errors import not_found
from app.api.form_input import JSON
from app.api.registry import CONVERTERS
from app.api.registry import DOCUMENT_PARTS
from app.api.registry import OPERATIONS
from app.api.registry import Operation
from app.api.registry import bp
from app.api.rendering import render
from app.api.serializers import api_url
from app.objects.filtering import FilterError
from app.objects.filtering import filter_parameters
from app.objects.filtering import filter_queryset
from app.objects.model_forms import bind_values
from app.objects.model_forms import form_field_names
from app.objects.model_forms import is_required
from app.objects.registry import kind_at
from app.objects.registry import kinds
from app.objects.serializers import MAX_DEPTH
from app.objects.serializers import component_name
from app.objects.serializers import object_components
from app.objects.serializers import serialize_rows
from app.objects.values import parse_integer
from app.objects.values import parse_uuid
from app.security import restrict

__all__ = ["KindResource", "app_labels", "section_index"]


class KindConverter(BaseConverter):
    """``dcim/devices`` -> its ObjectKind; a path that is no kind's does not match.

    The paths of hand-written routes (``extras/jobs``, ``users/users``, ...) are left out of the
    pattern itself, so their 404s and 405s (with their ``Allow`` header) stay exactly theirs.
    """

    part_isolating = False

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        taken = sorted({found.group(1) for operation in OPERATIONS
                        if (found := re.match(rf"{bp.url_prefix}/([^/<]+/[^/<]+)/", operation.rule))})
        self.regex = "".join(f"(?!{re.escape(path)}/)" for path in taken) + r"[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_-]*"

    def to_python(self, value):
        kind = kind_at(*value.split("/", 1))
        if kind is None:
            raise ValidationError()
        return kind

    def to_url(self, value):
        return f"{value.app_label}/{value.slug}"


class AppLabelConverter(BaseConverter):
    """An app label some kind is registered under."""

    regex = r"[a-z][a-z0-9_]*"

    def to_python(self, value):
        if value not in app_labels():
            raise ValidationError()
        return value


def app_labels() -> list[str]:
    return sorted({kind.app_label for kind in kinds()})


def section_index(app_label: str) -> dict:
    """``{slug: list URL}`` of the kinds under an app label, as Nautobot's app roots answer."""
    return {kind.slug: api_url(f"{kind.app_label}/{kind.slug}/") for kind in kinds() if kind.app_label == app_label}


def _depth() -> int:
    text = request.args.get("depth", "0")
    try:
        depth = parse_integer(text)
    except ValueError as exc:
        raise ApiError(400, {"depth": [str(exc)]}) from None
    if not 0 <= depth <= MAX_DEPTH:
        raise ApiError(400, {"depth": [f"Ensure this value is between 0 and {MAX_DEPTH}."]})
    return depth


def _parse_pk(field, text: str):
    if isinstance(field, peewee.UUIDField):
        return parse_uuid(text)
    if isinstance(field, (peewee.IntegerField, peewee.AutoField)):
        return parse_integer(text)
    return text


@dataclasses.dataclass(frozen=True)
class KindResource(Resource):
    """A registered kind as a crud Resource: its rows, filters, form and serializer."""

    kind: object = None

    @classmethod
    def of(cls, kind) -> "KindResource":
        writable = form_field_names(kind)
        required = tuple(name for name in writable if is_required(kind.model._meta.fields[name]))
        return cls(
            model=kind.model, rule=f"/{kind.app_label}/{kind.slug}/", name=kind.name,
            noun=component_name(kind.model), label=kind.noun, filters=filter_parameters(kind.model, kind.search),
            order=kind.order, serialize=lambda rows: serialize_rows(kind, rows, _depth()),
            fields=dict.fromkeys(writable, JSON), prepare=_prepare, required=required, replace_required=required,
            tag=kind.app_label, kind=kind,
        )

    def listing(self, user):
        order = self.kind.order if "pk" in self.kind.order else (*self.kind.order, "pk")  # stable pages
        try:
            queryset = filter_queryset(self.model, request.args, search=self.kind.search,
                                       base=self.model.objects.order_by(*order))
        except FilterError as exc:
            raise ApiError(400, exc.errors) from None
        _depth()  # a bad depth is a 400 before the page is read
        return restrict(queryset.to_select(), user, "view")

    def find(self, pk):
        field = self.model._meta.primary_key
        try:
            value = _parse_pk(field, pk)
        except ValueError:
            raise not_found(self.model.__name__) from None
        return visible(self.model.select(), self.model.__name__, field == value)

    def read_only(self) -> frozenset:
        return (frozenset(self.model._meta.fields) | {"id", "object_type", "display", "url"}) - set(self.fields)


def _prepare(row, values: dict):
    """Validate through the model form (related rows limited to those the caller may view)."""
    form = bind_values(type(row), values, row, meta={"restrict_rows": lambda query: restrict(query, api_user(),
                                                                                             "view")})
    if not form.validate():
        raise ApiError(400, form.errors)
    return form.save


def _resolve(path: dict):
    return KindResource.of(path["kind"]), path.get("pk")


_VIEWS = resource_views(_resolve)
# One rule per path, dispatching on the method: with a rule per method, a path that is no kind's
# would answer 405 (the other rules' methods) instead of 404.
_ROUTES = (("/<object_kind:kind>/", "object_list", {"GET": "list", "POST": "create"}),
           ("/<object_kind:kind>/<pk>/", "object_detail",
            {"GET": "detail", "PATCH": "update", "PUT": "replace", "DELETE": "delete"}))


def _dispatcher(by_method: dict):
    def view(**path):
        return _VIEWS[by_method["GET" if request.method == "HEAD" else request.method]](**path)

    return view


for _rule, _endpoint, _by_method in _ROUTES:
    bp.add_url_rule(_rule, _endpoint, _dispatcher(_by_method), methods=list(_by_method),
                    provide_automatic_options=False)


def app_root(app_label: str):
    return render(section_index(app_label))


bp.add_url_rule("/<object_app:app_label>/", "object_app_root", app_root, methods=["GET"],
                provide_automatic_options=False)
CONVERTERS.update(object_kind=KindConverter, object_app=AppLabelConverter)


# --- the OpenAPI document ---------------------------------------------------------------------


def _pk_converter(model) -> str:
    field = model._meta.primary_key
    if isinstance(field, peewee.UUIDField):
        return "uuid:"
    return "int:" if isinstance(field, (peewee.IntegerField, peewee.AutoField)) else ""


def document_parts(static_rules: set[str]) -> tuple[list[Operation], dict]:
    """Each kind's operations and schemas, and the app roots no hand-written route answers."""
    operations, components = [], {}
    for kind in kinds():
        resource = KindResource.of(kind)
        components.update(object_components(kind))
        detail_rule = f"{resource.rule}<{_pk_converter(kind.model)}pk>/"
        for suffix, rule, method, summary, meta in route_specs(resource, detail_rule, resource.filters):
            meta.setdefault("response", resource.noun)
            if suffix != "delete":  # filters and ``depth`` may be refused
                meta["errors"] = tuple(sorted({400, *meta.get("errors", ())}))
            operations.append(Operation(rule=bp.url_prefix + rule, method=method,
                                        endpoint=f"{bp.name}.{kind.name}_{suffix}", summary=summary, tag=kind.app_label,
                                        **meta))
    for label in app_labels():
        rule = f"{bp.url_prefix}/{label}/"
        if rule not in static_rules:
            operations.append(Operation(rule=rule, method="GET", endpoint=f"{bp.name}.{label}_root",
                                        summary=f"List the {label} endpoints.", tag="root",
                                        response="EndpointIndex"))
    return operations, components


DOCUMENT_PARTS.append(document_parts)
