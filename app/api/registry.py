"""The API blueprint and the one decorator that registers a route together with its description.

Every route is added through ``api_route``, which also records what the OpenAPI document says about
it (filters, request body, responses), so the document is built from the routes and cannot drift.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint
from werkzeug.routing import PathConverter

bp = Blueprint("api", __name__, url_prefix="/api")


class JobKeyConverter(PathConverter):
    """A job's id, class path (the legacy ``local/module/Class`` has slashes) or name.

    It never ends in ``/run`` or ``/variables``, so ``GET .../run/`` is the run route's 405, not a
    lookup of a job named ``<id>/run``.
    """

    regex = r"[^/](?:(?!/(?:run|variables)/?$).)*?"


CONVERTERS = {"job_key": JobKeyConverter}


@dataclasses.dataclass(frozen=True)
class Operation:
    """One method of one route, as the OpenAPI document describes it."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    filters: object = None  # a FilterSet: query parameters, and a list response
    response: str | None = None  # component schema name of the 2xx body
    status: int = 200
    request: str | None = None  # component schema name of the JSON body
    multipart: bool = False  # also accepts multipart/form-data
    public: bool = False  # no authentication needed
    errors: tuple[int, ...] = ()
    binary: bool = False  # the 2xx body is a file, not JSON
    page: bool = False  # an HTML page for people (public; no Accept negotiation)


OPERATIONS: list[Operation] = []
# Functions adding operations and schemas when the document is built, for routes that serve several
# paths (the object registry's): ``part(static rules) -> (operations, component schemas)``.
DOCUMENT_PARTS: list = []
PUBLIC_ENDPOINTS: set[str] = set()
PAGE_ENDPOINTS: set[str] = set()


def api_route(rule: str, *, method: str = "GET", summary: str, tag: str, **meta):
    """Register a view for one method of ``/api<rule>`` and record its description."""

    def decorator(view):
        bp.add_url_rule(rule, view.__name__, view, methods=[method], provide_automatic_options=False)
        operation = Operation(rule=bp.url_prefix + rule, method=method, endpoint=f"{bp.name}.{view.__name__}",
                              summary=summary, tag=tag, **meta)
        OPERATIONS.append(operation)
        if operation.public or operation.page:
            PUBLIC_ENDPOINTS.add(operation.endpoint)
        if operation.page:
            PAGE_ENDPOINTS.add(operation.endpoint)
        return view

    return decorator
