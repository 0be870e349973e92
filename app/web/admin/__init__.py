"""Admin pages: users, groups, object permissions, API tokens and failed logins.

Superusers see everything; other users see the sections their ``users.*`` permissions allow.
The companion blueprint ``app.web.profile.bp`` (/profile/password/, /profile/tokens/) must be registered as well.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template

from app.models.users import FailedLogin
from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import Token
from app.models.users import User
from app.security import can
from app.security import restrict
from app.web.admin.access import me
from app.web.admin.access import require_login

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_login)

# (endpoint, title, model, what it manages)
SECTIONS = (
    ("admin.user_list", "Users", User, "Accounts, passwords, superuser and staff flags, group membership."),
    ("admin.group_list", "Groups", Group, "Sets of users that share permissions."),
    (
        "admin.permission_list",
        "Permissions",
        ObjectPermission,
        "Actions on object types, narrowed by constraints.",
    ),
    (
        "admin.token_list",
        "API tokens",
        Token,
        "Keys for the REST API, per user, optionally read-only or expiring.",
    ),
    ("admin.failed_login_list", "Failed logins", FailedLogin, "Refused logins: when, which username, from where."),
)


def visible_sections() -> list[dict]:
    return [
        # "admin.user_list" -> "admin.user_": every endpoint of that section starts with it.
        {
            "endpoint": endpoint,
            "prefix": endpoint.rpartition("_")[0] + "_",
            "title": title,
            "model": model,
            "blurb": blurb,
        }
        for endpoint, title, model, blurb in SECTIONS
        if can(me(), "view", model)
    ]


@bp.context_processor
def _admin_sections():
    return {"admin_sections": visible_sections(), "admin_can": lambda action, obj: can(me(), action, obj)}


@bp.route("/")
def index():
    sections = visible_sections()
    if not sections:
        abort(
            403,
            description="You do not have permission to administer users, groups, permissions, tokens or failed logins.",
        )
    for section in sections:
        section["count"] = restrict(section["model"].select(), me(), "view").count()
    return render_template("admin/index.html", sections=sections)


from app.web.admin import failed_logins  # noqa: E402,F401 (registers routes on bp)
from app.web.admin import groups  # noqa: E402,F401
from app.web.admin import permissions  # noqa: E402,F401
from app.web.admin import tokens  # noqa: E402,F401
from app.web.admin import users  # noqa: E402,F401
