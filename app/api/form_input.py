"""JSON bodies for the admin forms: types checked here, every other rule left to the form.

Users, groups and permissions are validated by the admin pages' WTForms forms, so the API and the
pages accept and refuse the same values (lengths, formats, uniqueness, choices). This module only
does what a form cannot: refuse a JSON value of the wrong type, then hand the form the values it
would have received from a browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from werkzeug.datastructures import MultiDict

from app.api.errors import ApiError

NO_CSRF = {"csrf": False}  # token-authenticated requests carry no CSRF token (see app/api/auth.py)


@dataclasses.dataclass(frozen=True)
class Kind:
    """A JSON type: ``check`` returns the value or raises ValueError; ``schema`` documents it."""

    check: Callable
    schema: dict


def _text(value):
    if not isinstance(value, str):
        raise ValueError("Not a valid string.")
    return value


def _flag(value):
    if not isinstance(value, bool):
        raise ValueError("Must be a valid boolean.")
    return value


def _ids(value):
    """A list of ids; an item may also be a nested object with an ``id`` (what GET answers)."""
    if not isinstance(value, list):
        raise ValueError("Expected a list of ids.")
    found = []
    for item in value:
        pk = item.get("id") if isinstance(item, dict) else item
        if isinstance(pk, str) and pk.isdigit():
            pk = int(pk)
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError(f"\u201c{item}\u201d is not an id.")
        found.append(pk)
    return found


def _texts(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("Expected a list of strings.")
    return value


TEXT = Kind(_text, {"type": "string"})
SECRET = Kind(_text, {"type": "string", "writeOnly": True})
FLAG = Kind(_flag, {"type": "boolean"})
_ID = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]}
IDS = Kind(_ids, {"type": "array", "items": {"anyOf": [
    _ID, {"type": "object", "properties": {"id": _ID}, "required": ["id"]}]}})
TEXTS = Kind(_texts, {"type": "array", "items": {"type": "string"}})
JSON = Kind(lambda value: value, {})


def read_body(body: dict, fields: dict, read_only, required=()) -> dict:
    """The writable values of a JSON body, type-checked; 400 ``{"field": ["message"]}`` otherwise.

    ``fields`` maps each writable field to its Kind. Read-only fields (what GET answers) are
    accepted and ignored so a client may send back what it read; other keys are refused.
    """
    errors, values = {}, {}
    for name, value in body.items():
        kind = fields.get(name)
        if kind is None:
            if name not in read_only:
                errors[name] = ["Unknown field."]
            continue
        try:
            values[name] = kind.check(value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    for name in required:
        if name not in body:
            errors.setdefault(name, ["This field is required."])
    if errors:
        raise ApiError(400, errors)
    return values


def formdata(values: dict) -> MultiDict:
    """Values as a browser would post them: a false checkbox is absent, a list is repeated."""
    data = MultiDict()
    for name, value in values.items():
        if value is True:
            data.add(name, "y")
        elif isinstance(value, list):
            for item in value:
                data.add(name, str(item))
        elif value is not None and value is not False:
            data.add(name, str(value))
    return data


def form_errors(form, rename=None) -> dict:
    """The form's errors keyed by API field (``rename`` maps form fields that differ)."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        errors.setdefault((rename or {}).get(name, name), []).extend(str(message) for message in messages)
    return errors
