"""Admin view of failed logins (read-only), newest first, in keyset pages by id."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template
from flask import request

from app.models.users import FailedLogin
from app.security import restrict
from app.web import login_throttle
from app.web.admin import bp
from app.web.admin.access import me
from app.web.admin.access import permit

PAGE_SIZE = 50


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/failed-logins/")
def failed_login_list():
    permit("view", FailedLogin)
    query = restrict(FailedLogin.select(), me(), "view")
    older_than, newer_than = _id_arg("older_than"), _id_arg("newer_than")
    if newer_than is not None:
        rows = list(query.where(FailedLogin.id > newer_than).order_by(FailedLogin.id.asc()).limit(PAGE_SIZE + 1))
        more_newer, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE][::-1]
        more_older = True
    else:
        if older_than is not None:
            query = query.where(FailedLogin.id < older_than)
        rows = list(query.order_by(FailedLogin.id.desc()).limit(PAGE_SIZE + 1))
        more_older, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
        more_newer = older_than is not None
    return render_template(
        "admin/failed_login_list.html",
        rows=rows,
        prev_args=urlencode({"newer_than": rows[0].id}) if rows and more_newer else None,
        next_args=urlencode({"older_than": rows[-1].id}) if rows and more_older else None,
        limits=login_throttle,
    )
