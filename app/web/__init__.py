"""Server-rendered pages: one blueprint per area, all behind login except /login and static."""

from __future__ import annotations

import importlib

from flask import Flask
from flask import g
from flask import request
from flask_login import current_user

from app.extensions import login_manager
from app.objects import change_context
from app.security import can
from app.web import auth
from app.web import errors
from app.web import files
from app.web import home
from app.web import jobs
from app.web import results
from app.web import schedules
from app.web import templating

# Blueprints owned by other modules; each is registered when its module exists.
OPTIONAL_BLUEPRINTS = ("app.web.admin", "app.web.approvals", "app.web.job_edit", "app.web.profile",
                       "app.web.git_repositories", "app.web.object_changes", "app.web.job_queues", "app.web.workers")

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})

# The object types of the admin pages; a user who may view any of them gets the top-bar link.
ADMIN_OBJECT_TYPES = ("users.user", "users.group", "users.objectpermission", "users.token", "users.failedlogin")


def can_administer() -> bool:
    return any(can(current_user, "view", object_type) for object_type in ADMIN_OBJECT_TYPES)


def _acting_user():
    """The API's token user, else the signed-in user (read when a change is recorded)."""
    return g.get("api_user") or current_user._get_current_object()


def init_app(app: Flask) -> None:
    for blueprint in (auth.bp, home.bp, jobs.bp, results.bp, files.bp, schedules.bp):
        app.register_blueprint(blueprint)
    for name in OPTIONAL_BLUEPRINTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.register_blueprint(module.bp)

    templating.init_app(app)
    errors.init_app(app)
    auth.init_app(app)

    @app.before_request
    def _begin_changes():
        # Objects changed by this request (page or API) are logged with its user and one request id.
        g.change_token = change_context.begin(_acting_user)

    @app.teardown_request
    def _end_changes(_exc):
        token = g.pop("change_token", None)
        if token is not None:
            change_context.end(token)

    @app.before_request
    def _require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint == "api":
            return None
        if request.path.startswith("/api/") or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.context_processor
    def _helpers():
        return {"has_endpoint": lambda name: name in app.view_functions, "can_administer": can_administer,
                "can_view_schedules": lambda: can(current_user, "view", "extras.scheduledjob")}
