"""The result page's Inputs box: stored inputs as rows, objects by their name with a link to their page."""

from __future__ import annotations

import dataclasses
import json

from app.catalog import job_class_for
from app.exceptions import JobLoadError
from app.jobs.object_vars import ObjectVar
from app.security import can


@dataclasses.dataclass(frozen=True)
class Shown:
    """One value as the page shows it: text, and the linked object's page when there is one."""

    text: str
    url: str = ""
    muted: bool = False


def job_variables(record) -> dict | None:
    """The job's variables by name, or None when its class cannot be loaded now."""
    if record is None:
        return None
    try:
        return job_class_for(record)._get_vars()
    except JobLoadError:
        return None


def input_rows(task_kwargs: dict, variables: dict | None, user) -> list[tuple[str, list[Shown]]]:
    """``[(name, [Shown, ...]), ...]`` in the stored order; ObjectVar ids become the objects' names."""
    rows = []
    for name, value in task_kwargs.items():
        var = (variables or {}).get(name)
        if isinstance(var, ObjectVar) and var.model is not None:
            rows.append((name, _objects(var.model, value, user)))
        else:
            rows.append((name, [_plain(value)]))
    return rows


def _plain(value) -> Shown:
    if value is None:
        return Shown("—", muted=True)
    return Shown(value if isinstance(value, str) else json.dumps(value, default=str))


def _objects(model, value, user) -> list[Shown]:
    keys = [key for key in (value if isinstance(value, list) else [value]) if key is not None]
    if not keys:
        return [Shown("—", muted=True)]
    found = {str(row.get_id()): row for row in model.select().where(model._meta.primary_key.in_(keys))}
    shown = []
    for key in keys:
        row = found.get(str(key))
        if row is None or not _may_view(user, row):
            # Gone since the run, or not the user's to see: its id only, never its name.
            shown.append(Shown(str(key), muted=True))
            continue
        url_of = getattr(row, "get_absolute_url", None)
        shown.append(Shown(str(row), url=url_of() if callable(url_of) else ""))
    return shown


def _may_view(user, row) -> bool:
    try:
        return can(user, "view", row)
    except ValueError:  # a model without an object type: no permission can grant it
        return getattr(user, "is_superuser", False)
