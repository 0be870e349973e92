"""JSON responses: compact by default, pretty when the Accept header asks for ``indent``."""

from __future__ import annotations

import datetime
import json
import uuid

from flask import Response
from flask import g


def _default(value):
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, (uuid.UUID, datetime.date)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def format_datetime(value: datetime.datetime | None) -> str | None:
    """Stored naive-UTC times as ISO 8601 with a ``Z``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def render(data, status: int = 200, headers=None) -> Response:
    indent = g.get("api_indent")
    separators = None if indent else (",", ":")
    body = json.dumps(data, indent=indent, separators=separators, default=_default, ensure_ascii=False)
    return Response(body + ("\n" if indent else ""), status=status, headers=headers,
                    mimetype="application/json")
