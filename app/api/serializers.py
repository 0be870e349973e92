"""Rows to JSON in Nautobot's shapes (see shared/reference/pynautobot-contract.md).

Every object and nested reference carries ``id``, ``object_type``, ``display`` and an absolute
``url``: pynautobot derives the endpoint from that URL and loads missing attributes through it.
"""

from __future__ import annotations

from flask import request

from app.api.rendering import format_datetime
from app.models.jobs import OVERRIDABLE_FIELDS

# Fields a JobResult's ``celery_kwargs`` repeats under Nautobot's names, for scripts that read them.
_COMPAT_OPTIONS = {"profile": "nautobot_job_profile", "ignore_singleton_lock": "nautobot_job_ignore_singleton_lock"}


def api_url(path: str) -> str:
    return f"{request.url_root}api/{path}"


def nested(object_type: str, route: str, pk, display: str) -> dict:
    return {"id": str(pk), "object_type": object_type, "display": display, "url": api_url(f"{route}/{pk}/")}


def nested_job(record) -> dict | None:
    return None if record is None else nested("extras.job", "extras/jobs", record.id, record.display)


def nested_user(user) -> dict | None:
    return None if user is None else nested("users.user", "users/users", user.id, user.username)


def nested_group(group) -> dict:
    return nested("users.group", "users/groups", group.id, group.name)


def nested_result(result_id, display: str = "") -> dict:
    return nested("extras.jobresult", "extras/job-results", result_id, display or str(result_id))


def nested_scheduled_job(schedule_id, display: str = "") -> dict:
    return nested("extras.scheduledjob", "extras/scheduled-jobs", schedule_id, display or str(schedule_id))


def scheduled_job(row) -> dict:
    """A ScheduledJob in Nautobot's shape, plus Jobdeck's next run, approval state and skip record."""
    return {
        **nested_scheduled_job(row.id, row.name),
        "name": row.name,
        "task": row.task_name,
        "job_model": nested_job(row.job_record) if row.job_record_id else None,
        "user": nested_user(row.user) if row.user_id else None,
        "description": row.description,
        "interval": row.interval,
        "start_time": format_datetime(row.start_time),
        "crontab": row.crontab,
        "time_zone": row.time_zone,
        "queue": row.queue,
        "kwargs": row.task_kwargs or {},
        "enabled": row.enabled,
        "approval_required": row.approval_state != "not-required",
        "approval_state": row.approval_state,
        "next_run": format_datetime(row.next_run),
        "last_run_at": format_datetime(row.last_run),
        "total_run_count": row.total_run_count,
        "misfire_policy": row.misfire_policy,
        "skip_reason": row.skip_reason,
        "skipped_at": format_datetime(row.skipped_at),
        "created": format_datetime(row.created),
        "last_updated": format_datetime(row.last_updated),
    }


def job(record) -> dict:
    pk = str(record.id)
    data = {
        "id": pk,
        "object_type": "extras.job",
        "display": record.display,
        "url": api_url(f"extras/jobs/{pk}/"),
        "natural_slug": f"{record.module_name}_{record.job_class_name}_{pk[:4]}".lower(),
        "source": record.source,
        "module_name": record.module_name,
        "job_class_name": record.job_class_name,
        "class_path": record.class_path,
        "installed": record.installed,
        "enabled": record.enabled,
        "supports_dryrun": record.supports_dryrun,
        "is_job_hook_receiver": record.is_job_hook_receiver,
        "is_job_button_receiver": record.is_job_button_receiver,
    }
    for field in OVERRIDABLE_FIELDS:
        data[field] = getattr(record, field)
    for field in OVERRIDABLE_FIELDS:
        data[f"{field}_override"] = getattr(record, f"{field}_override")
    data.update(
        variables_url=api_url(f"extras/jobs/{pk}/variables/"),
        run_url=api_url(f"extras/jobs/{pk}/run/"),
        created=format_datetime(record.created),
        last_updated=format_datetime(record.last_updated),
        tags=[],
        custom_fields={},
    )
    return data


def celery_kwargs(result) -> dict:
    options = {key: value for key, value in (result.options or {}).items() if key != "request_meta"}
    options.setdefault("queue", result.queue)
    for ours, theirs in _COMPAT_OPTIONS.items():
        options[theirs] = bool(options.get(ours, False))
    options["nautobot_job_user_id"] = None if result.user_id is None else str(result.user_id)
    options["nautobot_job_job_model_id"] = None if result.job_record_id is None else str(result.job_record_id)
    return options


def file_proxy(proxy, result_display: str = "") -> dict:
    pk = str(proxy.id)
    return {
        "id": pk,
        "object_type": "extras.fileproxy",
        "display": proxy.name,
        "url": api_url(f"extras/file-proxies/{pk}/"),
        "name": proxy.name,
        "size": proxy.size,
        "download_url": api_url(f"extras/file-proxies/{pk}/download/"),
        "job_result": nested_result(proxy.job_result_id, result_display),
        "uploaded_at": format_datetime(proxy.uploaded_at),
    }


