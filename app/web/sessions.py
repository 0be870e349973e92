"""Revocable browser sessions: the session cookie holds a random key, the database a UserSession row.

Flask's session is a signed cookie, so on its own nothing could end it before it expires. Here
Flask-Login stores the key of a UserSession row instead of the user id (``id_attribute``), in the
session and in the remember-me cookie alike, and each request loads its user through that row: one
indexed query. Logging out deletes the row; a password change or a deactivation deletes every row
of that user (``User.save``), so every copy of every cookie stops working at once.
"""

from __future__ import annotations

import datetime

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask import session
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_login.config import COOKIE_NAME

from app.extensions import login_manager
from app.models import User
from app.models import UserSession

# A plain session lasts a working day; "Keep me signed in" lasts as long as its cookie.
SESSION_LIFETIME = datetime.timedelta(hours=24)
REMEMBER_LIFETIME = datetime.timedelta(days=30)


def init_app(app: Flask) -> None:
    app.config["REMEMBER_COOKIE_DURATION"] = REMEMBER_LIFETIME
    login_manager.id_attribute = "get_session_key"
    login_manager.user_loader(load_user)


def load_user(key: str):
    # Flask-Login tries the remember-me cookie after a refused session key; it holds the same key,
    # so that second look-up is skipped.
    if key == g.get("refused_session_key"):
        return None
    user = UserSession.user_for(key)
    if user is None:
        g.refused_session_key = key
    return user


def start(user: User, *, remember: bool) -> None:
    """Log user in with a new session row, in a fresh session: nothing from before (a CSRF token a
    planted cookie made known) carries over; messages to show do."""
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    user.session_key = UserSession.open(
        user,
        REMEMBER_LIFETIME if remember else SESSION_LIFETIME,
        address=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
    )
    login_user(user, remember=remember, duration=REMEMBER_LIFETIME if remember else None)


def end() -> None:
    """Log the current user out and end their session for every copy of its cookies."""
    key = getattr(current_user, "session_key", None)
    if key:
        UserSession.end(key)
    logout_user()


def renew(user: User) -> None:
    """Give the current user a new session after their sessions were ended (their own password change)."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    start(user, remember=cookie in request.cookies)
