"""Job results: list, detail, their logs and cancelling (``/api/extras/job-results/``)."""

from __future__ import annotations

import uuid

from peewee import JOIN

from app.api import filters
from app.api.access import api_user
from app.api.access import visible
from app.api.errors import ApiError
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import job_result as serialize_result
from app.api.views.logs import RESULT_LOG_FILTERS
from app.api.views.logs import log_page
from app.execution.cancel import request_cancel
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.security import PermissionDenied
from app.security import can
from app.security import restrict


def _job_model(values):
    """Ids select by id, anything else by job name (Nautobot accepts both)."""
    ids, names = [], []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            names.append(value)
    condition = JobResult.job_record.in_(ids) if ids else None
    if names:
        by_name = JobResult.job_record.in_(JobRecord.select(JobRecord.id).where(JobRecord.name.in_(names)))
        condition = by_name if condition is None else condition | by_name
    return condition


def _user(values):
    ids = [int(value) for value in values if value.isdigit()]
    names = [value for value in values if not value.isdigit()]
    by_name = JobResult.user.in_(User.select(User.id).where(User.username.in_(names)))
    return JobResult.user.in_(ids) | by_name


RESULT_FILTERS = FilterSet(
    Filter("id", "Job result id.", filters.any_of(JobResult.id), filters.parse_uuid, filters.UUID),
    Filter("job_model", "The job: its id or its name.", _job_model),
    Filter("status", "Status: " + ", ".join(Status), filters.any_of(JobResult.status),
           filters.choice_parser(set(Status), str.upper), {"type": "string", "enum": list(Status)}),
    Filter("user", "The user who ran it: id or username.", _user),
    Filter("name", "Exact job name at the time of the run.", filters.any_of(JobResult.name)),
    Filter("date_created__gte", "Created at or after (ISO 8601).",
           filters.all_of(lambda value: JobResult.date_created >= value), filters.parse_datetime, filters.DATETIME),
    Filter("date_created__lte", "Created at or before (ISO 8601).",
           filters.all_of(lambda value: JobResult.date_created <= value), filters.parse_datetime, filters.DATETIME),
)


def _with_refs(query):
    """Join the job and user so serializing a page costs no query per row."""
    return (query.select_extend(JobRecord, User)
            .join_from(JobResult, JobRecord, JOIN.LEFT_OUTER)
            .join_from(JobResult, User, JOIN.LEFT_OUTER))


def output_files(result_ids) -> dict:
    """{result id: [FileProxy]} of output files, without loading their content."""
    files = {}
    if not result_ids:
        return files
    columns = [field for field in FileProxy._meta.sorted_fields if field is not FileProxy.content]
    query = (FileProxy.select(*columns)
             .where(FileProxy.job_result.in_(list(result_ids)) & (FileProxy.purpose == FileProxy.PURPOSE_OUTPUT))
             .order_by(FileProxy.uploaded_at, FileProxy.name))
    for proxy in query:
        files.setdefault(proxy.job_result_id, []).append(proxy)
    return files


def serialize_page(rows):
    files = output_files([row.id for row in rows])
    return [serialize_result(row, files.get(row.id, ())) for row in rows]


@api_route("/extras/job-results/", summary="List the job results you may view, newest first.",
           tag="job-results", filters=RESULT_FILTERS, response="JobResult")
def result_list():
    query = RESULT_FILTERS.apply(restrict(JobResult.select(), api_user(), "view"))
    query = _with_refs(query).order_by(JobResult.date_created.desc(), JobResult.id)
    return render(paginate(query, serialize_page, whole_page=True))


def visible_result(result_id):
    return visible(_with_refs(JobResult.select()), "JobResult", JobResult.id == result_id)


@api_route("/extras/job-results/<uuid:result_id>/", summary="Get one job result.", tag="job-results",
           response="JobResult", errors=(404,))
def result_detail(result_id):
    return render(serialize_page([visible_result(result_id)])[0])


@api_route("/extras/job-results/<uuid:result_id>/logs/", summary="The result's log entries, in order.",
           tag="job-results", filters=RESULT_LOG_FILTERS, response="JobLogEntry", errors=(404,))
def result_logs(result_id):
    result = visible_result(result_id)
    return render(log_page(result.id, RESULT_LOG_FILTERS))


@api_route("/extras/job-results/<uuid:result_id>/cancel/", method="POST", tag="job-results",
           response="JobResult", errors=(404, 409),
           summary="Cancel a pending or running job (needs run permission on its job).")
def result_cancel(result_id):
    result = visible_result(result_id)
    record = result.job_record if result.job_record_id else None
    allowed = can(api_user(), "run", record) if record is not None else api_user().is_superuser
    if not allowed:
        raise PermissionDenied(f"You do not have permission to cancel \u201c{result}\u201d.")
    if result.is_finished or not request_cancel(result.id, api_user()):
        status = JobResult.get_by_id(result.id).status
        raise ApiError(409, f"This job result has already finished ({status}).")
    return render(serialize_page([visible_result(result_id)])[0])
