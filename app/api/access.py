"""The caller and the rows they may see: every lookup goes through security.restrict."""

from __future__ import annotations

from flask import g

from app.api.errors import ApiError
from app.api.errors import not_found
from app.catalog import job_class_for
from app.exceptions import JobLoadError
from app.security import restrict


def api_user():
    return g.api_user


def visible(query, noun: str, *conditions):
    """The one row of ``query`` matching ``conditions`` that the caller may view, else 404."""
    row = restrict(query, api_user(), "view").where(*conditions).first()
    if row is None:
        raise not_found(noun)
    return row


def loaded_job_class(record):
    """The Job class behind a record; 503 while its source cannot be imported."""
    try:
        return job_class_for(record)
    except JobLoadError as exc:
        raise ApiError(503, f"The job \u201c{record.name}\u201d cannot be loaded: {exc}") from None
