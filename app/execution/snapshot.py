"""What a job process inherits from its supervisor, read before the fork so it needs no query.

``load_run(result_id)`` is the result with its job record and user attached (so ``result.job_record``,
``result.user`` and a job's ``self.job_model`` need no query), read in one statement whose SQL is
rendered once per process. ``load_input_files(result_id, data)`` reads the run's uploads.
"""

from __future__ import annotations

from peewee import JOIN

from app.db import Prepared
from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from app.models import User

__all__ = ["load_input_files", "load_run"]

_MODELS = (JobResult, JobRecord, User)

_SELECT_RUN = Prepared(lambda p: (
    JobResult.select(*(field for model in _MODELS for field in model._meta.sorted_fields))
    .join_from(JobResult, JobRecord, JOIN.LEFT_OUTER)
    .join_from(JobResult, User, JOIN.LEFT_OUTER)
    .where(JobResult.id == p)
))


def load_run(result_id) -> JobResult | None:
    """The result with its job record and user (or None where they are gone), or None."""
    rows = _SELECT_RUN.execute(JobResult.id.db_value(result_id)).fetchall()
    if not rows:
        return None
    values = iter(rows[0])
    result, record, user = (_instance(model, values) for model in _MODELS)
    if record is not None:
        result.job_record = record
    if user is not None:
        result.user = user
    return result


def _instance(model, values):
    fields = model._meta.sorted_fields
    # values is a slice of a wider joined row: it may run past this model's fields.
    data = {field.name: field.python_value(value) for field, value in zip(fields, values)}  # noqa: B905
    if data[model._meta.primary_key.name] is None:
        return None  # no row joined
    return model(**data)


def load_input_files(result_id, data: dict) -> dict[str, tuple[str, bytes]]:
    """A run's uploads, {FileProxy id: (name, content)}, read without knowing the job's variables.

    Only inputs that look like a FileProxy id (a UUID string) can be uploads: runs without any cost
    no query.
    """
    if not any(_looks_like_uuid(value) for value in data.values()):
        return {}
    query = (
        FileProxy.select(FileProxy.id, FileProxy.name, FileProxy.content)
        .where((FileProxy.job_result == result_id) & (FileProxy.purpose == FileProxy.PURPOSE_INPUT))
        .tuples()
    )
    return {str(file_id): (name, bytes(content)) for file_id, name, content in query}


def _looks_like_uuid(value) -> bool:
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4
