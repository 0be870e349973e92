"""Job log entries (``/api/extras/job-logs/``).

A log entry is visible to whoever may view its job result, like on the result page. Pages are read
in write order through the (job_result, id) index, so a 100,000-line log pages as fast as a short one.
"""

from __future__ import annotations

from app.api import filters
from app.api.access import api_user
from app.api.errors import not_found
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import log_entry as serialize_entry
from app.jobs.choices import LogLevelChoices
from app.models import JobLogEntry
from app.security import restrict

LOG_FILTERS = FilterSet(
    Filter("job_result", "The job result's id.", filters.any_of(JobLogEntry.job_result), filters.parse_uuid,
           filters.UUID),
    Filter("log_level", "Level: " + ", ".join(LogLevelChoices), filters.any_of(JobLogEntry.log_level),
           filters.choice_parser(set(LogLevelChoices), str.lower), {"type": "string", "enum": list(LogLevelChoices)}),
    Filter("grouping", "Exact grouping.", filters.any_of(JobLogEntry.grouping)),
    Filter("q", "Text contained in the message.", filters.all_of(lambda text: JobLogEntry.message.contains(text))),
)
RESULT_LOG_FILTERS = LOG_FILTERS.without("job_result")


def visible_entries(query):
    """Entries of results the caller may view (log lines are seen through their result)."""
    return restrict(query, api_user(), "view")


def _serialize(rows):
    return [serialize_entry(row) for row in rows]


def log_page(result_id, filterset: FilterSet) -> dict:
    query = filterset.apply(JobLogEntry.select().where(JobLogEntry.job_result == result_id))
    return paginate(query.order_by(JobLogEntry.id), _serialize, whole_page=True)


@api_route("/extras/job-logs/", summary="List log entries (filter by job_result to read one run's log).",
           tag="job-logs", filters=LOG_FILTERS, response="JobLogEntry")
def log_list():
    query = visible_entries(LOG_FILTERS.apply(JobLogEntry.select()))
    return render(paginate(query.order_by(JobLogEntry.id), _serialize, whole_page=True))


@api_route("/extras/job-logs/<int:log_id>/", summary="Get one log entry.", tag="job-logs",
           response="JobLogEntry", errors=(404,))
def log_detail(log_id):
    entry = visible_entries(JobLogEntry.select().where(JobLogEntry.id == log_id)).first()
    if entry is None:
        raise not_found("JobLogEntry")
    return render(serialize_entry(entry))
