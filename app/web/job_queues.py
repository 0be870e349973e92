"""Job queue pages: list (with each queue's pending runs and live workers), add, one queue, edit, delete."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.models import JobQueue
from app.models import WorkerHeartbeat
from app.security import can
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin.crud import form_page
from app.web.job_queue_form import JobQueueForm
from app.web.job_queue_form import save_queue
from app.worker_status import overview

bp = Blueprint("job_queues", __name__, url_prefix="/job-queues")


@bp.app_context_processor
def _navigation():
    from flask_login import current_user

    def queues_nav_url():
        """The top bar's Queues link: the job queues, else the workers page, else None (no link)."""
        if not current_user.is_authenticated:
            return None
        if can(me(), "view", JobQueue):
            return url_for("job_queues.queue_list")
        return url_for("workers.worker_list") if can(me(), "view", WorkerHeartbeat) else None

    return {"queues_nav_url": queues_nav_url}


@bp.route("/")
def queue_list():
    permit("view", JobQueue)
    _, queues = overview(me())
    user = me()
    return render_template("queues/list.html", queues=queues, can_add=can(user, "add", JobQueue),
                           can_view_workers=can(user, "view", WorkerHeartbeat))


@bp.route("/add/", methods=["GET", "POST"])
def queue_add():
    permit("add", JobQueue)
    return _form_page(JobQueueForm(), JobQueue())


@bp.route("/<int:queue_id>/")
def queue_detail(queue_id):
    queue = _visible(queue_id)
    user = me()
    jobs = [job for job in queue.jobs() if can(user, "view", job)]
    workers, (state,) = overview(user, [queue])
    listeners = [worker for worker in workers if queue.name in worker.beat.queues]
    return render_template("queues/detail.html", queue=queue, state=state, jobs=jobs, workers=listeners,
                           can_change=can(user, "change", queue), can_delete=can(user, "delete", queue))


@bp.route("/<int:queue_id>/edit/", methods=["GET", "POST"])
def queue_edit(queue_id):
    queue = _visible(queue_id)
    permit("change", queue)
    return _form_page(JobQueueForm(obj=queue, instance=queue), queue)


@bp.route("/<int:queue_id>/delete/", methods=["GET", "POST"])
def queue_delete(queue_id):
    queue = _visible(queue_id)
    permit("delete", queue)
    detail_url = url_for(".queue_detail", queue_id=queue.id)
    blockers = queue.blockers()
    if blockers:
        flash(f"Job queue {queue} cannot be deleted: {' '.join(blockers)}", "danger")
        return redirect(detail_url)
    return delete_page(queue, noun="Job queue", next_url=url_for(".queue_list"), cancel_url=detail_url)


def _visible(queue_id) -> JobQueue:
    queue = get_or_404(JobQueue, queue_id)
    permit("view", queue)
    return queue


def _form_page(form, queue):
    return form_page(form, queue, save_queue, noun="job queue", template="queues/form.html",
                     next_url=lambda: url_for(".queue_detail", queue_id=queue.id))
