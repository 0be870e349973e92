"""The workers page: every worker process, live or dead, and per job queue its pending runs and listeners."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from app.config import get_config
from app.models import JobQueue
from app.models import WorkerHeartbeat
from app.security import can
from app.security import restrict
from app.web.admin.access import me
from app.web.admin.access import permit
from app.worker_status import overview

bp = Blueprint("workers", __name__, url_prefix="/workers")


@bp.route("/")
def worker_list():
    permit("view", WorkerHeartbeat)
    user = me()
    queues = restrict(JobQueue.select(), user, "view").order_by(JobQueue.name)
    workers, queue_states = overview(user, queues)
    return render_template("workers/list.html", workers=workers, queues=queue_states,
                           lost_after=get_config().worker_lost_after,
                           queue_links=can(user, "view", JobQueue))
