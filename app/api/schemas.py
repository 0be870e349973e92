"""JSON Schemas of the API's bodies (OpenAPI 3.1 components).

Objects are closed (``additionalProperties: false``) and tests validate real responses against them,
so a field added to a serializer but not here, or the reverse, fails a test. Request bodies of the
users section are added by app/api/crud.py from the resources' declarations.
"""

from __future__ import annotations

from app.jobs.choices import JobResultStatusChoices
from app.jobs.choices import LogLevelChoices
from app.models.jobs import OVERRIDABLE_FIELDS
from app.models.schedules import ApprovalState
from app.supervision import STATES as SUPERVISION_STATES


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def closed(properties: dict, optional=()) -> dict:
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": [name for name in properties if name not in optional]}


STRING, BOOLEAN, INTEGER, NUMBER = ({"type": "string"}, {"type": "boolean"}, {"type": "integer"},
                                    {"type": "number"})
URI = {"type": "string", "format": "uri"}
UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "format": "date-time"}
ANY = {}
MESSAGES = {"type": "object", "additionalProperties": {"type": "array", "items": STRING}}


def _header(object_type: str) -> dict:
    return {"id": STRING, "object_type": {"const": object_type}, "display": STRING, "url": URI}


_OVERRIDABLE_TYPES = {
    "grouping": STRING, "name": STRING, "description": STRING, "soft_time_limit": NUMBER,
    "time_limit": NUMBER, "task_queues": {"type": "array", "items": STRING},
}


def _overridable() -> dict:
    values = {field: _OVERRIDABLE_TYPES.get(field, BOOLEAN) for field in OVERRIDABLE_FIELDS}
    return {**values, **{f"{field}_override": BOOLEAN for field in OVERRIDABLE_FIELDS}}


JOB = closed({
    **_header("extras.job"), "natural_slug": STRING, "source": STRING, "module_name": STRING,
    "job_class_name": STRING, "class_path": STRING, "installed": BOOLEAN, "enabled": BOOLEAN,
    "supports_dryrun": BOOLEAN, "is_job_hook_receiver": BOOLEAN, "is_job_button_receiver": BOOLEAN,
    **_overridable(), "variables_url": URI, "run_url": URI, "created": TIME, "last_updated": TIME,
    "tags": {"type": "array"}, "custom_fields": {"type": "object"},
})

FILE_PROXY = closed({
    **_header("extras.fileproxy"), "name": STRING, "size": INTEGER, "download_url": URI,
    "job_result": ref("NestedRef"), "uploaded_at": TIME,
})

JOB_RESULT = closed({
    **_header("extras.jobresult"), "natural_slug": STRING,
    "status": closed(
        {"value": {"enum": list(JobResultStatusChoices)}, "label": {"enum": list(JobResultStatusChoices)}}
    ),
    "name": STRING, "task_name": nullable(STRING), "date_created": TIME, "date_started": nullable(TIME),
    "date_done": nullable(TIME), "result": ANY, "worker": nullable(STRING),
    "git_commit": nullable(STRING), "task_args": {"type": "array"},
    "task_kwargs": nullable({"type": "object"}), "celery_kwargs": {"type": "object"}, "traceback": nullable(STRING),
    "meta": {"type": "null"}, "job_model": nullable(ref("NestedRef")), "user": nullable(ref("NestedRef")),
    "scheduled_job": nullable(ref("NestedRef")), "approved_by": nullable(ref("NestedRef")),
    "approved_at": nullable(TIME), "log_count": INTEGER, "logs_url": URI,
    "files": {"type": "array", "items": ref("FileProxy")}, "custom_fields": {"type": "object"},
})

APPROVAL_REQUEST = closed({
    **_header("extras.scheduledjob"), "name": STRING, "job_model": nullable(ref("NestedRef")), "task_name": STRING,
    "user": nullable(ref("NestedRef")), "description": STRING, "interval": STRING, "start_time": TIME,
    "crontab": STRING, "time_zone": STRING, "next_run": nullable(TIME), "queue": STRING,
    "task_kwargs": {"type": "object", "description": "The frozen inputs; secret-looking values are masked."},
    "requested_at": TIME, "approval_state": {"enum": [str(state) for state in ApprovalState]},
    "decided_by": nullable(ref("NestedRef")),
    "decided_at": nullable(TIME), "decision_reason": STRING,
    "code_changed": {"type": "boolean", "description": "The job's code differs from when it was requested: "
                                                       "approving needs confirm_changed_code."},
    "supports_dryrun": BOOLEAN, "approve_url": URI, "deny_url": URI, "dry_run_url": nullable(URI),
})

