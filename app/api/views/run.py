"""Running a job: ``POST /api/extras/jobs/<id, class path or name>/run/``.

JSON: ``{"data": {...}, "task_queue": "...", "profile": false, "commit": true, "schedule": {"name",
"interval", "start_time", "crontab"}}``; other top-level keys that Nautobot clients send (``job_id``,
``job_name``) are ignored. multipart/form-data (for FileVar): variables flattened, options prefixed
``_`` (``_task_queue``, ``_profile``, ``_commit``, ``_schedule_name``, ``_schedule_interval``,
``_schedule_start_time``, ``_schedule_crontab``). The options are decided by ``app.execution.options``
and the request admitted by ``admit()``, like every other door: 201 with the queued ``job_result``, or
with the ``scheduled_job`` (later, recurring, or awaiting approval) and ``job_result: null``.
"""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MultiDict

from app.api.access import api_user
from app.api.access import find_job
from app.api.access import loaded_job_class
from app.api.errors import ApiError
from app.api.filters import parse_boolean
from app.api.negotiation import is_multipart
from app.api.negotiation import json_body
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import job_result as serialize_result
from app.api.serializers import scheduled_job as serialize_scheduled_job
from app.exceptions import JobNotRunnable
from app.execution.admission import admit
from app.execution.options import apply_commit
from app.execution.options import decide
from app.execution.submit import FeatureUnavailable
from app.execution.submit import check_runnable
from app.jobs.forms import UNKNOWN_PROPERTY
from app.jobs.forms import JobDataError
from app.models.workers import no_worker_warning

NOT_ENABLED = "This job is not enabled to be run."
NOT_INSTALLED = "This job is not presently installed and cannot be run."




def _from_json():
    body = json_body()
    data = body.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise JobDataError({"data": ["Expected a JSON object of variable values."]})
    options = {
        "queue": body.get("task_queue") or body.get("job_queue"),
        "profile": body.get("profile"),
        "schedule": body.get("schedule"),
        "commit": body.get("commit"),
    }
    return data, None, options


def _from_form(job_class):
    """Variables are the fields without a leading ``_``; files must belong to FileVars."""
    data = MultiDict([(key, value) for key, value in request.form.items(multi=True) if not key.startswith("_")])
    unknown = [key for key in request.files if key not in job_class._get_vars()]
    if unknown:
        raise JobDataError({key: [UNKNOWN_PROPERTY] for key in unknown})

    def option(name):
        value = request.form.get(f"_{name}", "").strip().strip('"')
        return value or None

    options = {
        "queue": option("task_queue") or option("job_queue"),
        "profile": _boolean(option("profile")),
        "schedule": _schedule_fields(option),
        "commit": _boolean(option("commit")),
    }
    return data, request.files, options


def _schedule_fields(option):
    fields = {name: option(f"schedule_{name}") for name in ("name", "interval", "start_time", "crontab")}
    return fields if any(fields.values()) else None


def _boolean(text):
    """A form field's boolean, None when absent, the text itself (refused by ``decide``) when not one."""
    if text is None:
        return None
    try:
        return parse_boolean(text)
    except ValueError:
        return text


@api_route("/extras/jobs/<path:job_key>/run/", method="POST", tag="jobs", request="JobRunRequest",
           multipart=True, response="JobRunResponse", status=201, errors=(400, 404, 405, 413, 415, 503),
           summary="Run a job now, later or on a schedule (by id, class path or name): answers with its PENDING "
                   "job result, or the scheduled job (also for a request awaiting approval).")
def job_run(job_key):
    record = find_job(job_key)
    user = api_user()
    try:
        check_runnable(record, user)
        job_class = loaded_job_class(record)
        data, files, requested = _from_form(job_class) if is_multipart() else _from_json()
        meta = {"REMOTE_ADDR": request.remote_addr or "", "HTTP_USER_AGENT": request.user_agent.string or ""}
        options = decide(record, user, **requested, request_meta=meta)
        data = apply_commit(job_class, data, requested["commit"])
        admission = admit(record, user, data, files, options)
    except FeatureUnavailable as exc:
        raise ApiError(400, str(exc)) from None
    except JobNotRunnable as exc:
        if not record.installed:
            raise ApiError(405, NOT_INSTALLED) from None
        if not record.enabled:
            raise ApiError(405, NOT_ENABLED) from None
        raise ApiError(503, str(exc)) from None
    if admission.scheduled_job is not None:
        return render({"scheduled_job": serialize_scheduled_job(admission.scheduled_job), "job_result": None}, 201)
    answer = {"scheduled_job": None, "job_result": serialize_result(admission.result)}
    warning = no_worker_warning(admission.result.queue)
    if warning:
        answer["warnings"] = [warning]
    return render(answer, 201)
