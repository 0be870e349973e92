"""The job edit page: enable a job and override its metadata (needs ``change`` on the job)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.catalog import apply_class_values
from app.catalog import job_class_for
from app.catalog import record_values
from app.db import utcnow
from app.exceptions import JobLoadError
from app.execution.approvals import SENSITIVE_AND_APPROVAL
from app.models.jobs import JobRecord
from app.web.admin.access import permit
from app.web.admin.access import require_login
from app.web.job_edit_form import JobEditForm

bp = Blueprint("job_edit", __name__)
bp.before_request(require_login)


def load_class(record: JobRecord):
    """(job class, None) or (None, why it cannot be loaded)."""
    try:
        return job_class_for(record), None
    except JobLoadError as exc:
        return None, str(exc)


def apply_form(form: JobEditForm, record: JobRecord, job_class) -> None:
    """Copy the form onto the record; cleared overrides take the class's value when it loads."""
    record.enabled = form.enabled.data
    for field, (override, value) in form.overridden_values().items():
        setattr(record, f"{field}_override", override)
        if override:
            setattr(record, field, value)
    if job_class is not None:
        apply_class_values(record, job_class)


def check_consistency(form: JobEditForm, record: JobRecord) -> bool:
    if record.has_sensitive_variables and record.approval_required:
        # The seed's rule: inputs awaiting approval must be stored, and sensitive ones never are.
        form.approval_required.errors = [
            *form.approval_required.errors,
            SENSITIVE_AND_APPROVAL,
        ]
        return False
    return True


@bp.route("/jobs/<uuid:job_id>/edit/", methods=["GET", "POST"])
def edit(job_id):
    record = JobRecord.get_or_none(JobRecord.id == job_id)
    if record is None:
        abort(404)
    permit("change", record)
    job_class, load_error = load_class(record)
    form = JobEditForm(obj=record)
    if form.validate_on_submit():
        apply_form(form, record, job_class)
        if check_consistency(form, record):
            record.last_updated = utcnow()
            record.save()
            flash(f"Saved job {record}.", "success")
            if record.soft_time_limit and record.time_limit and record.time_limit <= record.soft_time_limit:
                flash("The time limit is not above the soft limit: the job will be killed without warning.", "warning")
            return redirect(url_for("jobs.job_detail", job_id=record.id))
        record = JobRecord.get_by_id(record.id)  # show what is stored, not the rejected values
    class_values = record_values(job_class) if job_class is not None else None
    return render_template(
        "jobs/edit.html",
        job=record,
        form=form,
        class_values=class_values,
        load_error=load_error,
    )
