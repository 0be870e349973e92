"""Login and logout. Sessions are server-side rows (app.web.sessions); throttling is app.web.login_throttle."""

from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired

from app.db import utcnow
from app.extensions import login_manager
from app.models import User
from app.web import login_throttle
from app.web import sessions

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired()], render_kw={"autocomplete": "username", "autofocus": True}
    )
    password = PasswordField(
        "Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Keep me signed in")


def init_app(app: Flask) -> None:
    # Behind HTTPS, JOBDECK_SECURE_COOKIES=true keeps the session and remember-me cookies off plain http.
    secure = app.config["JOBDECK"].secure_cookies
    app.config.update(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    sessions.init_app(app)


def safe_next(target: str | None) -> str:
    """A same-site relative path, or the home page: never an absolute or scheme-relative URL."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("home.index")
    return target


@bp.route("/login/", methods=["GET", "POST"])  # as typed by habit; url_for builds /login, the rule below
@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        lockout = login_throttle.locked(username)
        if lockout:
            flash(lockout.message, "danger")
            status = 429
        else:
            user = User.get_or_none(User.username == username)
            reason = refusal(user, form.password.data)
            if reason is None:
                login_throttle.clear_failures(username)
                sessions.start(user, remember=form.remember.data)
                User.update(last_login=utcnow()).where(User.id == user.id).execute()
                return redirect(safe_next(request.args.get("next")))
            login_throttle.record_failure(username, reason)
            flash("Invalid username or password.", "danger")
            status = 401
    return render_template("auth/login.html", form=form), status


@functools.cache
def _decoy() -> User:
    decoy = User()
    decoy.set_password(secrets.token_hex(16))
    return decoy


def refusal(user: User | None, password: str) -> str | None:
    """Why a login is refused (for the failed logins page only: the visitor is never told), or None."""
    if user is None:
        # Hash anyway, so the time taken does not tell which usernames exist.
        _decoy().check_password(password)
        return "Unknown username."
    if not user.check_password(password):
        return "Wrong password."
    if not user.is_active:
        return "User is inactive."
    return None


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.end()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
