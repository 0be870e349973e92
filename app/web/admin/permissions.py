"""Admin views for object permissions."""

from __future__ import annotations

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
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin.crud import form_page
from app.web.admin.crud import linked_ids
from app.web.admin.crud import set_links
from app.web.admin_forms import KNOWN_OBJECT_TYPES
from app.web.admin_forms import PermissionForm
from app.web.admin_forms import format_constraints
from app.web.admin_forms import group_choices
from app.web.admin_forms import parse_constraints
from app.web.admin_forms import user_choices


def prepare_form(form: PermissionForm) -> PermissionForm:
    form.users.choices = user_choices()
    form.groups.choices = group_choices()
    if not form.groups.choices:
        del form.groups  # an empty box helps nobody: the page links to "Add group" instead
    return form


def fill_form(form: PermissionForm, permission: ObjectPermission) -> None:
    types = list(permission.object_types or [])
    form.object_types.data = [name for name in types if name in KNOWN_OBJECT_TYPES]
    form.other_object_types.data = ", ".join(name for name in types if name not in KNOWN_OBJECT_TYPES)
    form.constraints.data = format_constraints(permission.constraints)
    form.users.data = linked_ids(PermissionUser.permission, permission, PermissionUser.user)
    if "groups" in form:
        form.groups.data = linked_ids(PermissionGroup.permission, permission, PermissionGroup.group)


def save_permission(form: PermissionForm, permission: ObjectPermission) -> ObjectPermission:
    permission.name = form.name.data.strip()
    permission.description = form.description.data or ""
    permission.enabled = form.enabled.data
    permission.object_types = form.all_object_types()
    permission.actions = list(form.actions.data)
    permission.constraints = parse_constraints(form.constraints.data)
    with database.atomic():
        permission.save()
        set_links(PermissionUser.permission, permission, PermissionUser.user, form.users.data)
        if "groups" in form:
            set_links(PermissionGroup.permission, permission, PermissionGroup.group, form.groups.data)
    return permission


def permission_form_page(form: PermissionForm, permission: ObjectPermission):
    return form_page(
        form,
        permission,
        save_permission,
        noun="permission",
        template="admin/permission_form.html",
        next_url=url_for(".permission_list"),
    )


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
    return permission_form_page(prepare_form(PermissionForm()), ObjectPermission())


@bp.route("/permissions/<int:permission_id>/", methods=["GET", "POST"])
def permission_edit(permission_id: int):
    permission = get_or_404(ObjectPermission, permission_id)
    permit("change", permission)
    form = prepare_form(PermissionForm(obj=permission, instance=permission))
    if not form.is_submitted():
        fill_form(form, permission)
    return permission_form_page(form, permission)


@bp.route("/permissions/<int:permission_id>/delete/", methods=["GET", "POST"])
def permission_delete(permission_id: int):
    permission = get_or_404(ObjectPermission, permission_id)
    permit("delete", permission)
    return delete_page(
        permission,
        noun="permission",
        next_url=url_for(".permission_list"),
        cancel_url=url_for(".permission_edit", permission_id=permission.id),
        consequences=["Every user and group it was given to loses what it granted."],
    )
