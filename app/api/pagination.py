"""Limit/offset pages: ``{"count", "next", "previous", "results"}`` with absolute links.

As in Nautobot, ``limit=0`` asks for the largest page (pynautobot's threaded mode divides by that
page's length) and an unusable ``limit``/``offset`` falls back to the default.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
PAGE_PARAMETERS = ("limit", "offset")


def _non_negative(name: str, default: int) -> int:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


def page_window() -> tuple[int, int]:
    limit = _non_negative("limit", DEFAULT_LIMIT)
    return (MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)), _non_negative("offset", 0)


def _link(limit: int, offset: int | None) -> str:
    """This request's absolute URL, its filters kept, with a new limit and offset."""
    params = [(key, value) for key, value in request.args.items(multi=True) if key not in PAGE_PARAMETERS]
    params.append(("limit", str(limit)))
    if offset:
        params.append(("offset", str(offset)))
    return f"{request.base_url}?{urlencode(params)}"


def paginate(query, serialize, *, whole_page=False) -> dict:
    """One page of an ordered peewee select; ``serialize`` turns a row (or, with ``whole_page``, the
    page's list of rows, to batch related lookups) into JSON data."""
    limit, offset = page_window()
    count = query.order_by().count()
    rows = list(query.limit(limit).offset(offset))
    return {
        "count": count,
        "next": _link(limit, offset + limit) if offset + limit < count else None,
        "previous": _link(limit, max(offset - limit, 0)) if offset > 0 else None,
        "results": serialize(rows) if whole_page else [serialize(row) for row in rows],
    }
