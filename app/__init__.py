"""Jobdeck: a self-hosted job execution framework."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from app.config import Config

__version__ = "0.1.0"  # the package version too (pyproject.toml reads it from here)


def create_app(config: Config | None = None) -> Flask:
    """Build the web application: config → database → extensions → blueprints."""
    # Imported here, not at module level: workers import ``app`` too, and every job process they
    # fork is cheaper without Flask, Werkzeug and Jinja in memory.
    from flask import Flask

    from app import db
    from app.config import configure
    from app.config import ensure_secret_key
    from app.config import from_environment
    from app.extensions import csrf
    from app.extensions import login_manager

    config = configure(ensure_secret_key(config or from_environment()))
    db.bind(config.database_url)

    app = Flask(__name__)
    app.config.update(
        JOBDECK=config,
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=config.job_create_file_max_size * 2 + 1024 * 1024,
        DEBUG=config.debug,
    )

    @app.before_request
    def _connect():
        db.database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if not db.database.is_closed():
            db.database.close()

    csrf.init_app(app)
    login_manager.init_app(app)

    from app import api
    from app import markup
    from app import plugins
    from app import web
    from app.web import headers

    markup.init_app(app)
    headers.init_app(app)
    plugins.init_app(app)  # before the views: a plugin's models are registered when they are built
    web.init_app(app)
    api.init_app(app)
    return app
