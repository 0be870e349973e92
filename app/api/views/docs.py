"""The API reference for people: ``/api/docs/``, Swagger UI rendering ``/api/openapi.json``.

Swagger UI is vendored from npm (app/static/vendor/swagger-ui-dist/VERSION) and started by
app/static/js/api-docs.js: no build step and no inline script.
"""

from __future__ import annotations

from flask import make_response
from flask import render_template

from app.api.registry import api_route

# This page sets its own policy (the site-wide one leaves a view's header alone) because Swagger UI's
# stylesheet draws its icons as data: SVG images: hence "img-src 'self' data:". Everything else is as
# strict as elsewhere: scripts and styles only from this site, no eval, requests only to this API.
POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))


@api_route("/docs/", summary="This API's reference, rendered from /api/openapi.json (an HTML page).", tag="root",
           page=True)
def docs():
    response = make_response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = POLICY
    return response
