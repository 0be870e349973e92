"""The job list and the job page (description, generated form, run options, submission)."""

from __future__ import annotations

import collections
import itertools
import logging

import jinja2
from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from peewee import JOIN
from peewee import fn

from app.catalog import job_class_for
from app.catalog import load_report
from app.db import utcnow
from app.exceptions import JobLoadError
from app.exceptions import JobNotRunnable
from app.execution.admission import admit
from app.execution.submit import unavailable_flags
from app.execution.submit import visible_rows
from app.jobs.forms import JobDataError
from app.jobs.forms import bind_form
from app.models import JobRecord
from app.models import JobResult
from app.models import WorkerHeartbeat
from app.models.schedules import ApprovalState
from app.models.workers import no_worker_warning
from app.security import PermissionDenied
from app.security import can
from app.security import restrict
from app.web.run_options import RunOptionsForm
from app.web.run_options import run_options
from app.web.templating import job_template_name

bp = Blueprint("jobs", __name__)
log = logging.getLogger(__name__)

_TRUE = ("1", "true", "yes", "on")
# The job list's columns; ListedJob is one row with its last run and whether the user may change it.
LISTED = (JobRecord.id, JobRecord.name, JobRecord.grouping, JobRecord.description, JobRecord.enabled,
          JobRecord.installed, JobRecord.hidden)
ListedJob = collections.namedtuple(
    "ListedJob", [field.name for field in LISTED] + ["last_id", "last_status", "last_created", "can_change"]
)


def me():
    return current_user._get_current_object()


def _flag(name: str) -> bool | None:
    value = request.args.get(name, "").strip().lower()
    if not value:
        return None
    return value in _TRUE


def latest_result_id(user):
    """Correlated subquery: the newest result of the outer JobRecord row the user may view.

    One index seek on (job_record, date_created) per job, all in the job list's single query.
    """
    query = restrict(JobResult.select(JobResult.id), user, "view")
    return query.where(JobResult.job_record == JobRecord.id).order_by(JobResult.date_created.desc()).limit(1)


@bp.route("/jobs/")
def job_list():
    user = me()
    query = restrict(JobRecord.select(*LISTED), user, "view")
    show_hidden = _flag("hidden")
    if not show_hidden:
        query = query.where(JobRecord.hidden == False)  # noqa: E712
    for name in ("enabled", "installed"):
        wanted = _flag(name)
        if wanted is not None:
            query = query.where(getattr(JobRecord, name) == wanted)
    search = request.args.get("q", "").strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            JobRecord.name**pattern
            | JobRecord.grouping**pattern
            | JobRecord.description**pattern
            | JobRecord.class_path**pattern
        )
    rows = job_rows(user, query)
    groups = [
        (grouping, list(records)) for grouping, records in itertools.groupby(rows, key=lambda r: r.grouping)
    ]
    errors = load_report().errors
    return render_template(
        "jobs/list.html",
        groups=groups,
        total=len(rows),
        errors=errors,
        search=search,
        show_hidden=bool(show_hidden),
        filters={k: request.args.get(k, "") for k in ("enabled", "installed")},
        can_view_jobs=can(user, "view", JobRecord),
    )


def job_rows(user, query) -> list:
    """The job list's rows for a query of visible records: each with its last run and ``can_change``."""
    last = JobResult.alias("last")
    rows = list(
        query.select_extend(
            last.id.alias("last_id"),
            last.status.alias("last_status"),
            last.date_created.alias("last_created"),
        )
        .join(last, JOIN.LEFT_OUTER, on=(last.id == latest_result_id(user)))
        .order_by(fn.LOWER(JobRecord.grouping), fn.LOWER(JobRecord.name))
        .dicts()
    )
    changeable = set()
    if rows and can(user, "change", JobRecord):
        # One query for the whole page, whatever the number of jobs.
        ids = [row["id"] for row in rows]
        allowed = restrict(JobRecord.select(JobRecord.id).where(JobRecord.id.in_(ids)), user, "change")
        changeable = {row.id for row in allowed}
    return [ListedJob(**row, can_change=row["id"] in changeable) for row in rows]


def get_record(job_id=None, class_path=None) -> JobRecord:
    """The record by id or class path; 404 when missing or not visible to the user."""
    if job_id is not None:
        record = JobRecord.get_or_none(JobRecord.id == job_id)
    else:
        try:
            record = JobRecord.get_for_class_path(class_path.strip("/"))
        except JobRecord.DoesNotExist:
            record = None
    if record is None or not can(me(), "view", record):
        abort(404)
    return record


@bp.route("/jobs/<uuid:job_id>/", methods=["GET", "POST"])
def job_detail(job_id):
    return job_page(get_record(job_id=job_id))


@bp.route("/jobs/<path:class_path>/", methods=["GET", "POST"])
def job_by_class_path(class_path):
    record = get_record(class_path=class_path)
    if request.method == "GET":
        return redirect(url_for("jobs.job_detail", job_id=record.id))
    return job_page(record)


