"""The users section (``/api/users/``): users, groups and object permissions, as Nautobot has them.

Writes go through the admin pages' forms and save functions (app/web/admin_forms.py and
app/web/admin/*.py), so a value is accepted, a password hashed and a change stored exactly as on the
pages; the rules the pages apply to the person logged in are applied here to the token's user.
"""

from __future__ import annotations

import json

from app.api import filters
from app.api.access import api_user
from app.api.crud import Resource
from app.api.crud import register
from app.api.errors import ApiError
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.form_input import FLAG
from app.api.form_input import IDS
from app.api.form_input import JSON
from app.api.form_input import NO_CSRF
from app.api.form_input import SECRET
from app.api.form_input import TEXT
from app.api.form_input import TEXTS
from app.api.form_input import form_errors
from app.api.form_input import formdata
from app.api.serializers import group as serialize_group
from app.api.serializers import object_permission as serialize_permission
from app.api.serializers import user as serialize_user
from app.models import Group
from app.models import ObjectPermission
from app.models import PermissionGroup
from app.models import PermissionUser
from app.models import User
from app.models import UserGroup
from app.security import PermissionDenied
from app.web.admin.crud import linked_ids
from app.web.admin.groups import save_group
from app.web.admin.permissions import save_permission
from app.web.admin.users import save_user
from app.web.admin_forms import KNOWN_OBJECT_TYPES
from app.web.admin_forms import GroupForm
from app.web.admin_forms import PermissionForm
from app.web.admin_forms import UserAddForm
from app.web.admin_forms import UserForm
from app.web.admin_forms import group_choices
from app.web.admin_forms import user_choices

ONLY_SUPERUSERS = "Only a superuser may change or delete a superuser."


def related(owner_column, other_column, owner_ids, order) -> dict:
    """{owner id: [rows other_column points to]} through a link table, in one query."""
    other = other_column.rel_model
    query = (owner_column.model.select(owner_column, other_column, other).join(other, on=other_column)
             .where(owner_column.in_(list(owner_ids))).order_by(order))
    found: dict = {}
    for link in query:
        found.setdefault(link.__data__[owner_column.name], []).append(getattr(link, other_column.name))
    return found


def _links(owner_column, row, other_column) -> list[int]:
    return linked_ids(owner_column, row, other_column) if row.id is not None else []


def _check(form, rename=None, errors=None) -> None:
    """400 with the form's errors (and ``errors``) unless the form accepts the values."""
    found = {} if form.validate() else form_errors(form, rename)
    for name, messages in (errors or {}).items():
        found.setdefault(name, []).extend(messages)
    if found:
        raise ApiError(400, found)


# Users


def _serialize_users(rows):
    groups = related(UserGroup.user, UserGroup.group, [row.id for row in rows], Group.name)
    return [serialize_user(row, groups.get(row.id, ())) for row in rows]


def _refuse_superuser_changes(caller, user, values: dict) -> None:
    # As on the admin pages: else a user administrator could take over a superuser's account.
    if user.id is not None and user.is_superuser and not caller.is_superuser:
        raise PermissionDenied(ONLY_SUPERUSERS)
    if not caller.is_superuser and any(values.get(name, getattr(user, name)) != getattr(user, name)
                                       for name in ("is_superuser", "is_staff")):
        raise PermissionDenied("Only a superuser may grant or remove superuser or staff status.")


def _self_lockout(caller, user, merged: dict) -> dict:
    if user.id != caller.id:
        return {}
    errors = {}
    if not merged["is_active"]:
        errors["is_active"] = ["You cannot deactivate your own account."]
    if user.is_superuser and not merged["is_superuser"]:
        errors["is_superuser"] = ["You cannot remove your own superuser status."]
    return errors


def prepare_user(user, values: dict):
    caller = api_user()
    _refuse_superuser_changes(caller, user, values)
    merged = {
        "username": user.username, "email": user.email, "first_name": user.first_name,
        "last_name": user.last_name, "password": "", "is_active": user.is_active, "is_staff": user.is_staff,
        "is_superuser": user.is_superuser, "groups": _links(UserGroup.user, user, UserGroup.group), **values,
    }
    merged["password_confirm"] = merged["password"]
    if user.id is None:
        form = UserAddForm(formdata=formdata(merged), meta=NO_CSRF)
    else:
        form = UserForm(formdata=formdata(merged), instance=user, meta=NO_CSRF)
    form.groups.choices = group_choices()
    if not caller.is_superuser:
        del form.is_superuser, form.is_staff
    _check(form, {"password_confirm": "password"}, _self_lockout(caller, user, merged))
    return lambda: _store_user(form, user)


def _store_user(form, user) -> None:
    # The page's save, without its password step: that step also concerns the browser session of
    # the person logged in, which a token request has not. The password takes the model's path.
    password, form.password.data = form.password.data, ""
    save_user(form, user)
    if password:
        user.set_password(password)
        user.save()


