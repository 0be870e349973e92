"""Scheduled jobs: the list, a schedule's page with its runs, edit (name, enabled, crontab, misfire
policy), delete, enable toggle and Run now.

Permissions use the object type ``extras.scheduledjob`` (view, change, delete; Run now also needs
``run`` on the job). Times show in ``JOBDECK_TIME_ZONE`` with their zone.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from peewee import JOIN
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.config import get_config
from app.exceptions import JobNotRunnable
from app.jobs.forms import JobDataError
from app.models import JobRecord
from app.models import JobResult
from app.models.schedules import Interval
from app.models.schedules import ScheduledJob
from app.scheduling.dispatcher import run_now
from app.scheduling.edits import edit
from app.security import can
from app.security import restrict
from app.web.admin.crud import delete_page
from app.web.admin_forms import ConfirmForm

bp = Blueprint("schedules", __name__)

PAGE_SIZE = 200


def me():
    return current_user._get_current_object()


def get_schedule(schedule_id, action: str = "view") -> ScheduledJob:
    """The schedule, 404 when the user may not view it, 403 when they may view but not ``action`` it."""
    user = me()
    row = restrict(ScheduledJob.select(), user, "view").where(ScheduledJob.id == schedule_id).first()
    if row is None:
        abort(404)
    if action != "view" and not can(user, action, row):
        abort(403, description=f"You do not have permission to {action} the scheduled job “{row}”.")
    return row


def last_results(rows) -> dict:
    """The newest result of each schedule in ``rows`` the user may view, in one query."""
    ids = [row.id for row in rows]
    if not ids:
        return {}
    query = (restrict(JobResult.select(JobResult.id, JobResult.status, JobResult.date_created,
                                       JobResult.scheduled_job), me(), "view")
             .where(JobResult.scheduled_job.in_(ids)).order_by(JobResult.date_created))
    return {result.scheduled_job_id: result for result in query}


@bp.route("/scheduled-jobs/")
def schedule_list():
    user = me()
    if not can(user, "view", ScheduledJob):
        abort(403, description="You do not have permission to view scheduled jobs.")
    rows = list(restrict(ScheduledJob.select(ScheduledJob, JobRecord), user, "view")
                .join(JobRecord, JOIN.LEFT_OUTER, on=(ScheduledJob.job_record == JobRecord.id))
                .order_by(ScheduledJob.next_run.is_null(), ScheduledJob.next_run, ScheduledJob.name)
                .limit(PAGE_SIZE))
    changeable = {row.id for row in rows if can(user, "change", row)}
    return render_template("schedules/list.html", rows=rows, last=last_results(rows), changeable=changeable,
                           toggle=ConfirmForm(), config_time_zone=get_config().time_zone)


@bp.route("/scheduled-jobs/<uuid:schedule_id>/")
def schedule_detail(schedule_id):
    row = get_schedule(schedule_id)
    user = me()
    results = list(restrict(JobResult.select(), user, "view").where(JobResult.scheduled_job == row.id)
                   .order_by(JobResult.date_created.desc()).limit(50))
    record = row.job_record if row.job_record_id else None
    return render_template(
        "schedules/detail.html", row=row, record=record, results=results, form=ConfirmForm(),
        can_change=can(user, "change", row), can_delete=can(user, "delete", row),
        can_run=record is not None and can(user, "run", record),
    )


class ScheduleEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    enabled = BooleanField("Enabled", description="A disabled schedule makes no runs.")
    crontab = StringField("Crontab", description="Only for custom schedules: 5 fields, e.g. 30 2 * * *.")
    misfire_policy = SelectField("After downtime", choices=[
        SelectChoice("once", "One catch-up run, marked late"), SelectChoice("skip", "No catch-up run"),
        SelectChoice("all", "Every missed run (at most 100)")])


@bp.route("/scheduled-jobs/<uuid:schedule_id>/edit/", methods=["GET", "POST"])
def schedule_edit(schedule_id):
    row = get_schedule(schedule_id, "change")
    form = ScheduleEditForm(obj=row)
    custom = row.interval == Interval.CUSTOM.value
    if not custom:
        del form.crontab
    if form.validate_on_submit():
        try:
            edit(row, name=form.name.data, enabled=form.enabled.data, crontab=form.crontab.data if custom else None,
                 misfire_policy=form.misfire_policy.data)
        except JobDataError as exc:
            for name, messages in exc.errors.items():
                form[name].errors = list(messages)
        else:
            flash(f"Saved scheduled job “{row}”.", "success")
            return redirect(row.get_absolute_url())
    return render_template("schedules/edit.html", row=row, form=form), 400 if form.errors else 200


@bp.route("/scheduled-jobs/<uuid:schedule_id>/enabled/", methods=["POST"])
def schedule_enabled(schedule_id):
    row = get_schedule(schedule_id, "change")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    wanted = request.form.get("enabled", "").strip().lower()
    if wanted not in ("true", "false"):
        abort(400, description="Say whether to enable the schedule: enabled=true or enabled=false.")
    edit(row, enabled=wanted == "true")
    flash(f"Scheduled job “{row}” {'enabled' if row.enabled else 'disabled'}.", "success")
    return redirect(url_for("schedules.schedule_list") if request.form.get("back") == "list"
                    else row.get_absolute_url())


@bp.route("/scheduled-jobs/<uuid:schedule_id>/delete/", methods=["GET", "POST"])
def schedule_delete(schedule_id):
    row = get_schedule(schedule_id, "delete")
    return delete_page(row, noun="scheduled job", next_url=url_for("schedules.schedule_list"),
                       cancel_url=row.get_absolute_url(),
                       consequences=["Its past runs stay in the results, no longer linked to it."])


@bp.route("/scheduled-jobs/<uuid:schedule_id>/run/", methods=["POST"])
def schedule_run(schedule_id):
    row = get_schedule(schedule_id)
    record = row.job_record if row.job_record_id else None
    if record is None or not can(me(), "run", record):
        abort(403, description="You do not have permission to run this job.")
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        result = run_now(row, user=me())
    except JobNotRunnable as exc:
        flash(str(exc), "danger")
        return redirect(row.get_absolute_url())
    except JobDataError as exc:
        flash(f"Its inputs cannot run as yours: {exc}", "danger")
        return redirect(row.get_absolute_url())
    flash(f"Running “{row}” now; its schedule is unchanged.", "success")
    return redirect(url_for("results.result_detail", result_id=result.id))
