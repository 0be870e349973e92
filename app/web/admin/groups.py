"""Admin views for groups."""

from __future__ import annotations

from flask import render_template
from flask import url_for
from peewee import fn

from app.db import database
from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import PermissionGroup
from app.models.users import UserGroup
from app.security import restrict
from app.web.admin import bp
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin.crud import form_page
from app.web.admin.crud import linked_ids
from app.web.admin.crud import set_links
from app.web.admin_forms import GroupForm
from app.web.admin_forms import user_choices


def prepare_form(form: GroupForm) -> GroupForm:
    form.members.choices = user_choices()
    return form


def save_group(form: GroupForm, group: Group) -> Group:
    group.name = form.name.data.strip()
    with database.atomic():
        group.save()
        set_links(UserGroup.group, group, UserGroup.user, form.members.data)
    return group


def group_form_page(form: GroupForm, group: Group, permissions: list[ObjectPermission]):
    return form_page(
        form,
        group,
        save_group,
        noun="group",
        template="admin/group_form.html",
        next_url=url_for(".group_list"),
        permissions=permissions,
    )


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
    return group_form_page(prepare_form(GroupForm()), Group(), permissions=[])


@bp.route("/groups/<int:group_id>/", methods=["GET", "POST"])
def group_edit(group_id: int):
    group = get_or_404(Group, group_id)
    permit("change", group)
    form = prepare_form(GroupForm(obj=group, instance=group))
    if not form.is_submitted():
        form.members.data = linked_ids(UserGroup.group, group, UserGroup.user)
    permissions = (
        ObjectPermission.select()
        .join(PermissionGroup)
        .where(PermissionGroup.group == group)
        .order_by(ObjectPermission.name)
    )
    return group_form_page(form, group, permissions=list(permissions))


@bp.route("/groups/<int:group_id>/delete/", methods=["GET", "POST"])
def group_delete(group_id: int):
    group = get_or_404(Group, group_id)
    permit("delete", group)
    return delete_page(
        group,
        noun="group",
        next_url=url_for(".group_list"),
        cancel_url=url_for(".group_edit", group_id=group.id),
        consequences=["Its members lose the permissions given to the group.", "No user is deleted."],
    )