def _before_user_delete(user) -> None:
    caller = api_user()
    if user.id == caller.id:
        raise PermissionDenied("You cannot delete your own account.")
    if user.is_superuser and not caller.is_superuser:
        raise PermissionDenied(ONLY_SUPERUSERS)


register(Resource(
    model=User, rule="/users/users/", name="user", noun="User", label="user",
    filters=FilterSet(
        Filter("id", "User id.", filters.any_of(User.id), filters.parse_integer, {"type": "integer"}),
        Filter("username", "Exact username.", filters.any_of(User.username)),
        Filter("is_active", "Active or not.", filters.any_of(User.is_active), filters.parse_boolean, filters.BOOLEAN),
    ),
    order=(User.username,), serialize=_serialize_users,
    fields={"username": TEXT, "email": TEXT, "first_name": TEXT, "last_name": TEXT, "password": SECRET,
            "is_active": FLAG, "is_staff": FLAG, "is_superuser": FLAG, "groups": IDS},
    descriptions={
        "password": "Stored hashed, never answered. 8 to 128 characters; blank or left out keeps the current one.",
        "is_staff": "Only a superuser may set it.", "is_superuser": "Only a superuser may set it.",
        "groups": "Group ids: the user's groups become exactly these.",
    },
    prepare=prepare_user, required=("username", "password"), replace_required=("username",),
    before_delete=_before_user_delete,
))


# Groups


def prepare_group(group, values: dict):
    merged = {"name": group.name, "members": _links(UserGroup.group, group, UserGroup.user), **values}
    form = GroupForm(formdata=formdata(merged), instance=group if group.id is not None else None, meta=NO_CSRF)
    form.members.choices = user_choices()
    _check(form)
    return lambda: save_group(form, group)


register(Resource(
    model=Group, rule="/users/groups/", name="group", noun="Group", label="group",
    filters=FilterSet(
        Filter("id", "Group id.", filters.any_of(Group.id), filters.parse_integer, {"type": "integer"}),
        Filter("name", "Exact name.", filters.any_of(Group.name)),
    ),
    order=(Group.name,), serialize=lambda rows: [serialize_group(row) for row in rows],
    fields={"name": TEXT}, prepare=prepare_group, required=("name",), replace_required=("name",),
))


# Object permissions


def _serialize_permissions(rows):
    ids = [row.id for row in rows]
    users = related(PermissionUser.permission, PermissionUser.user, ids, User.username)
    groups = related(PermissionGroup.permission, PermissionGroup.group, ids, Group.name)
    return [serialize_permission(row, users.get(row.id, ()), groups.get(row.id, ())) for row in rows]


def prepare_permission(permission, values: dict):
    merged = {
        "name": permission.name, "description": permission.description, "enabled": permission.enabled,
        "object_types": permission.object_types or [], "actions": permission.actions or [],
        "constraints": permission.constraints,
        "users": _links(PermissionUser.permission, permission, PermissionUser.user),
        "groups": _links(PermissionGroup.permission, permission, PermissionGroup.group), **values,
    }
    # The form has checkboxes for the known object types and a text field for the others (a plugin's).
    types = merged.pop("object_types")
    merged["object_types"] = [name for name in types if name in KNOWN_OBJECT_TYPES]
    merged["other_object_types"] = ", ".join(name for name in types if name not in KNOWN_OBJECT_TYPES)
    constraints = merged.pop("constraints")
    merged["constraints"] = "" if constraints is None else json.dumps(constraints)
    form = PermissionForm(formdata=formdata(merged), instance=permission if permission.id is not None else None,
                          meta=NO_CSRF)
    form.users.choices = user_choices()
    form.groups.choices = group_choices()
    _check(form, {"other_object_types": "object_types"})
    return lambda: save_permission(form, permission)


register(Resource(
    model=ObjectPermission, rule="/users/permissions/", name="permission", noun="ObjectPermission",
    label="permission",
    filters=FilterSet(
        Filter("id", "Permission id.", filters.any_of(ObjectPermission.id), filters.parse_integer,
               {"type": "integer"}),
        Filter("name", "Exact name.", filters.any_of(ObjectPermission.name)),
        Filter("enabled", "Enabled or not.", filters.any_of(ObjectPermission.enabled), filters.parse_boolean,
               filters.BOOLEAN),
    ),
    order=(ObjectPermission.name,), serialize=_serialize_permissions,
    fields={"name": TEXT, "description": TEXT, "enabled": FLAG, "object_types": TEXTS, "actions": TEXTS,
            "constraints": JSON, "users": IDS, "groups": IDS},
    descriptions={
        "object_types": "app_label.model names, e.g. extras.job, extras.jobresult, users.user.",
        "actions": "Any of view, add, change, delete, run, approve.",
        "constraints": 'null (every object), an object of field lookups such as {"grouping": "Reports"}, or a '
                       'list of such objects (any may match); {"user": "$user"} is the requesting user.',
        "users": "User ids it is given to.", "groups": "Group ids it is given to.",
    },
    prepare=prepare_permission, required=("name", "object_types", "actions"),
    replace_required=("name", "object_types", "actions"),
))