def job_page(record: JobRecord):
    user = me()
    job_class, load_error = None, None
    try:
        job_class = job_class_for(record)
    except JobLoadError as exc:
        load_error = str(exc)
    form = bind_form(job_class, record=record, restrict_rows=visible_rows(user)) if job_class else None
    options = RunOptionsForm.for_record(record, user, prefix="_run")
    status = 200
    if request.method == "POST":
        if not can(user, "run", record):
            abort(403, description=f"You do not have permission to run the job “{record}”.")
        if job_class is None:
            flash(f"The job cannot be loaded: {load_error}", "danger")
            status = 409
        elif options.validate():
            try:
                admission = admit(
                    record,
                    user,
                    data=request.form,
                    files=request.files,
                    options=run_options(record, user, options, request),
                    strict=False,
                )
            except JobDataError as exc:
                form = bound_with_errors(job_class, record, exc.errors, options)
                status = 400
            except PermissionDenied as exc:
                abort(403, description=exc.message)
            except JobNotRunnable as exc:
                flash(str(exc), "danger")
                status = 409
            else:
                return admitted(record, admission)
        else:
            status = 400
    return render_job_page(record, job_class, form, options, load_error), status


def admitted(record, admission):
    """Where the requester lands: the queued result, or the scheduled job saying what it waits for."""
    scheduled = admission.scheduled_job
    if scheduled is None:
        flash(f"Job “{record}” submitted.", "success")
        warning = no_worker_warning(admission.result.queue)
        if warning:
            flash(warning, "warning")
        return redirect(url_for("results.result_detail", result_id=admission.result.id))
    if scheduled.approval_state == ApprovalState.AWAITING.value:
        flash(f"Your request to run “{record}” awaits approval by another user; nothing runs until then.", "info")
    else:
        flash(f"Job “{record}” scheduled as “{scheduled.name}”.", "success")
    return redirect(scheduled.get_absolute_url())


def bound_with_errors(job_class, record, errors: dict, options: RunOptionsForm):
    """The form as posted, carrying the errors submit() found (files cannot be re-shown)."""
    form = bind_form(job_class, request.form, None, record=record, restrict_rows=visible_rows(me()))
    for name, messages in errors.items():
        target = form if name in form._fields else options
        key = "task_queue" if name == "task_queue" else name
        if key in target._fields:
            target[key].errors = list(messages)
        else:
            target.form_errors.extend(f"{name}: {message}" for message in messages)
    return form


def render_job_page(record, job_class, form, options, load_error=None):
    user = me()
    recent = list(
        restrict(JobResult.select(), user, "view")
        .where(JobResult.job_record == record)
        .order_by(JobResult.date_created.desc())
        .limit(5)
    )
    context = {
        "record": record,
        "job": record,
        "job_class": job_class,
        "form": form,
        "options": options,
        "load_error": load_error,
        "recent": recent,
        "can_run": can(user, "run", record),
        "can_change": can(user, "change", record),
        # A job without variables has no inputs to keep or lose, whatever has_sensitive_variables says.
        "sensitive_inputs": record.has_sensitive_variables and (job_class is None or bool(job_class._get_vars())),
        "unavailable_flags": unavailable_flags(record),
        # One indexed query: which of the job's queues no live worker listens on (runs there would wait).
        "idle_queues": [queue for queue, count in WorkerHeartbeat.listeners(record.queues).items() if not count]
        if record.runnable else [],
        "template_error": None,
    }
    custom = job_template_name(record, job_class)
    if custom:
        try:
            return render_template(custom, **context)
        except jinja2.TemplateNotFound:
            context["template_error"] = (
                f"The job's template “{record.template_name}” was not found next to its source file."
            )
        except jinja2.TemplateSyntaxError as exc:
            context["template_error"] = (
                f"The job's template “{record.template_name}” has an error on line {exc.lineno}: "
                f"{exc.message}"
            )
        except Exception as exc:  # any error raised while rendering an author's template
            log.exception("rendering template %s of job %s", record.template_name, record.class_path)
            context["template_error"] = (
                f"The job's template “{record.template_name}” failed to render: {type(exc).__name__}: {exc}"
            )
    return render_template("extras/job.html", **context)


@bp.route("/jobs/<uuid:job_id>/enabled/", methods=["POST"])
def set_enabled(job_id):
    """The Enable/Disable toggle: ``enabled=true|false``; htmx gets the job list row back, a form a redirect."""
    record = get_record(job_id=job_id)
    if not can(me(), "change", record):
        abort(403, description=f"You do not have permission to change the job “{record}”.")
    wanted = request.form.get("enabled", "").strip().lower()
    if wanted not in ("true", "false"):
        abort(400, description="Say whether to enable the job: enabled=true or enabled=false.")
    record.enabled = wanted == "true"
    record.last_updated = utcnow()
    record.save(only=[JobRecord.enabled, JobRecord.last_updated])
    back = local_path(request.form.get("next", "")) or url_for("jobs.job_detail", job_id=record.id)
    if request.headers.get("HX-Request") == "true" and request.form.get("row"):
        row = job_rows(me(), JobRecord.select(*LISTED).where(JobRecord.id == record.id))[0]
        return render_template("jobs/_row.html", job=row, back=back)
    state = "enabled" if record.enabled else "disabled"
    note = "" if record.installed or not record.enabled else " It is not installed, so it still cannot run."
    flash(f"Job “{record}” {state}.{note}", "success")
    return redirect(back)


def local_path(target: str) -> str:
    """``target`` when it is a path on this site (never another host), else ''."""
    # Browsers drop tabs and newlines and read a backslash as "/": "/\t/evil.example" leads off-site.
    if not target.startswith("/") or target.startswith("//") or any(ch < " " or ch == "\\" for ch in target):
        return ""
    return target
