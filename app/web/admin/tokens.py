"""Admin views for API tokens, and the shared "token created" page."""

from __future__ import annotations

from flask import make_response
from flask import render_template
from flask import url_for

from app.models.users import Token
from app.models.users import User
from app.security import restrict
from app.web.admin import bp
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin_forms import AdminTokenForm
from app.web.admin_forms import choices

TOKEN_DELETE_CONSEQUENCES = ("Scripts using this key stop working immediately.",)


def issue_and_show(user: User, form, back_url: str):
    """Create the token and answer with the only page that ever shows its key (never cached)."""
    token, key = Token.issue(
        user,
        description=form.description.data or "",
        expires=form.expires.data,
        write_enabled=form.write_enabled.data,
    )
    response = make_response(
        render_template("admin/token_created.html", token=token, key=key, back_url=back_url)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def token_owners():
    """Users an admin may issue tokens for: never a superuser unless the admin is one."""
    query = restrict(User.select().where(User.is_active == True), me(), "view")  # noqa: E712
    if not me().is_superuser:
        query = query.where(User.is_superuser == False)  # noqa: E712
    return query.order_by(User.username)


@bp.route("/tokens/")
def token_list():
    permit("view", Token)
    tokens = restrict(
        Token.select(Token, User).join(User).order_by(User.username, Token.created.desc()), me(), "view"
    )
    return render_template("admin/token_list.html", tokens=list(tokens))


@bp.route("/tokens/add/", methods=["GET", "POST"])
def token_add():
    permit("add", Token)
    form = AdminTokenForm()
    form.user.choices = choices(
        [(0, "— choose a user —"), *((user.id, user.username) for user in token_owners())]
    )
    if form.validate_on_submit():
        owner = get_or_404(User, form.user.data)
        return issue_and_show(owner, form, url_for(".token_list"))
    return render_template("admin/token_form.html", form=form, cancel_url=url_for(".token_list"), owner=None)


@bp.route("/tokens/<int:token_id>/delete/", methods=["GET", "POST"])
def token_delete(token_id: int):
    token = get_or_404(Token, token_id)
    permit("delete", token)
    return delete_page(
        token,
        noun="API token",
        name=f"{token.prefix}… ({token.user.username})",
        label=f"token {token.prefix}… of {token.user.username}",
        next_url=url_for(".token_list"),
        cancel_url=url_for(".token_list"),
        consequences=TOKEN_DELETE_CONSEQUENCES,
    )
