"""HTML error pages for the browser (the API answers its own errors in JSON)."""

from __future__ import annotations

import logging

from flask import Flask
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    403: "Permission denied",
    404: "Page not found",
    405: "Method not allowed",
    413: "Upload too large",
    429: "Too many requests",
    500: "Server error",
}


def _page(code: int, message: str):
    return render_template("error.html", code=code, title=TITLES.get(code, "Error"), message=message), code


def _http_error(exc: HTTPException):
    if request.path.startswith("/api/") or exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, CSRFError):
        return _page(400, f"The form could not be accepted: {exc.description} Reload the page and try again.")
    if exc.code == 404:
        return _page(404, "There is nothing here, or you do not have permission to see it.")
    return _page(exc.code, exc.description or exc.name)


def _server_error(exc: InternalServerError):
    if request.path.startswith("/api/"):
        return exc
    log.error("server error on %s %s", request.method, request.path, exc_info=exc.original_exception)
    return _page(500, "Something went wrong on our side. The error has been logged.")


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
