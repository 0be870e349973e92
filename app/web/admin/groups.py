"""Admin views for groups."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from peewee import fn

from app.db import database
from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import PermissionGroup
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
from app.web.admin_forms import GroupForm
from app.web.admin_forms import choices


def set_members(group: Group, user_ids) -> None:
    wanted = set(user_ids or [])
    current = {link.user_id for link in UserGroup.select().where(UserGroup.group == group)}
    if current - wanted:
        UserGroup.delete().where(
            (UserGroup.group == group) & UserGroup.user.in_(list(current - wanted))
        ).execute()
    for user_id in sorted(wanted - current):
        UserGroup.create(user=user_id, group=group)


def prepare_form(form: GroupForm) -> GroupForm:
    form.members.choices = choices((user.id, user.username) for user in User.select().order_by(User.username))
    return form


def save_group(form: GroupForm, group: Group) -> Group:
    group.name = form.name.data.strip()
    with database.atomic():
        group.save()
        set_members(group, form.members.data)
    return group


def count_by(link_model, key, group_ids) -> dict[int, int]:
    query = (
        link_model.select(key, fn.COUNT(link_model.id).alias("n"))
        .where(key.in_(list(group_ids)))
        .group_by(key)
        .tuples()
    )
    return dict(query)


@bp.route("/groups/")
def group_list():
    permit("view", Group)
    groups = list(restrict(Group.select().order_by(Group.name), me(), "view"))
    ids = [group.id for group in groups]
    return render_template(
        "admin/group_list.html",
        groups=groups,
        members=count_by(UserGroup, UserGroup.group, ids),
        permissions=count_by(PermissionGroup, PermissionGroup.group, ids),
    )


@bp.route("/groups/add/", methods=["GET", "POST"])
def group_add():
    permit("add", Group)
    form = prepare_form(GroupForm())
    if form.validate_on_submit():
        group = save_group(form, Group())
        flash(f"Created group {group.name}.", "success")
        return redirect(url_for(".group_list"))
    return render_template("admin/group_form.html", form=form, target=None, permissions=[])


@bp.route("/groups/<int:group_id>/", methods=["GET", "POST"])
def group_edit(group_id: int):
    group = get_or_404(Group, group_id)
    permit("change", group)
    form = prepare_form(GroupForm(obj=group, instance=group))
    if not form.is_submitted():
        form.members.data = [link.user_id for link in UserGroup.select().where(UserGroup.group == group)]
    if form.validate_on_submit():
        save_group(form, group)
        flash(f"Saved group {group.name}.", "success")
        return redirect(url_for(".group_list"))
    permissions = (
        ObjectPermission.select()
        .join(PermissionGroup)
        .where(PermissionGroup.group == group)
        .order_by(ObjectPermission.name)
    )
    return render_template("admin/group_form.html", form=form, target=group, permissions=list(permissions))


@bp.route("/groups/<int:group_id>/delete/", methods=["GET", "POST"])
def group_delete(group_id: int):
    group = get_or_404(Group, group_id)
    permit("delete", group)
    form = ConfirmForm()
    if form.validate_on_submit():
        return delete_or_explain(group, f"group {group.name}", url_for(".group_list"))
    return confirm_delete(
        form,
        noun="group",
        obj=group,
        cancel_url=url_for(".group_edit", group_id=group.id),
        consequences=["Its members lose the permissions given to the group.", "No user is deleted."],
    )
