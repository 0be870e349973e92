"""Admin views for users."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.db import database
from app.models.users import Group
from app.models.users import User
from app.models.users import UserGroup
from app.security import restrict
from app.web.admin import bp
from app.web.admin.access import confirm_delete
from app.web.admin.access import delete_or_explain
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin_forms import ConfirmForm
from app.web.admin_forms import UserAddForm
from app.web.admin_forms import UserForm
from app.web.admin_forms import choices


def groups_by_user(user_ids) -> dict[int, list[Group]]:
    found: dict[int, list[Group]] = {}
    links = UserGroup.select(UserGroup, Group).join(Group).where(UserGroup.user.in_(list(user_ids)))
    for link in links.order_by(Group.name):
        found.setdefault(link.user_id, []).append(link.group)
    return found


def set_groups(user: User, group_ids) -> None:
    wanted = set(group_ids or [])
    current = {link.group_id for link in UserGroup.select().where(UserGroup.user == user)}
    if current - wanted:
        UserGroup.delete().where(
            (UserGroup.user == user) & UserGroup.group.in_(list(current - wanted))
        ).execute()
    for group_id in sorted(wanted - current):
        UserGroup.create(user=user, group=group_id)


def guard_superuser(target: User) -> None:
    # Changing a superuser's password or flags would hand their powers to whoever did it.
    if target.is_superuser and not me().is_superuser:
        abort(403, description="Only a superuser may change or delete a superuser.")


def prepare_form(form: UserForm) -> UserForm:
    form.groups.choices = choices((group.id, group.name) for group in Group.select().order_by(Group.name))
    if not me().is_superuser:
        del form.is_superuser
        del form.is_staff
    return form


def check_self(form: UserForm, target: User | None) -> bool:
    """Refuse to lock yourself out; False (with an inline error) when the form would."""
    if target is None or target.id != me().id:
        return True
    ok = True
    if not form.is_active.data:
        form.is_active.errors = ["You cannot deactivate your own account."]
        ok = False
    if "is_superuser" in form and target.is_superuser and not form.is_superuser.data:
        form.is_superuser.errors = ["You cannot remove your own superuser status."]
        ok = False
    return ok


def save_user(form: UserForm, user: User) -> User:
    user.username = form.username.data.strip()
    user.email = (form.email.data or "").strip()
    user.first_name = form.first_name.data or ""
    user.last_name = form.last_name.data or ""
    user.is_active = form.is_active.data
    if "is_superuser" in form:
        user.is_superuser = form.is_superuser.data
        user.is_staff = form.is_staff.data
    if form.password.data:
        user.set_password(form.password.data)
    with database.atomic():
        user.save()
        set_groups(user, form.groups.data)
    return user


@bp.route("/users/")
def user_list():
    permit("view", User)
    users = list(restrict(User.select().order_by(User.username), me(), "view"))
    return render_template("admin/user_list.html", users=users, groups=groups_by_user(u.id for u in users))


@bp.route("/users/add/", methods=["GET", "POST"])
def user_add():
    permit("add", User)
    form = prepare_form(UserAddForm())
    if form.validate_on_submit():
        user = save_user(form, User())
        flash(f"Created user {user.username}.", "success")
        return redirect(url_for(".user_list"))
    return render_template("admin/user_form.html", form=form, target=None)


@bp.route("/users/<int:user_id>/", methods=["GET", "POST"])
def user_edit(user_id: int):
    target = get_or_404(User, user_id)
    permit("change", target)
    guard_superuser(target)
    form = prepare_form(UserForm(obj=target, instance=target))
    if not form.is_submitted():
        form.groups.data = [link.group_id for link in UserGroup.select().where(UserGroup.user == target)]
    if form.validate_on_submit() and check_self(form, target):
        save_user(form, target)
        flash(f"Saved user {target.username}.", "success")
        return redirect(url_for(".user_list"))
    return render_template("admin/user_form.html", form=form, target=target)


@bp.route("/users/<int:user_id>/delete/", methods=["GET", "POST"])
def user_delete(user_id: int):
    target = get_or_404(User, user_id)
    permit("delete", target)
    guard_superuser(target)
    if target.id == me().id:
        abort(403, description="You cannot delete your own account.")
    form = ConfirmForm()
    if form.validate_on_submit():
        return delete_or_explain(target, f"user {target.username}", url_for(".user_list"))
    return confirm_delete(
        form,
        noun="user",
        obj=target,
        cancel_url=url_for(".user_edit", user_id=target.id),
        consequences=[
            "Their API tokens are deleted.",
            "Their group memberships and direct permissions are removed.",
        ],
    )
