"""Login and permission checks shared by the admin and profile views."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.security import PermissionDenied
from app.security import require


def me():
    """The logged-in User object itself (the security module caches grants on it)."""
    return current_user._get_current_object()


def require_login():
    """A ``before_request`` hook: anonymous visitors go to the login page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def permit(action: str, obj_or_model) -> None:
    """Abort with 403 (and the security module's sentence) unless the user may do it."""
    try:
        require(me(), action, obj_or_model)
    except PermissionDenied as exc:
        abort(403, description=exc.message)


def get_or_404(model, pk):
    obj = model.get_or_none(model.id == pk)
    if obj is None:
        abort(404)
    return obj
