"""Who is calling: ``Authorization: Token <key>``, or a logged-in browser session for reads.

Answers follow Nautobot (403, never 401) so clients written for it behave the same. Sessions are
read-only here because the blueprint is exempt from CSRF: a cross-site form must not run jobs.
"""

from __future__ import annotations

import datetime

from flask import g
from flask import request
from flask_login import current_user

from app.api.errors import ApiError
from app.api.registry import PUBLIC_ENDPOINTS
from app.db import utcnow
from app.models import Token
from app.models.users import hash_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_PROVIDED = "Authentication credentials were not provided."
# Writing last_used on every request would serialize all API reads on one row.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _token_from_header():
    """The key of a ``Token`` Authorization header, None when there is none; 403 when malformed."""
    header = request.headers.get("Authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "token":
        return None
    key = rest.strip()
    if not key or " " in key:
        raise ApiError(403, "Invalid token header. Use \u201cAuthorization: Token <key>\u201d.")
    return key


def _user_for_token(key: str):
    token = Token.get_or_none(Token.key_hash == hash_token(key))
    if token is None:
        raise ApiError(403, "Invalid token")
    if token.is_expired:
        raise ApiError(403, "Token expired")
    user = token.user
    if not user.is_active:
        raise ApiError(403, "User inactive or deleted.")
    if request.method not in SAFE_METHODS and not token.write_enabled:
        raise ApiError(403, "This token is read-only: it does not permit write operations.")
    now = utcnow()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        Token.update(last_used=now).where(Token.id == token.id).execute()
    g.api_token = token
    return user


def authenticate() -> None:
    """Set ``g.api_user`` (None on public endpoints without credentials) or raise a 403."""
    g.api_user, g.api_token = None, None
    key = _token_from_header()
    if key is not None:
        g.api_user = _user_for_token(key)
        return
    if current_user.is_authenticated and current_user.is_active:
        if request.method not in SAFE_METHODS:
            raise ApiError(403, "A browser session may only read through the API: use a token to write.")
        g.api_user = current_user._get_current_object()
        return
    if request.endpoint not in PUBLIC_ENDPOINTS:
        raise ApiError(403, NOT_PROVIDED)
