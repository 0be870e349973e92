"""The approval queue page: requests the viewer may decide, with Approve, Deny and Dry-run, and the
decided requests (the audit list). The rules are app.execution.approvals'."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution import approvals
from app.jobs.forms import JobDataError
from app.models.schedules import ScheduledJob
from app.security import PermissionDenied
from app.security import can
from app.web.admin.access import require_login
from app.web.result_inputs import input_rows
from app.web.result_inputs import job_variables

bp = Blueprint("approvals", __name__)
bp.before_request(require_login)

DECIDED_LIMIT = 100


def me():
    return current_user._get_current_object()


def queue_count() -> int | None:
    """For the top bar: how many requests await the viewer, or None when they may approve nothing."""
    user = me()
    if not approvals.may_approve_any(user):
        return None
    return approvals.approvable(user).count()


@bp.app_context_processor
def _nav():
    return {"approval_queue_count": queue_count}


def _card(scheduled: ScheduledJob) -> dict:
    record = scheduled.job_record if scheduled.job_record_id else None
    shown = approvals.masked_inputs(scheduled.task_kwargs)
    return {
        "request": scheduled,
        "record": record,
        "inputs": input_rows(shown, job_variables(record), me()),
        "code_changed": approvals.code_changed(scheduled),
        "supports_dryrun": bool(record is not None and record.supports_dryrun),
    }


@bp.route("/scheduled-jobs/approval-queue/")
def queue():
    user = me()
    decided_tab = request.args.get("tab") == "decided"
    if decided_tab:
        rows = list(approvals.decided_for(user).limit(DECIDED_LIMIT))
        return render_template("approvals/queue.html", decided_tab=True, decided=rows, cards=[],
                               may_approve=approvals.may_approve_any(user))
    cards = [_card(row) for row in approvals.approvable(user)]
    return render_template("approvals/queue.html", decided_tab=False, cards=cards, decided=[],
                           may_approve=approvals.may_approve_any(user))


def _find(scheduled_id) -> ScheduledJob:
    """404 unless the viewer may see the request (approvals.may_see)."""
    scheduled = ScheduledJob.get_or_none(ScheduledJob.id == scheduled_id)
    if scheduled is None or not approvals.may_see(me(), scheduled):
        abort(404)
    return scheduled


def _back(target: str | None = None):
    target = target or url_for("approvals.queue")
    if request.headers.get("HX-Request") == "true":
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


def _checked(name: str) -> bool:
    return request.form.get(name, "").lower() in ("y", "yes", "on", "true", "1")


@bp.route("/scheduled-jobs/approval-queue/<uuid:scheduled_id>/approve", methods=["POST"])
def approve(scheduled_id):
    scheduled = _find(scheduled_id)
    try:
        approvals.approve(scheduled, me(), confirm_changed_code=_checked("confirm_changed_code"))
    except PermissionDenied as exc:
        abort(403, description=exc.message)
    except approvals.ApprovalRefused as exc:
        flash(f"\u201c{scheduled}\u201d was not approved: {exc.message}", "danger")
        return _back()
    flash(f"Approved \u201c{scheduled}\u201d: it runs as scheduled.", "success")
    return _back()


@bp.route("/scheduled-jobs/approval-queue/<uuid:scheduled_id>/deny", methods=["POST"])
def deny(scheduled_id):
    scheduled = _find(scheduled_id)
    try:
        approvals.deny(scheduled, me(), request.form.get("reason", ""))
    except PermissionDenied as exc:
        abort(403, description=exc.message)
    except approvals.ApprovalRefused as exc:
        flash(f"\u201c{scheduled}\u201d was not denied: {exc.message}", "danger")
        return _back()
    flash(f"Denied \u201c{scheduled}\u201d: it will never run.", "success")
    return _back()


@bp.route("/scheduled-jobs/approval-queue/<uuid:scheduled_id>/dry-run", methods=["POST"])
def dry_run(scheduled_id):
    scheduled = _find(scheduled_id)
    meta = {"REMOTE_ADDR": request.remote_addr or "", "HTTP_USER_AGENT": request.headers.get("User-Agent", "")}
    try:
        result = approvals.dry_run(scheduled, me(), request_meta=meta)
    except PermissionDenied as exc:
        abort(403, description=exc.message)
    except (approvals.ApprovalRefused, JobNotRunnable, JobDataError, JobLoadError) as exc:
        flash(f"\u201c{scheduled}\u201d could not be dry-run: {getattr(exc, 'message', exc)}", "danger")
        return _back()
    flash(f"Dry run of \u201c{scheduled}\u201d started (result {result.id}); the request still awaits a "
          "decision.", "info")
    if not can(me(), "view", result):  # no permission to view job results: stay on the queue
        return _back()
    return _back(url_for("results.result_detail", result_id=result.id))
