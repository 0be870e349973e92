"""Jobs: list, detail and input variables (``/api/extras/jobs/``)."""

from __future__ import annotations

import json

from app.api import filters
from app.api.access import VIEW
from app.api.access import api_user
from app.api.access import find_job
from app.api.access import loaded_job_class
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import job as serialize_job
from app.models import JobRecord
from app.models.jobs import normalize_class_path
from app.security import object_type_of
from app.security import restrict

_TEXT_FIELDS = (JobRecord.name, JobRecord.grouping, JobRecord.description, JobRecord.module_name,
                JobRecord.job_class_name)


def _search(text: str):
    condition = _TEXT_FIELDS[0].contains(text)
    for field in _TEXT_FIELDS[1:]:
        condition |= field.contains(text)
    return condition


JOB_FILTERS = FilterSet(
    Filter("id", "Job id.", filters.any_of(JobRecord.id), filters.parse_uuid, filters.UUID),
    Filter("name", "Exact name (what pynautobot's get(name=...) sends).", filters.any_of(JobRecord.name)),
    Filter("grouping", "Exact grouping.", filters.any_of(JobRecord.grouping)),
    Filter("module_name", "Exact module name.", filters.any_of(JobRecord.module_name)),
    Filter("job_class_name", "Exact class name.", filters.any_of(JobRecord.job_class_name)),
    Filter("class_path", "module.Class, or the legacy local/module/Class.", filters.any_of(JobRecord.class_path),
           normalize_class_path),
    Filter("enabled", "Enabled or not.", filters.any_of(JobRecord.enabled), filters.parse_boolean, filters.BOOLEAN),
    Filter("installed", "Installed or not.", filters.any_of(JobRecord.installed), filters.parse_boolean,
           filters.BOOLEAN),
    Filter("hidden", "Hidden or not.", filters.any_of(JobRecord.hidden), filters.parse_boolean, filters.BOOLEAN),
    Filter("q", "Search name, grouping, description, module and class names.", filters.all_of(_search)),
)


@api_route("/extras/jobs/", summary="List the jobs you may view.", tag="jobs", filters=JOB_FILTERS,
           response="Job")
def job_list():
    query = JOB_FILTERS.apply(restrict(JobRecord.select(), api_user(), "view"))
    return render(paginate(query.order_by(JobRecord.grouping, JobRecord.name, JobRecord.id), serialize_job))


@api_route("/extras/jobs/<job_key:job_key>/", summary="Get one job (by id, class path or name).", tag="jobs",
           response="Job", errors=(400, 404))
def job_detail(job_key):
    return render(serialize_job(find_job(job_key, VIEW)))


# Options a variable may have, reported when set.
_OPTIONS = ("min_length", "max_length", "regex", "min_value", "max_value", "min_prefix_length",
            "max_prefix_length", "display_field", "query_params", "null_option")


def _jsonable(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def describe_variable(name: str, var, record) -> dict:
    data = {
        "name": name,
        "type": type(var).__name__,
        "label": var.label or name.replace("_", " ").capitalize(),
        "help_text": var.description,
        "required": bool(var.required),
        "default": _jsonable(var.initial(record)),
    }
    if hasattr(var, "choices"):
        data["choices"] = [[_jsonable(value), str(label)] for value, label in var.choices]
    if getattr(var, "model", None) is not None:
        try:
            data["model"] = object_type_of(var.model)
        except ValueError:
            data["model"] = var.model.__name__
    for option in _OPTIONS:
        value = getattr(var, option, None)
        if value not in (None, {}):
            data[option] = _jsonable(value)
    return data


@api_route("/extras/jobs/<job_key:job_key>/variables/", tag="jobs", response="JobVariableList", errors=(400, 404, 503),
           summary="The job's input variables, in form order (by id, class path or name).")
def job_variables(job_key):
    record = find_job(job_key, VIEW)
    job_class = loaded_job_class(record)
    return render([describe_variable(name, var, record) for name, var in job_class._get_vars().items()])
