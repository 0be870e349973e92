"""Validated inputs to and from their queued, JSON form.

Objects travel as primary keys, addresses as strings and uploaded files as FileProxy rows (so a worker
on another machine can read them); the job gets real objects back.
"""

from __future__ import annotations

from app.jobs.fields import InMemoryFile
from app.jobs.vars import FileVar
from app.models import FileProxy


def serialize_data(job_class, cleaned: dict, result) -> dict:
    """JSON-safe inputs; uploaded files are stored as input FileProxy rows of ``result``."""
    serialized = {}
    for name, var in job_class._get_vars().items():
        value = cleaned.get(name)
        if isinstance(var, FileVar):
            if value is None:
                serialized[name] = None
                continue
            content = value.getvalue() if hasattr(value, "getvalue") else value.read()
            proxy = FileProxy.create(job_result=result, name=value.name, content=content, size=len(content),
                                     purpose=FileProxy.PURPOSE_INPUT)
            serialized[name] = str(proxy.id)
        else:
            serialized[name] = var.serialize(value)
    return serialized


def deserialize_data(job_class, data: dict, result=None, files: dict | None = None) -> dict:
    """The keyword arguments for ``run()``; ``files`` holds uploads already read (snapshot.load_input_files)."""
    kwargs = {}
    for name, var in job_class._get_vars().items():
        value = data.get(name)
        if isinstance(var, FileVar):
            kwargs[name] = _input_file(value, files or {})
        else:
            kwargs[name] = var.deserialize(value)
    return kwargs


def _input_file(file_id, files: dict) -> InMemoryFile | None:
    if not file_id:
        return None
    if file_id in files:
        name, content = files[file_id]
        return InMemoryFile(content, name)
    proxy = FileProxy.get_or_none(FileProxy.id == file_id)
    return InMemoryFile(bytes(proxy.content), proxy.name) if proxy else None


def stored_inputs(job_class, row) -> tuple[dict, dict]:
    """(data, files) for submit() again from a row's stored inputs (a result's, for Re-run; a scheduled
    job's): the serialized values, with uploaded files read back from their FileProxy rows."""
    data = dict(row.task_kwargs or {})
    files = {}
    for name, var in job_class._get_vars().items():
        if not isinstance(var, FileVar):
            continue
        file_id = data.pop(name, None)
        proxy = FileProxy.get_or_none(FileProxy.id == file_id) if file_id else None
        if proxy is not None:
            files[name] = InMemoryFile(bytes(proxy.content), proxy.name)
    return data, files