INTERVALS = ["immediately", "future", "hourly", "daily", "weekly", "custom"]

SCHEDULED_JOB = closed({
    **_header("extras.scheduledjob"), "name": STRING, "task": STRING, "job_model": nullable(ref("NestedRef")),
    "user": nullable(ref("NestedRef")), "description": STRING, "interval": {"enum": INTERVALS},
    "start_time": TIME, "crontab": STRING, "time_zone": STRING, "queue": STRING, "kwargs": {"type": "object"},
    "enabled": BOOLEAN, "approval_required": BOOLEAN,
    "approval_state": {"enum": ["not-required", "awaiting", "approved", "denied"]},
    "next_run": nullable(TIME), "last_run_at": nullable(TIME), "total_run_count": INTEGER,
    "misfire_policy": {"enum": ["once", "skip", "all"]}, "skip_reason": STRING, "skipped_at": nullable(TIME),
    "created": TIME, "last_updated": TIME,
})

SCHEDULE_REQUEST = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "name": nullable(STRING),
        "interval": {"enum": INTERVALS},
        "start_time": nullable({"type": "string", "description": "ISO 8601; without an offset it is read in "
                                                                 "JOBDECK_TIME_ZONE."}),
        "crontab": nullable({"type": "string", "description": "5 fields, for the interval custom."}),
    },
    "description": "Run later or on a schedule; immediately (the default) runs now. Refused for jobs with "
                   "sensitive variables.",
}

LOG_ENTRY = closed({
    **_header("extras.joblogentry"), "log_level": {"enum": list(LogLevelChoices)}, "grouping": STRING,
    "message": STRING, "log_object": STRING, "absolute_url": nullable(STRING), "job_result": ref("NestedRef"),
    "created": TIME,
})

NESTED_LIST = {"type": "array", "items": ref("NestedRef")}

USER = closed({
    **_header("users.user"), "username": STRING, "first_name": STRING, "last_name": STRING, "email": STRING,
    "is_active": BOOLEAN, "is_staff": BOOLEAN, "is_superuser": BOOLEAN, "date_joined": TIME,
    "last_login": nullable(TIME), "groups": NESTED_LIST,
})

GROUP = closed({**_header("users.group"), "name": STRING})

CLAUSE = {"type": "object"}
OBJECT_PERMISSION = closed({
    **_header("users.objectpermission"), "name": STRING, "description": STRING, "enabled": BOOLEAN,
    "object_types": {"type": "array", "items": STRING}, "actions": {"type": "array", "items": STRING},
    "constraints": {"anyOf": [{"type": "null"}, CLAUSE, {"type": "array", "items": CLAUSE}]},
    "users": NESTED_LIST, "groups": NESTED_LIST,
})

VARIABLE = closed({
    "name": STRING, "type": STRING, "label": STRING, "help_text": STRING, "required": BOOLEAN, "default": ANY,
    "choices": {"type": "array", "items": {"type": "array", "prefixItems": [ANY, STRING]}}, "model": STRING,
    "min_length": INTEGER, "max_length": INTEGER, "regex": STRING, "min_value": NUMBER, "max_value": NUMBER,
    "min_prefix_length": INTEGER, "max_prefix_length": INTEGER, "display_field": STRING,
    "query_params": {"type": "object"}, "null_option": STRING,
}, optional=("choices", "model", "min_length", "max_length", "regex", "min_value", "max_value",
             "min_prefix_length", "max_prefix_length", "display_field", "query_params", "null_option"))

