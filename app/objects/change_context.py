"""Who, in which request and which job run, is changing objects: a context variable read by the change log.

A web or API request sets it for its duration (the user is looked up only when a change is recorded,
so a request that changes nothing costs nothing); a job run sets it to its JobResult, the result's
user and the result's id as request id. Outside both (the shell, a migration) changes have no user
and each its own request id.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import uuid
from collections.abc import Callable

__all__ = ["ChangeContext", "begin", "change_context", "current", "end", "job_run"]


@dataclasses.dataclass(frozen=True)
class ChangeContext:
    request_id: uuid.UUID
    user_loader: Callable[[], object] = lambda: None  # returns the acting user (or None) when asked
    job_result_id: object = None

    @property
    def user(self):
        user = self.user_loader()
        return user if getattr(user, "is_authenticated", False) and getattr(user, "id", None) else None


_CURRENT: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar("jobdeck_change_context",
                                                                                 default=None)


def current() -> ChangeContext:
    """The active context, or a fresh one without user (one request id per change)."""
    return _CURRENT.get() or ChangeContext(request_id=uuid.uuid4())


def begin(user_loader: Callable[[], object] = lambda: None, *, request_id=None, job_result_id=None):
    """Start a context (a request's ``before_request``); returns the token ``end()`` takes."""
    return _CURRENT.set(ChangeContext(request_id=request_id or uuid.uuid4(), user_loader=user_loader,
                                      job_result_id=job_result_id))


def end(token) -> None:
    _CURRENT.reset(token)


@contextlib.contextmanager
def change_context(user_loader: Callable[[], object] = lambda: None, *, request_id=None, job_result_id=None):
    """Changes recorded inside carry the user ``user_loader()`` returns, one request id, and the job result."""
    token = begin(user_loader, request_id=request_id, job_result_id=job_result_id)
    try:
        yield
    finally:
        end(token)


def job_run(result):
    """The context of a job run: its result, the result's user, the result's id as request id."""
    return change_context(lambda: result.user if result.user_id else None, request_id=result.id,
                          job_result_id=result.id)
