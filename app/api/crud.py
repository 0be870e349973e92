"""The six routes of a resource declared once: list, get, create, update (PATCH), replace (PUT), delete.

Users, groups, object permissions and Git repositories are each a ``Resource``; the object registry's
routes (app/objects/api.py) serve every registered model through the same views. Every route checks
the caller through app.security: ``view`` to see a row, ``add``/``change``/``delete`` to write it, and
a write whose result falls outside the caller's permission (a constrained grant) is rolled back. The
request bodies' schemas are built here from the same declaration that checks them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import peewee
from flask import Response

from app.api.access import api_user
from app.api.access import visible
from app.api.errors import ApiError
from app.api.filters import FilterSet
from app.api.form_input import read_body
from app.api.negotiation import json_body
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.schemas import COMPONENTS
from app.db import database
from app.security import require
from app.security import restrict


@dataclasses.dataclass(frozen=True)
class Resource:
    model: type
    rule: str  # the list route under /api, e.g. "/users/users/"
    name: str  # endpoint prefix ("user": user_list, user_detail, ...) and the path parameter's ("user_id")
    noun: str  # the response schema's name, and the 404 sentence's ("No User matches ...")
    label: str  # "user", in summaries
    filters: FilterSet
    order: tuple
    serialize: Callable[[list], list]  # a page of rows -> their JSON, related rows fetched once per page
    fields: dict  # writable field -> form_input.Kind; the response's other fields are read-only
    # Validate the values through the form (400 when refused) and return the function that saves the row.
    prepare: Callable[[object, dict], Callable[[], None]]
    required: tuple = ()  # to create
    replace_required: tuple = ()  # to replace with PUT
    descriptions: dict = dataclasses.field(default_factory=dict)  # field -> text for the schema
    before_delete: Callable[[object], None] | None = None  # raises to refuse
    tag: str = "users"

    def listing(self, user):
        """The rows the list shows: the caller's, narrowed by the request's filters, in order."""
        return self.filters.apply(restrict(self.model.select(), user, "view")).order_by(*self.order)

    def find(self, pk):
        """The row the caller may view, else 404."""
        return visible(self.model.select(), self.noun, self.model._meta.primary_key == pk)

    def read_only(self) -> frozenset:
        """What GET answers may be sent back: its read-only fields are ignored, as DRF does."""
        return frozenset(COMPONENTS[self.noun]["properties"]) - set(self.fields)


def _input_schema(resource: Resource, required, description: str) -> dict:
    properties = {}
    for name, kind in resource.fields.items():
        properties[name] = dict(kind.schema)
        if name in resource.descriptions:
            properties[name]["description"] = resource.descriptions[name]
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": list(required), "description": description}


def _document_inputs(resource: Resource) -> None:
    ignored = "Read-only fields of the response are accepted and ignored."
    COMPONENTS[f"{resource.noun}Create"] = _input_schema(resource, resource.required, ignored)
    COMPONENTS[f"{resource.noun}Patch"] = _input_schema(resource, (), f"Only the fields given change. {ignored}")
    COMPONENTS[f"{resource.noun}Replace"] = _input_schema(
        resource, resource.replace_required, f"Fields left out keep their values. {ignored}")


def resource_views(resolve) -> dict[str, Callable]:
    """The six views, by suffix; ``resolve(path)`` turns a route's arguments into (resource, pk or None).

    A static resource resolves to itself; the object registry's routes resolve their ``kind`` argument.
    """

    def answer(resource, row, status=200):
        # The stored row as written, even when the caller may add or change it but not view it.
        return render(resource.serialize([resource.model.get_by_id(row.get_id())])[0], status)

    def save(resource, row, action: str, required=()):
        values = read_body(json_body(), resource.fields, resource.read_only(), required)
        store = resource.prepare(row, values)
        # Validation reads outside the transaction: on SQLite, a transaction that reads and then writes
        # fails at once ("database is locked") when another process wrote in between.
        with database.atomic():
            store()
            require(api_user(), action, row)  # e.g. a grant constrained to some rows: stay within it

    def list_view(**path):
        resource, _ = resolve(path)
        return render(paginate(resource.listing(api_user()), resource.serialize, whole_page=True))

    def detail_view(**path):
        resource, pk = resolve(path)
        return render(resource.serialize([resource.find(pk)])[0])

    def create_view(**path):
        resource, _ = resolve(path)
        require(api_user(), "add", resource.model)
        row = resource.model()
        save(resource, row, "add", resource.required)
        return answer(resource, row, 201)

    def update_view(**path):
        resource, pk = resolve(path)
        row = resource.find(pk)
        require(api_user(), "change", row)
        save(resource, row, "change")
        return answer(resource, row)

    def replace_view(**path):
        resource, pk = resolve(path)
        row = resource.find(pk)
        require(api_user(), "change", row)
        save(resource, row, "change", resource.replace_required)
        return answer(resource, row)

    def delete_view(**path):
        resource, pk = resolve(path)
        row = resource.find(pk)
        require(api_user(), "delete", row)
        if resource.before_delete is not None:
            resource.before_delete(row)
        try:
            with database.atomic():
                row.delete_instance()
        except peewee.IntegrityError:
            raise ApiError(409, f"Could not delete the {resource.label} \u201c{row}\u201d: other records still "
                                "refer to it.") from None
        return Response(status=204)

    return {"list": list_view, "create": create_view, "detail": detail_view, "update": update_view,
            "replace": replace_view, "delete": delete_view}


def route_specs(resource: Resource, detail_rule: str, filters) -> list[tuple]:
    """(suffix, rule, method, summary, what the document says) of the six routes."""
    label, noun = resource.label, resource.noun
    return [
        ("list", resource.rule, "GET", f"List the {label}s you may view.", {"filters": filters}),
        ("create", resource.rule, "POST", f"Create a {label} (needs add permission).",
         {"request": f"{noun}Create", "status": 201, "errors": (400, 415)}),
        ("detail", detail_rule, "GET", f"Get one {label}.", {"errors": (404,)}),
        ("update", detail_rule, "PATCH", f"Change some fields of a {label} (needs change permission).",
         {"request": f"{noun}Patch", "errors": (400, 404, 415)}),
        ("replace", detail_rule, "PUT", f"Update a {label}, giving every required field (needs change permission).",
         {"request": f"{noun}Replace", "errors": (400, 404, 415)}),
        ("delete", detail_rule, "DELETE", f"Delete a {label} (needs delete permission).",
         {"status": 204, "errors": (404, 409), "response": None}),
    ]


def register(resource: Resource) -> None:
    """Add the resource's routes to the API blueprint (and so to the OpenAPI document)."""
    views = resource_views(lambda path: (resource, next(iter(path.values()), None)))
    _document_inputs(resource)
    for suffix, rule, method, summary, meta in route_specs(
            resource, f"{resource.rule}<int:{resource.name}_id>/", resource.filters):
        view = views[suffix]
        view.__name__ = f"{resource.name}_{suffix}"
        meta.setdefault("response", resource.noun)
        api_route(rule, method=method, summary=summary, tag=resource.tag, **meta)(view)
