"""Users, read-only (``/api/users/users/``): what the ``user`` reference on a job result points to."""

from __future__ import annotations

from app.api import filters
from app.api.access import api_user
from app.api.access import visible
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import user as serialize_user
from app.models import User
from app.security import restrict

USER_FILTERS = FilterSet(
    Filter("id", "User id.", filters.any_of(User.id), filters.parse_integer, {"type": "integer"}),
    Filter("username", "Exact username.", filters.any_of(User.username)),
)


@api_route("/users/users/", summary="List the users you may view.", tag="users", filters=USER_FILTERS,
           response="User")
def user_list():
    query = USER_FILTERS.apply(restrict(User.select(), api_user(), "view"))
    return render(paginate(query.order_by(User.username), serialize_user))


@api_route("/users/users/<int:user_id>/", summary="Get one user.", tag="users", response="User", errors=(404,))
def user_detail(user_id):
    return render(serialize_user(visible(User.select(), "User", User.id == user_id)))
