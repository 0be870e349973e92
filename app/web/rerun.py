"""Turning a stored result's inputs back into submit() input for Re-run."""

from __future__ import annotations

from app.catalog import job_class_for
from app.jobs.fields import InMemoryFile
from app.jobs.vars import FileVar
from app.models import FileProxy


def rerun_inputs(record, result) -> tuple[dict, dict]:
    """(data, files): the serialized inputs, with uploaded files read back from their FileProxy rows."""
    data = dict(result.task_kwargs or {})
    files = {}
    job_class = job_class_for(record)
    for name, var in job_class._get_vars().items():
        if not isinstance(var, FileVar):
            continue
        file_id = data.pop(name, None)
        proxy = FileProxy.get_or_none(FileProxy.id == file_id) if file_id else None
        if proxy is not None:
            files[name] = InMemoryFile(bytes(proxy.content), proxy.name)
    return data, files
