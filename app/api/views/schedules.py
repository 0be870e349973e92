"""Scheduled jobs: ``/api/extras/scheduled-jobs/`` list, detail, PATCH (name, enabled, crontab,
misfire_policy), DELETE.

Permissions are those of the pages: the object type ``extras.scheduledjob`` with view, change and
delete. The approval routes (``approval-queue/``, ``<id>/approve/`` ...) live with the approvals.
"""

from __future__ import annotations

from flask import Response
from peewee import JOIN

from app.api import filters
from app.api.access import api_user
from app.api.access import visible
from app.api.errors import ApiError
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.form_input import FLAG
from app.api.form_input import TEXT
from app.api.form_input import read_body
from app.api.negotiation import json_body
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.schemas import COMPONENTS
from app.api.serializers import scheduled_job as serialize
from app.db import database
from app.jobs.forms import JobDataError
from app.models import JobRecord
from app.models import User
from app.models.schedules import ApprovalState
from app.models.schedules import Interval
from app.models.schedules import ScheduledJob
from app.scheduling.edits import edit
from app.security import require
from app.security import restrict

SCHEDULE_FILTERS = FilterSet(
    Filter("id", "Scheduled job id.", filters.any_of(ScheduledJob.id), filters.parse_uuid, filters.UUID),
    Filter("name", "Exact name.", filters.any_of(ScheduledJob.name)),
    Filter("job_model", "The job's id.", filters.any_of(ScheduledJob.job_record), filters.parse_uuid, filters.UUID),
    Filter("interval", "Interval: " + ", ".join(Interval), filters.any_of(ScheduledJob.interval),
           filters.choice_parser({i.value for i in Interval}), {"type": "string", "enum": [i.value for i in Interval]}),
    Filter("approval_state", "Approval state.", filters.any_of(ScheduledJob.approval_state),
           filters.choice_parser({s.value for s in ApprovalState})),
)
WRITABLE = {"name": TEXT, "enabled": FLAG, "crontab": TEXT, "misfire_policy": TEXT}


def _with_refs(query):
    return (query.select_extend(JobRecord, User)
            .join_from(ScheduledJob, JobRecord, JOIN.LEFT_OUTER)
            .join_from(ScheduledJob, User, JOIN.LEFT_OUTER, on=(ScheduledJob.user == User.id)))


def _one(schedule_id) -> ScheduledJob:
    return visible(_with_refs(ScheduledJob.select()), "ScheduledJob", ScheduledJob.id == schedule_id)


@api_route("/extras/scheduled-jobs/", summary="List the scheduled jobs you may view, next due first.",
           tag="scheduled-jobs", filters=SCHEDULE_FILTERS, response="ScheduledJob")
def scheduled_job_list():
    query = SCHEDULE_FILTERS.apply(restrict(ScheduledJob.select(), api_user(), "view"))
    query = _with_refs(query).order_by(ScheduledJob.next_run.is_null(), ScheduledJob.next_run, ScheduledJob.id)
    return render(paginate(query, serialize))


@api_route("/extras/scheduled-jobs/<uuid:schedule_id>/", summary="Get one scheduled job.", tag="scheduled-jobs",
           response="ScheduledJob", errors=(404,))
def scheduled_job_detail(schedule_id):
    return render(serialize(_one(schedule_id)))


@api_route("/extras/scheduled-jobs/<uuid:schedule_id>/", method="PATCH", tag="scheduled-jobs",
           request="ScheduledJobPatch", response="ScheduledJob", errors=(400, 404, 415),
           summary="Change a scheduled job's name, enabled, crontab or misfire policy (needs change permission).")
def scheduled_job_update(schedule_id):
    row = _one(schedule_id)
    require(api_user(), "change", row)
    read_only = frozenset(COMPONENTS["ScheduledJob"]["properties"]) - set(WRITABLE)
    values = read_body(json_body(), WRITABLE, read_only)
    try:
        with database.atomic():
            edit(row, **values)
    except JobDataError as exc:
        raise ApiError(400, exc.errors) from None
    return render(serialize(_one(schedule_id)))


@api_route("/extras/scheduled-jobs/<uuid:schedule_id>/", method="DELETE", tag="scheduled-jobs",
           status=204, errors=(404,), response=None,
           summary="Delete a scheduled job (needs delete permission); its past results are kept.")
def scheduled_job_delete(schedule_id):
    row = _one(schedule_id)
    require(api_user(), "delete", row)
    with database.atomic():
        row.delete_instance()
    return Response(status=204)
