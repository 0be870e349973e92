"""Job queues (``/api/extras/job-queues/``, a ``crud.py`` resource, as Nautobot 2.4 has them) and the
workers (``GET /api/extras/workers/``): live and dead workers and, per queue, pending runs and listeners.

Writes go through the pages' form (app/web/job_queue_form.py), so the API accepts exactly what the pages do.
"""

from __future__ import annotations

from app.api import filters
from app.api.access import api_user
from app.api.crud import Resource
from app.api.crud import register
from app.api.errors import ApiError
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.form_input import NO_CSRF
from app.api.form_input import TEXT
from app.api.form_input import form_errors
from app.api.form_input import formdata
from app.api.registry import api_route
from app.api.rendering import format_datetime
from app.api.rendering import render
from app.api.schemas import BOOLEAN
from app.api.schemas import COMPONENTS
from app.api.schemas import INTEGER
from app.api.schemas import STRING
from app.api.schemas import TIME
from app.api.schemas import _header
from app.api.schemas import closed
from app.api.serializers import api_url
from app.models import JobQueue
from app.models import WorkerHeartbeat
from app.security import require
from app.security import restrict
from app.web.job_queue_form import JobQueueForm
from app.web.job_queue_form import save_queue
from app.worker_status import overview

FIELDS = ("name", "description")
NAMES = {"type": "array", "items": STRING}

COMPONENTS["JobQueue"] = closed({
    **_header("extras.jobqueue"), "name": STRING, "description": STRING, "created": TIME, "last_updated": TIME,
})
COMPONENTS["WorkerStatus"] = closed({
    "workers": {"type": "array", "items": closed({
        "name": STRING, "hostname": STRING, "pid": INTEGER, "queues": NAMES,
        "live": BOOLEAN, "why_dead": {**STRING, "description": "Empty while live."},
        "current_runs": {**INTEGER, "description": "Runs it executes now."},
        "concurrency": {**INTEGER, "description": "Runs it executes at once at most (--workers)."},
        "current_results": {**NAMES, "description": "Ids of its current runs that you may view."},
        "started": TIME, "last_heartbeat": TIME,
    })},
    "queues": {"type": "array", "items": closed({
        "id": STRING, "name": STRING, "pending": {**INTEGER, "description": "Runs waiting on it (PENDING)."},
        "consumers": {**NAMES, "description": "Names of the live workers listening on it."},
    })},
})


def serialize(queue: JobQueue) -> dict:
    return {
        "id": str(queue.id), "object_type": "extras.jobqueue", "display": queue.name,
        "url": api_url(f"extras/job-queues/{queue.id}/"), "name": queue.name, "description": queue.description,
        "created": format_datetime(queue.created), "last_updated": format_datetime(queue.last_updated),
    }


def prepare(queue: JobQueue, values: dict):
    instance = queue if queue.id is not None else None
    merged = {name: getattr(queue, name) or "" for name in FIELDS} if instance else {}
    merged.update(values)
    form = JobQueueForm(formdata=formdata(merged), instance=instance, meta=NO_CSRF)
    if not form.validate():
        raise ApiError(400, form_errors(form))
    return lambda: save_queue(form, queue)


def refuse_busy(queue: JobQueue) -> None:
    blockers = queue.blockers()
    if blockers:
        raise ApiError(409, f"Job queue {queue} cannot be deleted: {' '.join(blockers)}")


register(Resource(
    model=JobQueue, rule="/extras/job-queues/", name="jobqueue", noun="JobQueue", label="job queue",
    tag="job-queues",
    filters=FilterSet(
        Filter("id", "Job queue id.", filters.any_of(JobQueue.id), filters.parse_integer, {"type": "integer"}),
        Filter("name", "Exact name.", filters.any_of(JobQueue.name)),
    ),
    order=(JobQueue.name,), serialize=lambda rows: [serialize(row) for row in rows],
    fields={name: TEXT for name in FIELDS},
    descriptions={"name": "Letters, digits, _ . : - (at most 100); cannot change while jobs or runs use it."},
    prepare=prepare, required=("name",), replace_required=("name",), before_delete=refuse_busy,
))


@api_route("/extras/workers/", tag="job-queues", response="WorkerStatus",
           summary="Live and dead workers, and per job queue you may view its pending runs and live listeners.")
def worker_status():
    user = api_user()
    require(user, "view", WorkerHeartbeat)
    workers, queues = overview(user, restrict(JobQueue.select(), user, "view").order_by(JobQueue.name))
    return render({
        "workers": [{
            "name": state.beat.name, "hostname": state.beat.hostname, "pid": state.beat.pid,
            "queues": list(state.beat.queues or []), "live": state.live, "why_dead": state.why_dead,
            "current_runs": state.current_runs, "concurrency": state.beat.concurrency,
            "current_results": [str(run.id) for run in state.runs],
            "started": format_datetime(state.beat.started), "last_heartbeat": format_datetime(state.beat.last_seen),
        } for state in workers],
        "queues": [{"id": str(state.queue.id), "name": state.queue.name, "pending": state.pending,
                    "consumers": state.consumers} for state in queues],
    })
