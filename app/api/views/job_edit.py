"""Editing a job: ``PATCH /api/extras/jobs/<id, class path or name>/`` (enabled, and the overridable metadata).

Setting a field also sets its ``<field>_override`` flag, otherwise the next sync would silently put
the class's value back. Sending ``<field>_override: false`` restores the class's value.
"""

from __future__ import annotations

from app.api.access import VIEW
from app.api.access import api_user
from app.api.access import find_job
from app.api.access import loaded_job_class
from app.api.errors import ApiError
from app.api.negotiation import json_body
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import job as serialize_job
from app.catalog import apply_class_values
from app.db import utcnow
from app.execution.approvals import SENSITIVE_AND_APPROVAL
from app.models.jobs import OVERRIDABLE_FIELDS
from app.models.queues import JobQueue
from app.security import require

_TEXT_LIMITS = {"grouping": 255, "name": 100, "description": None}
_NUMBERS = ("soft_time_limit", "time_limit")


def _check_value(field: str, value):
    """The value to store, or raise ValueError with the message for the client."""
    if field in _TEXT_LIMITS:
        if not isinstance(value, str):
            raise ValueError("Enter a string.")
        limit = _TEXT_LIMITS[field]
        if limit and len(value) > limit:
            raise ValueError(f"Ensure this field has no more than {limit} characters.")
        if field == "name" and not value.strip():
            raise ValueError("This field may not be blank.")
        return value
    if field in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("Enter a number of seconds, 0 or more (0: the configured default).")
        return float(value)
    if field == "task_queues":
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ValueError("Enter a list of queue names.")
        names = list(dict.fromkeys(item.strip() for item in value))
        refusal = JobQueue.refusal(names)
        if refusal:
            raise ValueError(refusal)
        return names
    if not isinstance(value, bool):
        raise ValueError("Must be a valid boolean.")
    return value


def _changes(body: dict, record) -> tuple[dict, set]:
    """(values to set, fields whose override is cleared); 400 with per-field errors."""
    known = set(serialize_job(record))
    errors, values, cleared = {}, {}, set()
    for key, value in body.items():
        if key not in known:
            errors[key] = ["Unknown field."]
        elif key == "enabled" or key in OVERRIDABLE_FIELDS:
            try:
                values[key] = _check_value(key, value)
            except ValueError as exc:
                errors[key] = [str(exc)]
        elif key.endswith("_override") and key[: -len("_override")] in OVERRIDABLE_FIELDS:
            if not isinstance(value, bool):
                errors[key] = ["Must be a valid boolean."]
            elif value:
                values[key] = True
            elif key[: -len("_override")] in body:
                errors[key] = ["Cannot set a value and clear its override in the same request."]
            else:
                cleared.add(key[: -len("_override")])
        # Other known fields are read-only and ignored, as DRF does.
    if errors:
        raise ApiError(400, errors)
    for field in OVERRIDABLE_FIELDS:
        if field in values:
            values[f"{field}_override"] = True
    return values, cleared


@api_route("/extras/jobs/<job_key:job_key>/", method="PATCH", tag="jobs", request="JobPatch", response="Job",
           summary="Enable a job or override its metadata (by id, class path or name; needs change permission).",
           errors=(400, 404, 415))
def job_update(job_key):
    record = find_job(job_key, VIEW)
    require(api_user(), "change", record)
    values, cleared = _changes(json_body(), record)
    for field, value in values.items():
        setattr(record, field, value)
    if cleared:
        for field in cleared:
            setattr(record, f"{field}_override", False)
        apply_class_values(record, loaded_job_class(record))
    if record.has_sensitive_variables and record.approval_required:
        # Nautobot's rule: a request awaiting approval stores its inputs, and sensitive ones never are.
        raise ApiError(400, {"errors": {"approval_required": [SENSITIVE_AND_APPROVAL]}})
    record.last_updated = utcnow()
    record.save()
    return render(serialize_job(record))
