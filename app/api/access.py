"""The caller and the rows they may see: every lookup goes through security.restrict."""

from __future__ import annotations

import uuid

from flask import g

from app.api.errors import ApiError
from app.api.errors import not_found
from app.catalog import job_class_for
from app.exceptions import JobLoadError
from app.models import JobRecord
from app.models.jobs import normalize_class_path
from app.security import can
from app.security import restrict

VIEW = ("view",)


def api_user():
    return g.api_user


def visible(query, noun: str, *conditions):
    """The one row of ``query`` matching ``conditions`` that the caller may view, else 404."""
    row = restrict(query, api_user(), "view").where(*conditions).first()
    if row is None:
        raise not_found(noun)
    return row


def find_job(key: str, actions=("view", "run")):
    """The job named by id, class path or name on which the caller may perform one of ``actions``.

    404 when there is none; 400 when a name is shared by several (use the id or class path then).
    """
    user = api_user()
    try:
        candidates = [JobRecord.get_or_none(JobRecord.id == uuid.UUID(key))]
    except ValueError:
        candidates = [JobRecord.get_or_none(JobRecord.class_path == normalize_class_path(key))]
        if candidates[0] is None:
            candidates = list(JobRecord.select().where(JobRecord.name == key))
    found = [row for row in candidates
             if row is not None and any(can(user, action, row) for action in actions)]
    if not found:
        raise not_found("Job")
    if len(found) > 1:
        raise ApiError(400, f"More than one job is named \u201c{key}\u201d: use its id or class path.")
    return found[0]


def loaded_job_class(record):
    """The Job class behind a record; 503 while its source cannot be imported."""
    try:
        return job_class_for(record)
    except JobLoadError as exc:
        raise ApiError(503, f"The job \u201c{record.name}\u201d cannot be loaded: {exc}") from None
