"""The user's own account: their password at /profile/password/ and API tokens at /profile/tokens/."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.models.users import Token
from app.web import login_throttle
from app.web import sessions
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import require_login
from app.web.admin.crud import delete_page
from app.web.admin.tokens import TOKEN_DELETE_CONSEQUENCES
from app.web.admin.tokens import issue_and_show
from app.web.admin_forms import PasswordChangeForm
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


@bp.route("/password/", methods=["GET", "POST"])
def password():
    user = me()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # The current password is checked like a login (and throttled with it): a borrowed session
        # must not be a way to guess it, nor to take the account over.
        lockout = login_throttle.locked(user.username)
        if lockout:
            form.current_password.errors.append(lockout.message)
        elif not user.check_password(form.current_password.data):
            login_throttle.record_failure(user.username, "Wrong current password on the password change page.")
            form.current_password.errors.append("Your current password is not correct.")
        elif user.check_password(form.new_password.data):
            form.new_password.errors.append("The new password must differ from the current one.")
        else:
            user.set_password(form.new_password.data)
            user.save()  # ends every session of the user (User.save) ...
            sessions.renew(user)  # ... and this one goes on with a new key
            flash("Your password has been changed. Your other sessions have been logged out.", "success")
            return redirect(url_for(".password"))
    return render_template("admin/profile_password.html", form=form)
