"""Helpers for the web tests: users with permissions, CSRF tokens, logging a test client in."""

from __future__ import annotations

import re

from app.models import ObjectPermission
from app.models import PermissionUser
from app.models import User

PASSWORD = "password"
CSRF_VALUE = re.compile(r'name="(?:[\w-]*csrf_token)"[^>]*value="([^"]+)"')


def make_user(username: str, *, superuser: bool = False, **fields) -> User:
    user = User(username=username, is_superuser=superuser, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def grant(user, object_types, actions, constraints=None) -> ObjectPermission:
    permission = ObjectPermission.create(
        name=f"{user.username}: {','.join(actions)} on {','.join(object_types)} {constraints or ''}"[:100],
        object_types=list(object_types),
        actions=list(actions),
        constraints=constraints,
    )
    PermissionUser.create(permission=permission, user=user)
    return permission


def page_csrf(client, url: str) -> str:
    match = CSRF_VALUE.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def client_login(client, username: str, password: str = PASSWORD):
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": page_csrf(client, "/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def login_as(app, user):
    """A fresh test client logged in as ``user`` (made with make_user)."""
    return client_login(app.test_client(), user.username)
