"""The approval queue: ``/api/extras/scheduled-jobs/approval-queue/`` and each request's approve, deny
and dry-run (``/api/extras/scheduled-jobs/<uuid>/approve/`` ...). The rules are app.execution.approvals'."""

from __future__ import annotations

from flask import request

from app.api.access import api_user
from app.api.errors import ApiError
from app.api.errors import not_found
from app.api.filters import FilterSet
from app.api.negotiation import json_body
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import approval_request
from app.api.serializers import job_result as serialize_result
from app.exceptions import JobNotRunnable
from app.execution import approvals
from app.models.schedules import ScheduledJob

QUEUE_FILTERS = FilterSet()
NOUN = "ScheduledJob"


def serialize(scheduled) -> dict:
    record = scheduled.job_record if scheduled.job_record_id else None
    return approval_request(scheduled, code_changed=approvals.code_changed(scheduled),
                            supports_dryrun=bool(record is not None and record.supports_dryrun))


def find_request(scheduled_id) -> ScheduledJob:
    """The request, 404 unless the caller may see it (approvals.may_see)."""
    scheduled = ScheduledJob.get_or_none(ScheduledJob.id == scheduled_id)
    if scheduled is None or not approvals.may_see(api_user(), scheduled):
        raise not_found(NOUN)
    return scheduled


def _bool(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, {"errors": {name: ["Must be a valid boolean."]}})
    return value


def _only(body: dict, *names: str) -> None:
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise ApiError(400, {"errors": {name: ["Unknown field."] for name in unknown}})


def _refused(exc: approvals.ApprovalRefused) -> ApiError:
    return ApiError(exc.status, exc.message)


@api_route("/extras/scheduled-jobs/approval-queue/", tag="approvals", filters=QUEUE_FILTERS,
           response="ApprovalRequest",
           summary="Requests awaiting approval that you may decide (approve on the job and change on scheduled "
                   "jobs; never your own), oldest first.")
def approval_queue():
    query = approvals.approvable(api_user())
    return render(paginate(query, serialize))


@api_route("/extras/scheduled-jobs/<uuid:scheduled_id>/approve/", method="POST", tag="approvals",
           request="ApprovalApprove", response="ApprovalRequest", errors=(400, 404, 409, 415),
           summary="Approve a request (every run of a recurring one); confirm_changed_code is needed when the "
                   "job's code changed since it was requested.")
def approval_approve(scheduled_id):
    scheduled = find_request(scheduled_id)
    body = json_body()
    _only(body, "confirm_changed_code")
    try:
        decided = approvals.approve(scheduled, api_user(), confirm_changed_code=_bool(body, "confirm_changed_code"))
    except approvals.ApprovalRefused as exc:
        raise _refused(exc) from None
    return render(serialize(decided))


@api_route("/extras/scheduled-jobs/<uuid:scheduled_id>/deny/", method="POST", tag="approvals",
           request="ApprovalDeny", response="ApprovalRequest", errors=(400, 404, 409, 415),
           summary="Deny a request, with an optional reason: it never runs and stays as the audit record.")
def approval_deny(scheduled_id):
    scheduled = find_request(scheduled_id)
    body = json_body()
    _only(body, "reason")
    reason = body.get("reason", "")
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise ApiError(400, {"errors": {"reason": ["Enter a string."]}})
    try:
        decided = approvals.deny(scheduled, api_user(), reason)
    except approvals.ApprovalRefused as exc:
        raise _refused(exc) from None
    return render(serialize(decided))


@api_route("/extras/scheduled-jobs/<uuid:scheduled_id>/dry-run/", method="POST", tag="approvals",
           response="ApprovalDryRunResponse", status=201, errors=(400, 404, 409, 503),
           summary="Run the request now with its dry-run variables on, as you, without approving it (only for "
                   "jobs with a DryRunVar); the result is marked \u201cdry run, not approved\u201d.")
def approval_dry_run(scheduled_id):
    scheduled = find_request(scheduled_id)
    meta = {"REMOTE_ADDR": request.remote_addr or "", "HTTP_USER_AGENT": request.user_agent.string or ""}
    try:
        result = approvals.dry_run(scheduled, api_user(), request_meta=meta)
    except approvals.ApprovalRefused as exc:
        raise _refused(exc) from None
    except JobNotRunnable as exc:
        raise ApiError(503, str(exc)) from None
    return render({"scheduled_job": serialize(ScheduledJob.get_by_id(scheduled.id)),
                   "job_result": serialize_result(result)}, 201)
