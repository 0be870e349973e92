"""A user's permissions: loaded in one query and memoized on the user object."""

from __future__ import annotations

__all__ = [
    "CACHE_ATTRIBUTE", "PermissionCache", "clear_permission_cache", "is_active", "permission_cache",
    "user_permissions",
]  # fmt: skip

CACHE_ATTRIBUTE = "_jobdeck_perm_cache"


class PermissionCache:
    """What one user object remembers: their grants, and rows fetched to check constraints."""

    def __init__(self, grants: dict):
        self.grants = grants  # {(object_type, action): [clause, ...] or None for "everything"}
        self.related = {}  # (model, field name, value) -> row, for constraints through an FK


def is_active(user) -> bool:
    """An authenticated, active user (anonymous and deactivated users may do nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_active", False))


def _clauses(constraints):
    """None for "everything", else the clause dicts ([] for malformed: nothing)."""
    if constraints is None or constraints == {}:
        return None
    if isinstance(constraints, dict):
        return [constraints]
    if not isinstance(constraints, list):
        return []
    if any(item == {} for item in constraints):
        return None
    return [item for item in constraints if isinstance(item, dict)]


def _load_grants(user) -> dict:
    from app.models.users import ObjectPermission
    from app.models.users import PermissionGroup
    from app.models.users import PermissionUser
    from app.models.users import UserGroup

    direct = PermissionUser.select(PermissionUser.permission).where(PermissionUser.user == user.id)
    groups = UserGroup.select(UserGroup.group).where(UserGroup.user == user.id)
    via_groups = PermissionGroup.select(PermissionGroup.permission).where(PermissionGroup.group.in_(groups))
    query = ObjectPermission.select(
        ObjectPermission.object_types, ObjectPermission.actions, ObjectPermission.constraints
    ).where(
        (ObjectPermission.enabled == True)  # noqa: E712
        & (ObjectPermission.id.in_(direct) | ObjectPermission.id.in_(via_groups))
    )
    grants: dict = {}
    for permission in query:
        clauses = _clauses(permission.constraints)
        types, actions = permission.object_types, permission.actions
        for object_type in types if isinstance(types, list) else [types]:
            for action in actions if isinstance(actions, list) else [actions]:
                key = (str(object_type).lower(), str(action).lower())
                if clauses is None or (key in grants and grants[key] is None):
                    grants[key] = None
                elif clauses:
                    grants[key] = grants.get(key, []) + clauses
    return grants


def permission_cache(user) -> PermissionCache:
    """The user object's PermissionCache, loaded on first use."""
    cache = getattr(user, CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = PermissionCache(_load_grants(user))
        setattr(user, CACHE_ATTRIBUTE, cache)
    return cache


def user_permissions(user) -> dict:
    """``{(object_type, action): clauses or None}``, one query, memoized on the user object."""
    return permission_cache(user).grants if is_active(user) else {}


def clear_permission_cache(user) -> None:
    """Forget memoized permissions (for a user object that outlives a request)."""
    if user is not None and hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)
