"""The REST API at /api/: token-authenticated JSON whose routes and shapes mirror Nautobot's.

Clients written for Nautobot (pynautobot, curl scripts from its docs) work unchanged for jobs, job
results and job logs. ``/api/openapi.json`` describes every route.
"""

from __future__ import annotations

from flask import g
from flask import request

from app.api import auth
from app.api import errors
from app.api import negotiation
from app.api import views  # noqa: F401  (registers the routes)
from app.api.registry import CONVERTERS
from app.api.registry import PAGE_ENDPOINTS
from app.api.registry import bp
from app.extensions import csrf
from app.objects import api as objects_api  # noqa: F401  (registers the routes of every registered model)

__all__ = ["bp", "init_app"]


@bp.before_request
def _before():
    if request.endpoint in PAGE_ENDPOINTS:
        return  # a public HTML page: it answers a browser's Accept header and needs no credentials
    negotiation.negotiate()
    auth.authenticate()


def _version_header(response):
    # On every /api response, errors included: pynautobot reads it from GET /api/.
    if errors.is_api_request():
        response.headers["API-Version"] = g.get("api_version") or negotiation.API_VERSION
    return response


def init_app(app) -> None:
    # Token-authenticated; browser sessions may only read (see auth.py), so no CSRF token is needed.
    csrf.exempt(bp)
    errors.register(app)
    app.after_request(_version_header)
    app.url_map.converters.update(CONVERTERS)  # before the blueprint's rules are bound
    app.register_blueprint(bp)
