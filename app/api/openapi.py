"""The OpenAPI 3.1 document, built from the registered routes, their filters and the schemas."""

from __future__ import annotations

import re

from app.api.negotiation import API_VERSION
from app.api.pagination import DEFAULT_LIMIT
from app.api.pagination import MAX_LIMIT
from app.api.registry import DOCUMENT_PARTS
from app.api.registry import OPERATIONS
from app.api.schemas import COMPONENTS
from app.api.schemas import page_of
from app.api.schemas import ref
from app.objects.registry import kinds

_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_CONVERTERS = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer"}}
_REASONS = {
    200: "OK", 201: "Created", 204: "Deleted", 400: "Invalid input or filter",
    403: "Not authenticated or not permitted", 404: "Not found", 405: "The job is disabled or not installed",
    406: "Unsupported Accept header or version",
    409: "Conflicts with the object's state (a finished result, a row others refer to)",
    413: "Request body too large", 415: "Unsupported request media type",
    503: "The job's source cannot be loaded, or the run cannot be queued",
}
PAGE_PARAMETERS = [
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
     "description": f"Page size (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}; 0 means {MAX_LIMIT})."},
    {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
     "description": "Index of the first result."},
]


def openapi_path(rule: str) -> str:
    """Flask's ``/a/<uuid:job_id>/`` as OpenAPI's ``/a/{job_id}/``."""
    return _PARAMETER.sub(r"{\2}", rule)


def documented_path(rule: str, values: dict) -> str:
    """The document's path for a request matched to ``rule`` with ``values``: an object route
    (``/api/<object_kind:kind>/``) is documented once per kind (``/api/dcim/devices/``)."""
    path = openapi_path(rule)
    kind = values.get("kind")
    if kind is not None and hasattr(kind, "slug"):
        path = path.replace("{kind}", f"{kind.app_label}/{kind.slug}")
    if "app_label" in values:
        path = path.replace("{app_label}", values["app_label"])
    return path


def rule_paths(rule: str) -> set[str]:
    """Every path of the document a Flask rule stands for (an object route: one per kind)."""
    path = openapi_path(rule)
    if "{kind}" in path:
        return {path.replace("{kind}", f"{kind.app_label}/{kind.slug}") for kind in kinds()}
    if "{app_label}" in path:
        return {path.replace("{app_label}", kind.app_label) for kind in kinds()}
    return {path}


def _parameters(operation) -> list[dict]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _CONVERTERS.get(converter, {"type": "string"})}
        for converter, name in _PARAMETER.findall(operation.rule)
    ]
    if operation.filters is not None:
        for spec in operation.filters:
            schema = {"type": "array", "items": spec.schema} if spec.multiple else spec.schema
            parameters.append({"name": spec.name, "in": "query", "required": False, "description": spec.description,
                               "schema": schema, "style": "form", "explode": True})
        parameters += PAGE_PARAMETERS
    return parameters


def _response(code: int, schema: dict | None, media="application/json") -> dict:
    response = {"description": _REASONS.get(code, "Error"),
                "headers": {"API-Version": {"$ref": "#/components/headers/ApiVersion"}}}
    if schema is not None:
        response["content"] = {media: {"schema": schema}}
    return response


def _responses(operation) -> dict:
    if operation.binary:
        success = _response(operation.status, {"type": "string", "format": "binary"}, "application/octet-stream")
    elif operation.page:
        success = _response(operation.status, {"type": "string"}, "text/html")
    elif operation.filters is not None:
        success = _response(operation.status, page_of(operation.response))
    else:
        success = _response(operation.status, ref(operation.response) if operation.response else None)
    codes = set(operation.errors) if operation.page else {403, 406, *operation.errors}
    if operation.filters is not None or operation.request:
        codes.add(400)
    responses = {str(operation.status): success}
    for code in sorted(codes):
        responses[str(code)] = _response(code, ref("BadRequest" if code == 400 else "Error"))
    return responses


def _operation(operation) -> dict:
    spec = {
        "operationId": operation.endpoint.replace(".", "_"),
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": _parameters(operation),
        "responses": _responses(operation),
    }
    if operation.request:
        content = {"application/json": {"schema": ref(operation.request)}}
        if operation.multipart:
            content["multipart/form-data"] = {"schema": ref("JobRunForm")}
        spec["requestBody"] = {"required": False, "content": content}
    if operation.public or operation.page:
        spec["security"] = [{}, {"tokenAuth": []}]
    return spec


def build_document() -> dict:
    operations, components = list(OPERATIONS), dict(COMPONENTS)
    for part in DOCUMENT_PARTS:
        more, schemas = part({operation.rule for operation in OPERATIONS})
        operations += more
        components.update(schemas)
    paths: dict[str, dict] = {}
    for operation in operations:
        paths.setdefault(openapi_path(operation.rule), {})[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jobdeck REST API",
            "version": API_VERSION,
            "description": "Jobs, job results and job logs, users, groups and permissions, shaped like Nautobot's "
                           "API so its clients port. "
                           "Send \u201cAuthorization: Token <key>\u201d; a logged-in browser session may read.",
        },
        "paths": paths,
        "security": [{"tokenAuth": []}],
        "components": {
            "schemas": components,
            "securitySchemes": {"tokenAuth": {"type": "apiKey", "in": "header", "name": "Authorization",
                                              "description": "\u201cToken <key>\u201d"}},
            "headers": {"ApiVersion": {"description": "The API version served (the requested one, when "
                                                      "the Accept header names a supported version).",
                                       "schema": {"type": "string"}}},
        },
    }
