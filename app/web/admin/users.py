"""Admin views for users."""

from __future__ import annotations

from flask import abort
from flask import render_template
from flask import url_for

from app.db import database
from app.models.users import Group
from app.models.users import User
from app.models.users import UserGroup
from app.security import restrict
from app.web import sessions
from app.web.admin import bp
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin.crud import form_page
from app.web.admin.crud import linked_ids
from app.web.admin.crud import set_links
from app.web.admin_forms import UserAddForm
from app.web.admin_forms import UserForm
from app.web.admin_forms import group_choices


def groups_by_user(user_ids) -> dict[int, list[Group]]:
    found: dict[int, list[Group]] = {}
    links = UserGroup.select(UserGroup, Group).join(Group).where(UserGroup.user.in_(list(user_ids)))
    for link in links.order_by(Group.name):
        found.setdefault(link.user_id, []).append(link.group)
    return found


def guard_superuser(target: User) -> None:
    # Changing a superuser's password or flags would hand their powers to whoever did it.
    if target.is_superuser and not me().is_superuser:
        abort(403, description="Only a superuser may change or delete a superuser.")


def prepare_form(form: UserForm) -> UserForm:
    form.groups.choices = group_choices()
    if not form.groups.choices:
        del form.groups  # an empty box helps nobody: the page links to "Add group" instead
    if not me().is_superuser:
        del form.is_superuser
        del form.is_staff
    return form


def check_self(form: UserForm) -> bool:
    """Refuse to lock yourself out; False (with an inline error) when the form would."""
    target = form.instance
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
        user.save()  # a new password or a deactivation ends the user's sessions (User.save)
        if "groups" in form:
            set_links(UserGroup.user, user, UserGroup.group, form.groups.data)
    if form.password.data and user.id == me().id:
        sessions.renew(user)  # your own new password: this session goes on, the others end
    return user


def user_form_page(form: UserForm, user: User):
    return form_page(
        form,
        user,
        save_user,
        noun="user",
        template="admin/user_form.html",
        next_url=url_for(".user_list"),
        check=check_self,
    )


@bp.route("/users/")
def user_list():
    permit("view", User)
    users = list(restrict(User.select().order_by(User.username), me(), "view"))
    return render_template("admin/user_list.html", users=users, groups=groups_by_user(u.id for u in users))


@bp.route("/users/add/", methods=["GET", "POST"])
def user_add():
    permit("add", User)
    return user_form_page(prepare_form(UserAddForm()), User())


@bp.route("/users/<int:user_id>/", methods=["GET", "POST"])
def user_edit(user_id: int):
    target = get_or_404(User, user_id)
    permit("change", target)
    guard_superuser(target)
    form = prepare_form(UserForm(obj=target, instance=target))
    if not form.is_submitted() and "groups" in form:
        form.groups.data = linked_ids(UserGroup.user, target, UserGroup.group)
    return user_form_page(form, target)


@bp.route("/users/<int:user_id>/delete/", methods=["GET", "POST"])
def user_delete(user_id: int):
    target = get_or_404(User, user_id)
    permit("delete", target)
    guard_superuser(target)
    if target.id == me().id:
        abort(403, description="You cannot delete your own account.")
    return delete_page(
        target,
        noun="user",
        next_url=url_for(".user_list"),
        cancel_url=url_for(".user_edit", user_id=target.id),
        consequences=[
            "Their API tokens are deleted.",
            "Their group memberships and direct permissions are removed.",
        ],
    )
