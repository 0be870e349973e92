"""The home page: recent results and the jobs that need someone's attention."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask_login import current_user
from peewee import JOIN
from peewee import fn

from app.catalog import load_report
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from app.security import can
from app.security import restrict
from app.supervision import worker_supervision

bp = Blueprint("home", __name__)

RECENT = 10
PROBLEM_STATUSES = (Status.STATUS_FAILURE, Status.STATUS_ERRORED)


def _me():
    return current_user._get_current_object()


@bp.route("/")
def index():
    user = _me()
    visible_results = restrict(
        JobResult.select(JobResult, JobRecord).join(JobRecord, JOIN.LEFT_OUTER), user, "view"
    )
    recent = list(visible_results.order_by(JobResult.date_created.desc()).limit(RECENT))
    failed = list(
        visible_results.where(JobResult.status.in_(PROBLEM_STATUSES))
        .order_by(JobResult.date_created.desc())
        .limit(5)
    )
    running = visible_results.where(JobResult.status.in_(list(Status.RUNNING))).count()
    disabled = []
    if can(user, "change", JobRecord):
        disabled = list(
            restrict(JobRecord.select(), user, "change")
            .where((JobRecord.enabled == False) & (JobRecord.installed == True) & (JobRecord.hidden == False))  # noqa: E712
            .order_by(fn.LOWER(JobRecord.grouping), fn.LOWER(JobRecord.name))
            .limit(10)
        )
    broken = load_report().errors if can(user, "view", JobRecord) else []
    return render_template(
        "home/index.html",
        recent=recent,
        failed=failed,
        running=running,
        disabled=disabled,
        broken=broken,
        can_change_jobs=can(user, "change", JobRecord),
        worker_supervision=worker_supervision(current_app),
    )
