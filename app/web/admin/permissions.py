"""Admin views for object permissions."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.db import database
from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import PermissionGroup
from app.models.users import PermissionUser
from app.models.users import User
from app.security import restrict
from app.web.admin import bp
from app.web.admin.access import confirm_delete
from app.web.admin.access import delete_or_explain
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin_forms import KNOWN_OBJECT_TYPES
from app.web.admin_forms import ConfirmForm
from app.web.admin_forms import PermissionForm
from app.web.admin_forms import choices
from app.web.admin_forms import format_constraints
from app.web.admin_forms import parse_constraints


def replace_links(link_model, permission, column: str, wanted) -> None:
    link_model.delete().where(link_model.permission == permission).execute()
    for pk in sorted(set(wanted or [])):
        link_model.create(permission=permission, **{column: pk})


def prepare_form(form: PermissionForm) -> PermissionForm:
    form.users.choices = choices((user.id, user.username) for user in User.select().order_by(User.username))
    form.groups.choices = choices((group.id, group.name) for group in Group.select().order_by(Group.name))
    return form


def fill_form(form: PermissionForm, permission: ObjectPermission) -> None:
    types = list(permission.object_types or [])
    form.object_types.data = [name for name in types if name in KNOWN_OBJECT_TYPES]
    form.other_object_types.data = ", ".join(name for name in types if name not in KNOWN_OBJECT_TYPES)
    form.constraints.data = format_constraints(permission.constraints)
    form.users.data = [
        link.user_id for link in PermissionUser.select().where(PermissionUser.permission == permission)
    ]
    form.groups.data = [
        link.group_id for link in PermissionGroup.select().where(PermissionGroup.permission == permission)
    ]


def save_permission(form: PermissionForm, permission: ObjectPermission) -> ObjectPermission:
    permission.name = form.name.data.strip()
    permission.description = form.description.data or ""
    permission.enabled = form.enabled.data
    permission.object_types = form.all_object_types()
    permission.actions = list(form.actions.data)
    permission.constraints = parse_constraints(form.constraints.data)
    with database.atomic():
        permission.save()
        replace_links(PermissionUser, permission, "user", form.users.data)
        replace_links(PermissionGroup, permission, "group", form.groups.data)
    return permission


def assignees(permission_ids) -> tuple[dict, dict]:
    users: dict[int, list[str]] = {}
    groups: dict[int, list[str]] = {}
    ids = list(permission_ids)
    user_links = (
        PermissionUser.select(PermissionUser, User).join(User).where(PermissionUser.permission.in_(ids))
    )
    for link in user_links.order_by(User.username):
        users.setdefault(link.permission_id, []).append(link.user.username)
    group_links = (
        PermissionGroup.select(PermissionGroup, Group).join(Group).where(PermissionGroup.permission.in_(ids))
    )
    for link in group_links.order_by(Group.name):
        groups.setdefault(link.permission_id, []).append(link.group.name)
    return users, groups


@bp.route("/permissions/")
def permission_list():
    permit("view", ObjectPermission)
    permissions = list(restrict(ObjectPermission.select().order_by(ObjectPermission.name), me(), "view"))
    users, groups = assignees(permission.id for permission in permissions)
    return render_template(
        "admin/permission_list.html",
        permissions=permissions,
        users=users,
        groups=groups,
        format_constraints=format_constraints,
    )


@bp.route("/permissions/add/", methods=["GET", "POST"])
def permission_add():
    permit("add", ObjectPermission)
    form = prepare_form(PermissionForm())
    if form.validate_on_submit():
        permission = save_permission(form, ObjectPermission())
        flash(f"Created permission {permission.name}.", "success")
        return redirect(url_for(".permission_list"))
    return render_template("admin/permission_form.html", form=form, target=None)


@bp.route("/permissions/<int:permission_id>/", methods=["GET", "POST"])
def permission_edit(permission_id: int):
    permission = get_or_404(ObjectPermission, permission_id)
    permit("change", permission)
    form = prepare_form(PermissionForm(obj=permission, instance=permission))
    if not form.is_submitted():
        fill_form(form, permission)
    if form.validate_on_submit():
        save_permission(form, permission)
        flash(f"Saved permission {permission.name}.", "success")
        return redirect(url_for(".permission_list"))
    return render_template("admin/permission_form.html", form=form, target=permission)


@bp.route("/permissions/<int:permission_id>/delete/", methods=["GET", "POST"])
def permission_delete(permission_id: int):
    permission = get_or_404(ObjectPermission, permission_id)
    permit("delete", permission)
    form = ConfirmForm()
    if form.validate_on_submit():
        return delete_or_explain(permission, f"permission {permission.name}", url_for(".permission_list"))
    return confirm_delete(
        form,
        noun="permission",
        obj=permission,
        cancel_url=url_for(".permission_edit", permission_id=permission.id),
        consequences=["Every user and group it was given to loses what it granted."],
    )
