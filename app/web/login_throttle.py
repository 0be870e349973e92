"""Login throttling, per username and address and per address, and the record of failed logins.

Per username at one address: MAX_FAILURES within FAILURE_WINDOW lock that pair for LOCKOUT, so one
person mistyping cannot lock out a colleague behind the same NAT. Per address: ADDRESS_MAX_FAILURES
(any usernames) within FAILURE_WINDOW lock the whole address for LOCKOUT, which stops password
spraying (one common password tried against many accounts). A success clears the per-username
counter only; clearing the address counter would let one valid account reset it. Counters live in
the database so every web worker process shares them. Every refusal is kept as a FailedLogin row
(time, username tried, address, user agent, reason, never the password) for FAILED_LOGIN_RETENTION.
"""

from __future__ import annotations

import dataclasses
import datetime
import math

from flask import request

from app.db import utcnow
from app.models import FailedLogin
from app.models import LoginFailure

MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 10
FAILURE_WINDOW = datetime.timedelta(minutes=15)
LOCKOUT = datetime.timedelta(minutes=15)
FAILED_LOGIN_RETENTION = datetime.timedelta(days=90)


@dataclasses.dataclass
class Lockout:
    until: datetime.datetime
    message: str


def _address() -> str:
    return request.remote_addr or "-"


def _user_key(username: str) -> str:
    return f"{username.strip().lower()}|{_address()}"[:300]


def _limits(username: str):
    """(key, limit, sentence) for each counter this attempt counts against."""
    return (
        (_user_key(username), MAX_FAILURES, f"Too many failed logins for \u201c{username}\u201d."),
        (_address()[:300], ADDRESS_MAX_FAILURES, "Too many failed logins from your address."),
    )


def locked(username: str) -> Lockout | None:
    """The lockout that refuses this username from this address now, or None."""
    keys = {key: (limit, sentence) for key, limit, sentence in _limits(username)}
    now = utcnow()
    for row in LoginFailure.select().where(LoginFailure.key.in_(list(keys))):
        limit, sentence = keys[row.key]
        until = row.last_failure + LOCKOUT
        if row.count >= limit and until > now:
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            return Lockout(until, f"{sentence} Try again in {minutes} minutes.")
    return None


def _count(key: str, limit: int, now: datetime.datetime) -> None:
    row = LoginFailure.get_or_none(LoginFailure.key == key)
    if row is None:
        LoginFailure.insert(key=key, count=1, first_failure=now, last_failure=now).on_conflict_ignore().execute()
        return
    window_over = now - row.first_failure > FAILURE_WINDOW and row.count < limit
    if window_over or now - row.last_failure > LOCKOUT:
        row.count, row.first_failure = 0, now
    row.count += 1
    row.last_failure = now
    row.save()


def record_failure(username: str, reason: str) -> None:
    """Count a refused login against both limits and keep it for the admin page."""
    now = utcnow()
    for key, limit, _sentence in _limits(username):
        _count(key, limit, now)
    FailedLogin.delete().where(FailedLogin.created < now - FAILED_LOGIN_RETENTION).execute()
    FailedLogin.create(
        created=now,
        username=username[:150],
        address=(request.remote_addr or "")[:100],
        user_agent=(request.user_agent.string or "")[:300],
        reason=reason[:200],
    )


def clear_failures(username: str) -> None:
    """After a success: forget this username's failures here, and every counter gone stale."""
    stale = utcnow() - max(FAILURE_WINDOW, LOCKOUT)
    LoginFailure.delete().where(
        (LoginFailure.key == _user_key(username)) | (LoginFailure.last_failure < stale)
    ).execute()
