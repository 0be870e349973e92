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
# Browsers ask for /favicon.ico on their own: it serves the SVG icon, public like every static file
# (url_for("static", filename="favicon.svg") builds this URL).
bp.record_once(
    lambda state: state.app.add_url_rule("/favicon.ico", endpoint="static", defaults={"filename": "favicon.svg"})
)

RECENT = 10
DISABLED_SHOWN = 10
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
    disabled, disabled_count = [], 0
    if can(user, "change", JobRecord):
        waiting = restrict(JobRecord.select(), user, "change").where(
            (JobRecord.enabled == False) & (JobRecord.installed == True) & (JobRecord.hidden == False)  # noqa: E712
        )
        disabled = list(waiting.order_by(fn.LOWER(JobRecord.grouping), fn.LOWER(JobRecord.name)).limit(DISABLED_SHOWN))
        disabled_count = len(disabled) if len(disabled) < DISABLED_SHOWN else waiting.count()
    broken = load_report().errors if can(user, "view", JobRecord) else []
    return render_template(
        "home/index.html",
        recent=recent,
        failed=failed,
        running=running,
        disabled=disabled,
        disabled_count=disabled_count,
        broken=broken,
        can_change_jobs=can(user, "change", JobRecord),
        can_view_jobs=can(user, "view", JobRecord),
        worker_supervision=worker_supervision(current_app),
    )