RUN_OPTIONS = {
    "task_queue": nullable({"type": "string", "description": "A queue of the job (default: its first)."}),
    "job_queue": nullable({"type": ["string", "integer"],
                           "description": "Nautobot 2.4's name: a queue of the job by name or job queue id."}),
    "profile": {"type": "boolean", "description": "Run under cProfile (JOBDECK_DEBUG or superusers only)."},
    "schedule": nullable(SCHEDULE_REQUEST),
    "commit": {"type": "boolean", "description": "Nautobot 1.x: the job's DryRunVars left out of data become "
                                                 "not commit."},
}

COMPONENTS = {
    "NestedRef": closed({"id": STRING, "object_type": STRING, "display": STRING, "url": URI}),
    "Job": JOB,
    "JobPatch": {"type": "object", "additionalProperties": False,
                 "properties": {"enabled": BOOLEAN, **_overridable()},
                 "description": "Setting a field sets its override flag; <field>_override: false restores "
                                "the class's value. Read-only fields of Job are accepted and ignored."},
    "JobVariable": VARIABLE,
    "JobVariableList": {"type": "array", "items": ref("JobVariable")},
    "JobRunRequest": {
        "type": "object",
        "properties": {"data": {"type": "object", "description": "Variable values; unknown keys are refused."},
                       **RUN_OPTIONS},
        "description": "Other top-level keys (job_id, job_name) are ignored.",
    },
    "JobRunForm": {
        "type": "object",
        "additionalProperties": {"description": "A variable's value, or a file for a FileVar."},
        "properties": {"_task_queue": STRING, "_job_queue": STRING, "_profile": STRING, "_commit": STRING,
                       "_schedule_name": STRING, "_schedule_interval": {"enum": INTERVALS},
                       "_schedule_start_time": STRING, "_schedule_crontab": STRING},
        "description": "Variables flattened; options prefixed with an underscore.",
    },
    "JobRunResponse": closed({"scheduled_job": nullable(ref("ScheduledJob")),
                              "job_result": nullable(ref("JobResult")),
                              "warnings": {"type": "array", "items": STRING,
                                           "description": "E.g. that no live worker listens on the run's queue."}},
                             optional=("warnings",)),
    "ScheduledJob": SCHEDULED_JOB,
    "ScheduledJobPatch": {"type": "object", "additionalProperties": False,
                          "properties": {"name": STRING, "enabled": BOOLEAN, "crontab": STRING,
                                         "misfire_policy": {"enum": ["once", "skip", "all"]}},
                          "description": "Only the fields given change. Read-only fields of ScheduledJob are "
                                         "accepted and ignored."},
    "JobResult": JOB_RESULT,
    "JobLogEntry": LOG_ENTRY,
    "ApprovalRequest": APPROVAL_REQUEST,
    "ApprovalApprove": {"type": "object", "additionalProperties": False, "properties": {
        "confirm_changed_code": {"type": "boolean", "description": "Required (true) when the job's code changed "
                                                                   "since the request."}}},
    "ApprovalDeny": {"type": "object", "additionalProperties": False, "properties": {
        "reason": {"type": "string", "maxLength": 1000, "description": "Optional, kept with the decision."}}},
    "ApprovalDryRunResponse": closed({"scheduled_job": ref("ApprovalRequest"), "job_result": ref("JobResult")}),
    "FileProxy": FILE_PROXY,
    "User": USER,
    "Group": GROUP,
    "ObjectPermission": OBJECT_PERMISSION,
    "ApiRoot": {"type": "object", "additionalProperties": URI},
    "EndpointIndex": {"type": "object", "additionalProperties": URI},
    "Status": closed({"jobdeck-version": STRING, "python-version": STRING, "workers-running": INTEGER,
                      "celery-workers-running": INTEGER,
                      # null when the web server was not started by `jobdeck serve`
                      "worker-supervision": nullable(closed({"state": {"enum": list(SUPERVISION_STATES)},
                                                             "detail": STRING}))}),
    "OpenApiDocument": {"type": "object"},
    "Error": closed({"detail": STRING}),
    "BadRequest": {"anyOf": [ref("Error"), closed({"errors": MESSAGES}), MESSAGES]},
}


def page_of(name: str) -> dict:
    return closed({"count": INTEGER, "next": nullable(URI), "previous": nullable(URI),
                   "results": {"type": "array", "items": ref(name)}})
