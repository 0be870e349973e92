"""Which object changes a user may see.

Two permissions must both allow a change: ``view`` on ``extras.objectchange`` (its constraints apply
to the change's own fields: ``{"user": "$user"}`` shows someone their own changes), and ``view`` on the
changed object's type. An unconstrained grant on that type shows every change of it, deleted objects
included; a constrained one shows the changes of the objects the user may view now (so not those of
deleted objects), because a change's data is the object's data.
"""

from __future__ import annotations

import operator
from functools import reduce

import peewee

from app.models.changes import ObjectChange
from app.objects.registry import kinds
from app.security import restrict
from app.security import user_permissions
from app.security.constraints import NEVER

__all__ = ["visible_changes"]


def _object_ids(model, user):
    """(changed_object_id side, subquery of the ids ``user`` may view) compared as the log stores them."""
    pk = model._meta.primary_key
    lhs = ObjectChange.changed_object_id
    if isinstance(pk, peewee.UUIDField) and not isinstance(model._meta.database.obj, peewee.PostgresqlDatabase):
        # SQLite keeps UUIDs as 32 hex digits; the log keeps them as str(uuid).
        lhs, ids = peewee.fn.REPLACE(lhs, "-", ""), pk
    else:
        ids = peewee.Cast(pk, "TEXT")
    return lhs, restrict(model.select(ids), user, "view")


def _type_condition(user):
    grants = user_permissions(user)
    models = {kind.object_type: kind.model for kind in kinds()}
    conditions = []
    open_types = sorted(object_type for (object_type, action), clauses in grants.items()
                        if action == "view" and clauses is None)
    if open_types:
        conditions.append(ObjectChange.changed_object_type.in_(open_types))
    for (object_type, action), clauses in grants.items():
        if action == "view" and clauses is not None and object_type in models:
            lhs, ids = _object_ids(models[object_type], user)
            conditions.append((ObjectChange.changed_object_type == object_type) & lhs.in_(ids))
    return reduce(operator.or_, conditions) if conditions else NEVER


def visible_changes(user, query=None):
    """``query`` (all changes by default) narrowed to the changes ``user`` may see."""
    query = restrict(ObjectChange.select() if query is None else query, user, "view")
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return query
    return query.where(_type_condition(user))
