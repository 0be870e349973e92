"""Test data and clients for the web tests: users with permissions, an app, logged-in test clients."""

from __future__ import annotations

import re

from app import create_app
from app.models import ObjectPermission
from app.models import PermissionUser
from app.models import User

PASSWORD = "correct-horse-9"
CSRF_VALUE = re.compile(r'name="(?:[\w-]*csrf_token)"[^>]*value="([^"]+)"')


def make_app(config, csrf: bool = False):
    """create_app(config) for the test client; CSRF checks are off unless asked for."""
    app = create_app(config)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=csrf)
    return app


def make_user(username: str, *, superuser: bool = False, **fields) -> User:
    """A saved user whose password is PASSWORD."""
    user = User(username=username, is_superuser=superuser, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def grant(user, object_types, actions, constraints=None) -> ObjectPermission:
    """Give user a permission of its own for actions on object_types (narrowed by constraints)."""
    permission = ObjectPermission.create(
        name=f"{user.username}: {','.join(actions)} on {','.join(object_types)} {constraints or ''}"[:100],
        object_types=list(object_types),
        actions=list(actions),
        constraints=constraints,
    )
    PermissionUser.create(permission=permission, user=user)
    return permission


def page_csrf(client, url: str) -> str:
    """The CSRF token of the first form on the page at url."""
    match = CSRF_VALUE.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def client_login(client, username: str, password: str = PASSWORD):
    """Log client in through /login (with its CSRF token); returns the client."""
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": page_csrf(client, "/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def login_as(app, user):
    """A fresh test client logged in as ``user`` (made with make_user)."""
    return client_login(app.test_client(), user.username)


def text(response) -> str:
    return response.get_data(as_text=True)


def make_request(record, user, *, task_kwargs=None, state="awaiting", interval="future", start_time=None,
                 crontab="", name=None, code_digest=None, **fields):
    """A ScheduledJob as admission makes it for an approval-required job: AWAITING, inputs frozen,
    the job's code digest taken now (unless given), next run at its start time."""
    import datetime

    from app.db import utcnow
    from app.execution.approvals import code_digest as digest_of
    from app.models.schedules import ScheduledJob

    start = start_time or utcnow() - datetime.timedelta(seconds=1)
    return ScheduledJob.create(
        name=name or f"{record.name} requested by {user.username if user else 'nobody'}",
        job_record=record,
        task_name=record.class_path,
        user=user,
        interval=interval,
        start_time=start,
        next_run=start,
        crontab=crontab,
        task_kwargs=dict(task_kwargs or {}),
        queue=record.queues[0],
        code_digest=digest_of(record) if code_digest is None else code_digest,
        approval_state=state,
        **fields,
    )
