"""The change log (``/api/extras/object-changes/``): read-only, newest first.

Who sees which changes: app/objects/change_access.py.
"""

from __future__ import annotations

from peewee import JOIN

from app.api import filters
from app.api.access import api_user
from app.api.errors import not_found
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import format_datetime
from app.api.rendering import render
from app.api.schemas import COMPONENTS
from app.api.schemas import TIME
from app.api.schemas import URI
from app.api.schemas import UUID
from app.api.schemas import closed
from app.api.schemas import nullable
from app.api.schemas import ref
from app.api.serializers import api_url
from app.api.serializers import nested_result
from app.api.serializers import nested_user
from app.models import ObjectChange
from app.models import User
from app.models.changes import ChangeAction
from app.objects.change_access import visible_changes

ACTIONS = [action.value for action in ChangeAction]
STRING = {"type": "string"}

COMPONENTS["ObjectChange"] = closed({
    "id": STRING, "object_type": {"const": "extras.objectchange"}, "display": STRING, "url": URI,
    "time": TIME, "user": nullable(ref("NestedRef")), "user_name": STRING, "request_id": UUID,
    "action": closed({"value": {"enum": ACTIONS}, "label": STRING}),
    "changed_object_type": STRING, "changed_object_id": STRING, "object_repr": STRING,
    "object_data": nullable({"type": "object"}), "object_data_before": nullable({"type": "object"}),
    "job_result": nullable(ref("NestedRef")),
})


def _user(values):
    ids = [int(value) for value in values if value.isdigit()]
    names = [value for value in values if not value.isdigit()]
    return ObjectChange.user.in_(ids) | ObjectChange.user.in_(User.select(User.id).where(User.username.in_(names)))


CHANGE_FILTERS = FilterSet(
    Filter("user", "The user who made the change: id or username.", _user),
    Filter("user_name", "The user's name as recorded (kept after the user is deleted).",
           filters.any_of(ObjectChange.user_name)),
    Filter("changed_object_type", "Object type, such as dcim.device.", filters.any_of(ObjectChange.changed_object_type),
           str.lower),
    Filter("changed_object_id", "The changed object's id.", filters.any_of(ObjectChange.changed_object_id)),
    Filter("action", "Action: " + ", ".join(ACTIONS), filters.any_of(ObjectChange.action),
           filters.choice_parser(set(ACTIONS), str.lower), {"type": "string", "enum": ACTIONS}),
    Filter("request_id", "The request or job run that made the change.", filters.any_of(ObjectChange.request_id),
           filters.parse_uuid, filters.UUID),
    Filter("job_result", "The job result whose run made the change.", filters.any_of(ObjectChange.job_result),
           filters.parse_uuid, filters.UUID),
    Filter("time__gte", "At or after (ISO 8601).", filters.all_of(lambda value: ObjectChange.time >= value),
           filters.parse_datetime, filters.DATETIME),
    Filter("time__lte", "At or before (ISO 8601).", filters.all_of(lambda value: ObjectChange.time <= value),
           filters.parse_datetime, filters.DATETIME),
)


def serialize(change) -> dict:
    pk = str(change.id)
    return {
        "id": pk,
        "object_type": "extras.objectchange",
        "display": f"{change.object_repr} {change.action}d",
        "url": api_url(f"extras/object-changes/{pk}/"),
        "time": format_datetime(change.time),
        "user": nested_user(change.user) if change.user_id else None,
        "user_name": change.user_name,
        "request_id": str(change.request_id),
        "action": {"value": change.action, "label": change.action.capitalize()},
        "changed_object_type": change.changed_object_type,
        "changed_object_id": change.changed_object_id,
        "object_repr": change.object_repr,
        "object_data": change.object_data,
        "object_data_before": change.object_data_before,
        "job_result": nested_result(change.job_result_id) if change.job_result_id else None,
    }


def _with_user(query):
    return query.select_extend(User).join_from(ObjectChange, User, JOIN.LEFT_OUTER)


@api_route("/extras/object-changes/", summary="List the object changes you may view, newest first.",
           tag="object-changes", filters=CHANGE_FILTERS, response="ObjectChange")
def change_list():
    query = _with_user(visible_changes(api_user(), CHANGE_FILTERS.apply(ObjectChange.select())))
    return render(paginate(query.order_by(ObjectChange.time.desc(), ObjectChange.id), serialize))


@api_route("/extras/object-changes/<uuid:change_id>/", summary="Get one object change.", tag="object-changes",
           response="ObjectChange", errors=(404,))
def change_detail(change_id):
    change = _with_user(visible_changes(api_user())).where(ObjectChange.id == change_id).first()
    if change is None:
        raise not_found("ObjectChange")
    return render(serialize(change))
