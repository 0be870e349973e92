"""The change log pages: the global list (filters, keyset pages), one change as a before/after diff,
and the helpers the ``objects/_changes.html`` and ``results/_changes.html`` partials call."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from peewee import JOIN
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.api.errors import ApiError
from app.api.filters import IGNORED_PARAMETERS
from app.api.views.object_changes import ACTIONS
from app.api.views.object_changes import CHANGE_FILTERS
from app.models import ObjectChange
from app.models import User
from app.models.changes import ChangeAction
from app.objects.change_access import visible_changes
from app.objects.registry import kinds
from app.security import can
from app.security.constraints import NEVER

bp = Blueprint("changes", __name__)

PAGE_SIZE = 50
RECENT = 10
_CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
_BADGES = {ChangeAction.CREATE: "badge-success", ChangeAction.UPDATE: "badge-info", ChangeAction.DELETE: "badge-danger"}


def me():
    return current_user._get_current_object()


def _with_user(query):
    return query.select_extend(User).join_from(ObjectChange, User, JOIN.LEFT_OUTER)


def _cursor(change) -> str:
    return f"{change.time.strftime(_CURSOR_FORMAT)}_{change.id.hex}"


def _parse_cursor(value: str | None):
    stamp, _, key = (value or "").partition("_")
    try:
        return datetime.datetime.strptime(stamp, _CURSOR_FORMAT), uuid.UUID(key)
    except ValueError:
        return None


@dataclasses.dataclass
class ChangePage:
    changes: list
    errors: dict
    newest_args: str | None  # back to the first page, when on a later one
    older_args: str | None


def change_page(user, args, size: int = PAGE_SIZE) -> ChangePage:
    """One page of the changes ``user`` may see, newest first, older than ``?after=``."""
    errors = {}
    query = ObjectChange.select()
    try:
        query = CHANGE_FILTERS.apply(query, ignore=IGNORED_PARAMETERS | {"after"})
    except ApiError as exc:
        errors, query = exc.body, query.where(NEVER)
    query = _with_user(visible_changes(user, query))
    after = _parse_cursor(args.get("after"))
    if after:
        stamp, pk = after
        query = query.where((ObjectChange.time < stamp) | ((ObjectChange.time == stamp) & (ObjectChange.id < pk)))
    rows = list(query.order_by(ObjectChange.time.desc(), ObjectChange.id.desc()).limit(size + 1))
    more, rows = len(rows) > size, rows[:size]
    kept = [(key, value) for key, value in args.items(multi=True) if key != "after" and value]
    return ChangePage(rows, errors, urlencode(kept) if after else None,
                      urlencode([*kept, ("after", _cursor(rows[-1]))]) if more else None)


def _require_view():
    if not can(me(), "view", "extras.objectchange"):
        abort(403, description="You do not have permission to view object changes.")


@bp.route("/extras/object-changes/")
def change_list():
    _require_view()
    return render_template("extras/object_change_list.html", page=change_page(me(), request.args),
                           actions=ACTIONS, object_types=sorted(kind.object_type for kind in kinds()),
                           args=request.args)


def object_path(change) -> str | None:
    """The changed object's page, when it still has one here."""
    kind = next((kind for kind in kinds() if kind.object_type == change.changed_object_type), None)
    if kind is None or change.action == ChangeAction.DELETE:
        return None
    path = f"/{kind.app_label}/{kind.slug}/{change.changed_object_id}/"
    try:
        current_app.url_map.bind("localhost").match(path)
    except RequestRedirect:
        return path
    except HTTPException:
        return None
    return path


def diff_rows(change) -> list[tuple[str, object, object, bool]]:
    """(field, before, after, changed) for every field either side has."""
    before, after = change.object_data_before or {}, change.object_data or {}
    names = list(dict.fromkeys([*before, *after]))
    return [(name, before.get(name), after.get(name), before.get(name) != after.get(name)) for name in names]


@bp.route("/extras/object-changes/<uuid:change_id>/")
def change_detail(change_id):
    _require_view()
    change = _with_user(visible_changes(me())).where(ObjectChange.id == change_id).first()
    if change is None:
        abort(404)
    same_request = visible_changes(me()).where((ObjectChange.request_id == change.request_id)
                                               & (ObjectChange.id != change.id)).count()
    return render_template("extras/object_change_detail.html", change=change, rows=diff_rows(change),
                           object_url=object_path(change), same_request=same_request)


def recent_changes(obj, limit: int = RECENT):
    """(changes, link to all of them) of one object for its page, or None when the user may not see any."""
    from app.objects.changes import changed_object_type

    if not can(me(), "view", "extras.objectchange"):
        return None
    object_type = changed_object_type(type(obj))
    query = visible_changes(me()).where((ObjectChange.changed_object_type == object_type)
                                        & (ObjectChange.changed_object_id == str(obj._pk)))
    rows = list(_with_user(query).order_by(ObjectChange.time.desc(), ObjectChange.id.desc()).limit(limit))
    return rows, url_for("changes.change_list", changed_object_type=object_type, changed_object_id=str(obj._pk))


def run_changes(result, limit: int = RECENT):
    """(changes, count, link to all of them) a job run made, or None when the user may not see the log."""
    if not can(me(), "view", "extras.objectchange"):
        return None
    query = visible_changes(me()).where(ObjectChange.job_result == result.id)
    rows = list(_with_user(query).order_by(ObjectChange.time.desc(), ObjectChange.id.desc()).limit(limit))
    count = len(rows) if len(rows) < limit else query.count()
    return rows, count, url_for("changes.change_list", job_result=str(result.id))


@bp.app_context_processor
def _helpers():
    return {"recent_changes": recent_changes, "run_changes": run_changes, "CHANGE_BADGES": _BADGES,
            "can_view_changes": lambda: can(me(), "view", "extras.objectchange")}
