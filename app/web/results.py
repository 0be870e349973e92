"""Job results: the filtered list, the result page with its live log, Cancel and Re-run."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from peewee import JOIN

from app.catalog import job_class_for
from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution.admission import admit
from app.execution.payload import stored_inputs
from app.execution.submit import RunOptions
from app.git.sync import TASK_NAME as GIT_SYNC_TASK
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.forms import JobDataError
from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.models.workers import no_worker_warning
from app.security import PermissionDenied
from app.security import can
from app.security import restrict
from app.web import log_table
from app.web.jobs import admitted
from app.web.result_inputs import input_rows
from app.web.result_inputs import job_variables
from app.web.result_list import ResultFilters
from app.web.result_list import result_page

bp = Blueprint("results", __name__)


def me():
    return current_user._get_current_object()


@bp.route("/results/")
def result_list():
    filters = ResultFilters.from_args(request.args)
    page = result_page(me(), filters, request.args)
    jobs = restrict(JobRecord.select(JobRecord.id, JobRecord.name, JobRecord.grouping), me(), "view")
    return render_template(
        "results/list.html",
        page=page,
        filters=filters,
        statuses=[status.value for status in Status],
        jobs=list(jobs.order_by(JobRecord.grouping, JobRecord.name)),
    )


def get_result(result_id) -> JobResult:
    query = JobResult.select(JobResult, JobRecord, User).join(JobRecord, JOIN.LEFT_OUTER).switch(JobResult)
    result = query.join(User, JOIN.LEFT_OUTER).where(JobResult.id == result_id).first()
    if result is None or not can(me(), "view", result):
        abort(404)
    return result


def may_run(result: JobResult) -> bool:
    record = result.job_record if result.job_record_id else None
    return can(me(), "run", record) if record is not None else me().is_superuser


def summary_context(result: JobResult) -> dict:
    """What the status card and the outcome show (the page and every live poll)."""
    record = result.job_record if result.job_record_id else None
    files = list(
        FileProxy.select(
            FileProxy.id, FileProxy.name, FileProxy.size, FileProxy.purpose, FileProxy.uploaded_at
        )
        .where(FileProxy.job_result == result.id)
        .order_by(FileProxy.uploaded_at)
    )
    git_sync = result.task_name == GIT_SYNC_TASK
    sensitive = record.has_sensitive_variables if record is not None else result.task_kwargs is None and not git_sync
    reason = ended_early_reason(result)
    if reason is None and result.status == Status.STATUS_PENDING:
        reason = no_worker_warning(result.queue)  # why it waits (one indexed read, while pending only)
    return {
        "result": result,
        "record": record,
        "output_files": [proxy for proxy in files if proxy.purpose == FileProxy.PURPOSE_OUTPUT],
        "input_files": [proxy for proxy in files if proxy.purpose == FileProxy.PURPOSE_INPUT],
        "sensitive": sensitive,
        "git_sync": git_sync,
        "can_cancel": not result.is_finished and may_run(result),
        "can_rerun": not sensitive
        and result.task_kwargs is not None
        and record is not None
        and may_run(result),
        "return_value": None if result.result is None else json.dumps(result.result, indent=2, default=str),
        "reason": reason,
        "traceback": None if reason else result.traceback,
    }


def ended_early_reason(result: JobResult) -> str | None:
    """Why a run was cancelled or could not finish (stored in ``traceback``), when it is not a traceback."""
    text = (result.traceback or "").strip()
    if not text:
        return None
    if result.status == Status.STATUS_REVOKED or not text.startswith("Traceback (most recent call last)"):
        return text
    return None


def inputs_context(result: JobResult, record: JobRecord | None) -> dict:
    """The Inputs card: stored inputs with objects by name, or why there are none."""
    variables = job_variables(record)
    rows = None if result.task_kwargs is None else input_rows(result.task_kwargs, variables, me())
    return {"input_rows": rows, "takes_no_input": variables == {} and not result.task_kwargs}


@bp.route("/results/<uuid:result_id>/")
def result_detail(result_id):
    result = get_result(result_id)
    filters = log_table.LogFilters.from_args(request.args)
    after = log_table._int(request.args.get("after"))
    before = log_table._int(request.args.get("before"))
    logs = log_table.log_page(result.id, filters, after=after, before=before)
    live = not result.is_finished and before is None
    context = summary_context(result)
    return render_template(
        "results/detail.html",
        logs=logs,
        filters=filters,
        levels=log_table.LEVELS,
        live=live,
        groupings=log_table.groupings(result.id, logs.entries),
        **context,
        **inputs_context(result, context["record"]),
    )


@bp.route("/results/<uuid:result_id>/live")
def result_live(result_id):
    """The htmx poll: log lines after ``after`` plus the refreshed status block."""
    result = get_result(result_id)
    filters = log_table.LogFilters.from_args(request.args)
    after = log_table._int(request.args.get("after")) or 0
    entries = log_table.new_lines(result.id, filters, after)
    last_id = entries[-1].id if entries else after
    # Keep polling until the status is final and every line written before it has been sent.
    live = not result.is_finished or len(entries) == log_table.LIVE_BATCH
    return render_template(
        "results/_live.html",
        entries=entries,
        last_id=last_id,
        filters=filters,
        live=live,
        **summary_context(result),
    )


@bp.route("/results/<uuid:result_id>/cancel", methods=["GET", "POST"])
def cancel(result_id):
    """GET: the confirmation page (Cancel without JavaScript); POST: cancel. htmx confirms in the browser."""
    result = get_result(result_id)
    if not may_run(result):
        abort(403, description=f"You do not have permission to cancel “{result.name}”.")
    back = url_for("results.result_detail", result_id=result.id)
    if result.is_finished:
        flash(f"This run has already finished ({result.status}).", "warning")
    elif request.method == "GET":
        return render_template("results/confirm_cancel.html", result=result, back=back)
    else:
        from app.execution.supervisor import request_cancel

        if request_cancel(result.id, user=me()):
            flash("Cancellation requested.", "info")
        else:
            flash("The cancellation could not be delivered; try again.", "danger")
    if request.headers.get("HX-Request") == "true":
        return "", 204, {"HX-Redirect": back}
    return redirect(back)


@bp.route("/results/<uuid:result_id>/rerun", methods=["POST"])
def rerun(result_id):
    result = get_result(result_id)
    record = result.job_record if result.job_record_id else None
    if record is None or result.task_kwargs is None or record.has_sensitive_variables:
        flash("This run cannot be repeated: its inputs were not kept.", "danger")
        return redirect(url_for("results.result_detail", result_id=result.id))
    options = RunOptions(
        queue=result.queue if result.queue in record.queues else None,
        request_meta={
            "REMOTE_ADDR": request.remote_addr or "",
            "HTTP_USER_AGENT": request.headers.get("User-Agent", ""),
        },
    )
    try:
        data, files = stored_inputs(job_class_for(record), result)
        admission = admit(record, me(), data=data, files=files, options=options, strict=False)
    except PermissionDenied as exc:
        abort(403, description=exc.message)
    except (JobNotRunnable, JobDataError, JobLoadError) as exc:
        flash(f"The job could not be re-run: {exc}", "danger")
        return redirect(url_for("results.result_detail", result_id=result.id))
    if admission.scheduled_job is not None:  # an approval-required job: the request waits for approval
        return admitted(record, admission)
    flash(f"Re-running “{record}” with the same inputs.", "success")
    return redirect(url_for("results.result_detail", result_id=admission.result.id))