def job_result(result, files=()) -> dict:
    """``files``: the result's output FileProxy rows (selected without their content)."""
    pk = str(result.id)
    display = str(result)
    return {
        "id": pk,
        "object_type": "extras.jobresult",
        "display": display,
        "url": api_url(f"extras/job-results/{pk}/"),
        "natural_slug": f"{pk}_{pk[:4]}",
        "status": {"value": result.status, "label": str(result.status).upper()},
        "name": result.name,
        "task_name": result.task_name or None,
        "date_created": format_datetime(result.date_created),
        "date_started": format_datetime(result.date_started),
        "date_done": format_datetime(result.date_done),
        "result": result.result,
        "worker": result.worker,
        "git_commit": result.git_commit,
        "task_args": [],
        "task_kwargs": result.task_kwargs,
        "celery_kwargs": celery_kwargs(result),
        "traceback": result.traceback,
        "meta": None,
        "job_model": nested_job(result.job_record) if result.job_record_id else None,
        "user": nested_user(result.user) if result.user_id else None,
        "scheduled_job": nested_scheduled_job(result.scheduled_job_id) if result.scheduled_job_id else None,
        "approved_by": nested_user(result.approved_by) if result.approved_by_id else None,
        "approved_at": format_datetime(result.approved_at),
        "log_count": result.log_count,
        "logs_url": api_url(f"extras/job-results/{pk}/logs/"),
        "files": [file_proxy(proxy, display) for proxy in files],
        "custom_fields": {},
    }


def approval_request(scheduled, *, code_changed: bool, supports_dryrun: bool) -> dict:
    """A request awaiting (or past) approval, as the approval queue shows it: inputs masked."""
    from app.execution.approvals import masked_inputs

    pk = str(scheduled.id)
    return {
        **nested_scheduled_job(scheduled.id, scheduled.name),
        "name": scheduled.name,
        "job_model": nested_job(scheduled.job_record) if scheduled.job_record_id else None,
        "task_name": scheduled.task_name,
        "user": nested_user(scheduled.user) if scheduled.user_id else None,
        "description": scheduled.description,
        "interval": scheduled.interval,
        "start_time": format_datetime(scheduled.start_time),
        "crontab": scheduled.crontab,
        "time_zone": scheduled.time_zone,
        "next_run": format_datetime(scheduled.next_run),
        "queue": scheduled.queue,
        "task_kwargs": masked_inputs(scheduled.task_kwargs),
        "requested_at": format_datetime(scheduled.created),
        "approval_state": scheduled.approval_state,
        "decided_by": nested_user(scheduled.decided_by) if scheduled.decided_by_id else None,
        "decided_at": format_datetime(scheduled.decided_at),
        "decision_reason": scheduled.decision_reason,
        "code_changed": code_changed,
        "supports_dryrun": supports_dryrun,
        "approve_url": api_url(f"extras/scheduled-jobs/{pk}/approve/"),
        "deny_url": api_url(f"extras/scheduled-jobs/{pk}/deny/"),
        "dry_run_url": api_url(f"extras/scheduled-jobs/{pk}/dry-run/") if supports_dryrun else None,
    }


def log_entry(entry) -> dict:
    pk = str(entry.id)
    message = entry.message or ""
    return {
        "id": pk,
        "object_type": "extras.joblogentry",
        "display": message if len(message) <= 100 else message[:99] + "\u2026",
        "url": api_url(f"extras/job-logs/{pk}/"),
        "log_level": entry.log_level,
        "grouping": entry.grouping,
        "message": message,
        "log_object": entry.log_object,
        "absolute_url": entry.absolute_url or None,
        "job_result": nested_result(entry.job_result_id),
        "created": format_datetime(entry.created),
    }


def user(account, groups=()) -> dict:
    """``groups``: the user's Group rows."""
    return {
        **nested_user(account),
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": account.is_active,
        "is_staff": account.is_staff,
        "is_superuser": account.is_superuser,
        "date_joined": format_datetime(account.date_joined),
        "last_login": format_datetime(account.last_login),
        "groups": [nested_group(group) for group in groups],
    }


def group(row) -> dict:
    return {**nested_group(row), "name": row.name}


def object_permission(permission, users=(), groups=()) -> dict:
    """``users``, ``groups``: the User and Group rows it is given to."""
    return {
        **nested("users.objectpermission", "users/permissions", permission.id, permission.name),
        "name": permission.name,
        "description": permission.description,
        "enabled": permission.enabled,
        "object_types": list(permission.object_types or []),
        "actions": list(permission.actions or []),
        "constraints": permission.constraints,
        "users": [nested_user(account) for account in users],
        "groups": [nested_group(row) for row in groups],
    }
