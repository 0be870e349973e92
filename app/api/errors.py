"""JSON errors for everything under /api/, in DRF's shapes: ``{"detail": "..."}`` or field errors.

Routing failures (unknown path, wrong method) never reach the blueprint's handlers, so an app-level
hook answers those for /api/ paths before Flask raises them.
"""

from __future__ import annotations

import logging

from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import default_exceptions
from werkzeug.routing import RequestRedirect

from app.api.registry import bp
from app.api.rendering import render
from app.jobs.forms import JobDataError
from app.security import PermissionDenied

log = logging.getLogger(__name__)

_DETAILS = {
    404: "Not found.",
    405: "Method \u201c{method}\u201d not allowed.",
    413: "The request body is too large.",
}


class ApiError(Exception):
    """An error response: ``body`` is a dict, or a string sent as ``{"detail": body}``."""

    def __init__(self, status: int, body, headers=None):
        super().__init__(body)
        self.status = status
        self.body = body if isinstance(body, dict) else {"detail": body}
        self.headers = headers


def not_found(noun: str) -> ApiError:
    return ApiError(404, f"No {noun} matches the given query.")


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _http_error(exc: HTTPException):
    detail = _DETAILS.get(exc.code, exc.description or exc.name).format(method=request.method)
    headers = {"Allow": exc.valid_methods and ", ".join(exc.valid_methods)} if exc.code == 405 else None
    return render({"detail": detail}, exc.code, {k: v for k, v in (headers or {}).items() if v})


def _routing_error():
    """Answer /api/ routing failures in JSON (redirects, e.g. a missing trailing slash, go through)."""
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect) or not is_api_request():
        return None
    return _http_error(exc)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return render(exc.body, exc.status, exc.headers)


@bp.errorhandler(JobDataError)
def _data_error(exc: JobDataError):
    return render({"errors": exc.errors}, 400)


@bp.errorhandler(PermissionDenied)
def _denied(exc: PermissionDenied):
    return render({"detail": str(exc)}, 403)


# By code too: an app-level handler for a code (the web's HTML 404) would win over a class one.
bp.register_error_handler(HTTPException, _http_error)
for _code in default_exceptions:
    bp.register_error_handler(_code, _http_error)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("API error on %s %s", request.method, request.path)
    return render({"detail": "Internal server error."}, 500)


def register(app) -> None:
    """App-level part: routing failures under /api/ never reach the blueprint's handlers."""
    app.before_request(_routing_error)
