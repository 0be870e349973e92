"""Running a job: ``POST /api/extras/jobs/<id, class path or name>/run/``.

JSON: ``{"data": {...}, "task_queue": "...", "profile": false}``; other top-level keys that Nautobot
clients send (``commit``, ``job_id``, ``job_name``) are ignored. multipart/form-data (for FileVar):
variables flattened, options prefixed ``_`` (``_task_queue``, ``_profile``; ``_commit`` ignored).
Validation is the job form's, through ``submit()``, like every other door.
"""

from __future__ import annotations

from flask import current_app
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
from app.exceptions import JobNotRunnable
from app.execution.submit import RunOptions
from app.execution.submit import check_runnable
from app.execution.submit import submit
from app.jobs.forms import UNKNOWN_PROPERTY
from app.jobs.forms import JobDataError

IMMEDIATELY = "immediately"
NOT_ENABLED = "This job is not enabled to be run."
NOT_INSTALLED = "This job is not presently installed and cannot be run."
SCHEDULE_UNSUPPORTED = ("Scheduling through the API is not supported yet: leave \u201cschedule\u201d out (or use the "
                        "interval \u201cimmediately\u201d) to run now.")


def _option_errors(queue, profile, schedule_given: bool) -> dict:
    errors = {}
    if queue is not None and not isinstance(queue, str):
        errors["task_queue"] = ["Enter a queue name."]
    if not isinstance(profile, bool):
        errors["profile"] = ["Must be a valid boolean."]
    elif profile and not (current_app.config["JOBDECK"].debug or api_user().is_superuser):
        errors["profile"] = ["Profiling is only available when JOBDECK_DEBUG is on, or to superusers."]
    if schedule_given:
        errors["schedule"] = [SCHEDULE_UNSUPPORTED]
    return errors


def _from_json():
    body = json_body()
    data = body.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise JobDataError({"data": ["Expected a JSON object of variable values."]})
    schedule = body.get("schedule")
    scheduled = schedule is not None and not (isinstance(schedule, dict) and schedule.get("interval") == IMMEDIATELY
                                              and not schedule.get("start_time"))
    queue = body.get("task_queue") or body.get("job_queue")
    profile = body.get("profile")
    return data, None, queue, False if profile is None else profile, scheduled


def _from_form(job_class):
    """Variables are the fields without a leading ``_``; files must belong to FileVars."""
    data = MultiDict([(key, value) for key, value in request.form.items(multi=True) if not key.startswith("_")])
    unknown = [key for key in request.files if key not in job_class._get_vars()]
    if unknown:
        raise JobDataError({key: [UNKNOWN_PROPERTY] for key in unknown})

    def option(name):
        value = request.form.get(f"_{name}", "").strip().strip('"')
        return value or None

    try:
        profile = parse_boolean(option("profile") or "false")
    except ValueError:
        profile = None
    scheduled = (option("schedule_interval") or IMMEDIATELY) != IMMEDIATELY
    return data, request.files, option("task_queue") or option("job_queue"), profile, scheduled


@api_route("/extras/jobs/<path:job_key>/run/", method="POST", tag="jobs", request="JobRunRequest",
           multipart=True, response="JobRunResponse", status=201, errors=(400, 404, 405, 413, 415, 503),
           summary="Run a job now (by id, class path or name); answers with its PENDING job result.")
def job_run(job_key):
    record = find_job(job_key)
    user = api_user()
    try:
        check_runnable(record, user)
        job_class = loaded_job_class(record) if is_multipart() else None
        data, files, queue, profile, scheduled = _from_form(job_class) if is_multipart() else _from_json()
        errors = _option_errors(queue, profile, scheduled)
        if errors:
            raise JobDataError(errors)
        meta = {"REMOTE_ADDR": request.remote_addr or "", "HTTP_USER_AGENT": request.user_agent.string or ""}
        result = submit(record, user, data, files, RunOptions(queue=queue, profile=profile, request_meta=meta))
    except JobNotRunnable as exc:
        if not record.installed:
            raise ApiError(405, NOT_INSTALLED) from None
        if not record.enabled:
            raise ApiError(405, NOT_ENABLED) from None
        raise ApiError(503, str(exc)) from None
    return render({"scheduled_job": None, "job_result": serialize_result(result)}, 201)
