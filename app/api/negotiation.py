"""Content negotiation: the Accept header (media type, API version, indent), JSON in and out.

Clients written for Nautobot send ``application/json;`` (trailing semicolon), ``*/*``,
``application/json; version=2.4`` or the docs' ``application/json; version=1.3; indent=4``; all are
served. Jobdeck has one representation, so every supported version gets the same shapes and the
requested version is echoed in ``API-Version``.
"""

from __future__ import annotations

from flask import g
from flask import request

from app import json_input
from app.api.errors import ApiError

API_VERSION = "2.4"
# Nautobot's 1.x and 2.x API versions; anything else is refused with 406 as Nautobot does, since a
# client asking for a newer version expects fields Jobdeck does not have.
SUPPORTED_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "2.0", "2.1", "2.2", "2.3", "2.4")
_JSON_RANGES = {"application/json", "application/*", "*/*"}
MAX_INDENT = 8


def _media_ranges(header: str):
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        params = {}
        for part in parts[1:]:
            key, _, value = part.partition("=")
            if key.strip():
                params[key.strip().lower()] = value.strip().strip('"')
        yield media, params


def negotiate() -> None:
    """Read the Accept header into ``g.api_version`` and ``g.api_indent``; 406 when unservable."""
    g.api_version, g.api_indent = API_VERSION, None
    header = request.headers.get("Accept", "").strip()
    if not header:
        return
    ranges = [(media, params) for media, params in _media_ranges(header) if media in _JSON_RANGES]
    if not ranges:
        raise ApiError(406, "Could not satisfy the request Accept header.")
    for _media, params in ranges:
        if "version" in params:
            if params["version"] not in SUPPORTED_VERSIONS:
                raise ApiError(406, f'Invalid version in "Accept" header. Supported versions are '
                                    f'{", ".join(SUPPORTED_VERSIONS)}.')
            g.api_version = params["version"]
        if params.get("indent", "").isdigit():
            g.api_indent = min(int(params["indent"]), MAX_INDENT)
        break


def json_body() -> dict:
    """The request's JSON object ({} when the body is empty); 400/415 otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    refuse_mislabelled_json(raw)
    if request.mimetype not in ("application/json", "") and not request.mimetype.endswith("+json"):
        raise ApiError(415, f'Unsupported media type "{request.mimetype}" in request.')
    try:
        data = json_input.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"JSON parse error - {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


def is_multipart() -> bool:
    """A form body; JSON sent as a form (``curl -d`` without a Content-Type header) is refused with 415."""
    if request.mimetype == "application/x-www-form-urlencoded":
        refuse_mislabelled_json(request.get_data(cache=True))
    return request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")


def refuse_mislabelled_json(raw: bytes) -> None:
    """415 with a sentence saying what to send when a body that is JSON comes labelled as something else."""
    mimetype = request.mimetype
    if mimetype in ("application/json", "") or mimetype.endswith("+json") or raw.lstrip()[:1] not in (b"{", b"["):
        return  # JSON (no Content-Type is taken as JSON), or a body that does not even look like it
    try:
        json_input.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON after all: the caller judges it as what it claims to be
    raise ApiError(415, f"The request body is JSON but was sent as {mimetype}: send it with the header "
                        "\u201cContent-Type: application/json\u201d (curl: -H 'Content-Type: application/json').")
