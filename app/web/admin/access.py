"""Login and permission checks shared by the admin and profile views."""

from __future__ import annotations

import peewee
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask_login import current_user

from app.db import database
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


def confirm_delete(form, *, noun: str, obj, cancel_url: str, consequences=()):
    """The confirmation page a delete link leads to; only its POST deletes."""
    return render_template(
        "admin/confirm_delete.html",
        form=form,
        noun=noun,
        obj=obj,
        cancel_url=cancel_url,
        consequences=list(consequences),
    )


def delete_or_explain(obj, label: str, next_url: str):
    """Delete obj and go to next_url; a row still referenced elsewhere is kept, with a message."""
    try:
        with database.atomic():
            obj.delete_instance()
    except peewee.IntegrityError:
        flash(f"Could not delete {label}: other records still refer to it.", "danger")
        return redirect(next_url)
    flash(f"Deleted {label}.", "success")
    return redirect(next_url)
