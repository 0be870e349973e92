"""The user's own API tokens at /profile/tokens/: any logged-in user may list, create and delete theirs."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import url_for

from app.models.users import Token
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import require_login
from app.web.admin.crud import delete_page
from app.web.admin.tokens import TOKEN_DELETE_CONSEQUENCES
from app.web.admin.tokens import issue_and_show
from app.web.admin_forms import TokenForm

bp = Blueprint("profile", __name__, url_prefix="/profile")
bp.before_request(require_login)


def own_token_or_404(token_id: int) -> Token:
    token = get_or_404(Token, token_id)
    if token.user_id != me().id:
        abort(404)  # someone else's token: do not confirm it exists
    return token


@bp.route("/tokens/")
def token_list():
    own = Token.select().where(Token.user == me().id).order_by(Token.created.desc())
    return render_template("admin/profile_tokens.html", tokens=list(own))


@bp.route("/tokens/add/", methods=["GET", "POST"])
def token_add():
    form = TokenForm()
    if form.validate_on_submit():
        return issue_and_show(me(), form, url_for(".token_list"))
    return render_template("admin/token_form.html", form=form, cancel_url=url_for(".token_list"), owner=me())


@bp.route("/tokens/<int:token_id>/delete/", methods=["GET", "POST"])
def token_delete(token_id: int):
    token = own_token_or_404(token_id)
    return delete_page(
        token,
        noun="API token",
        name=f"{token.prefix}…",
        label=f"token {token.prefix}…",
        next_url=url_for(".token_list"),
        cancel_url=url_for(".token_list"),
        consequences=TOKEN_DELETE_CONSEQUENCES,
    )
