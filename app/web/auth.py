"""Login, logout and the Flask-Login user loader, with throttling of repeated failures."""

from __future__ import annotations

import datetime
import math
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired

from app.db import utcnow
from app.extensions import login_manager
from app.models import LoginFailure
from app.models import User

bp = Blueprint("auth", __name__)

MAX_FAILURES = 5
FAILURE_WINDOW = datetime.timedelta(minutes=15)
LOCKOUT = datetime.timedelta(minutes=15)


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
    login_manager.user_loader(load_user)


def load_user(user_id: str):
    try:
        return User.get_or_none((User.id == int(user_id)) & (User.is_active == True))  # noqa: E712
    except (TypeError, ValueError):
        return None


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


def _failure_key(username: str) -> str:
    return f"{username.strip().lower()}|{request.remote_addr or '-'}"[:300]


def locked_until(username: str) -> datetime.datetime | None:
    """When the lockout for this username and address ends, or None if logins are allowed."""
    row = LoginFailure.get_or_none(LoginFailure.key == _failure_key(username))
    if row is None or row.count < MAX_FAILURES:
        return None
    until = row.last_failure + LOCKOUT
    return until if until > utcnow() else None


def record_failure(username: str) -> None:
    key, now = _failure_key(username), utcnow()
    row = LoginFailure.get_or_none(LoginFailure.key == key)
    if row is None:
        LoginFailure.insert(
            key=key, count=1, first_failure=now, last_failure=now
        ).on_conflict_ignore().execute()
        return
    window_over = now - row.first_failure > FAILURE_WINDOW and row.count < MAX_FAILURES
    if window_over or now - row.last_failure > LOCKOUT:
        row.count, row.first_failure = 0, now
    row.count += 1
    row.last_failure = now
    row.save()


def clear_failures(username: str) -> None:
    LoginFailure.delete().where(LoginFailure.key == _failure_key(username)).execute()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        until = locked_until(username)
        if until:
            minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
            flash(f"Too many failed logins for “{username}”. Try again in {minutes} minutes.", "danger")
            status = 429
        else:
            user = User.get_or_none(User.username == username)
            if user is not None and user.is_active and user.check_password(form.password.data):
                clear_failures(username)
                login_user(user, remember=form.remember.data)
                User.update(last_login=utcnow()).where(User.id == user.id).execute()
                return redirect(safe_next(request.args.get("next")))
            record_failure(username)
            flash("Invalid username or password.", "danger")
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
