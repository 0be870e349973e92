"""Text from a query string or a form turned into a field's value, with a sentence when it cannot be."""

from __future__ import annotations

import datetime
import decimal
import uuid

__all__ = ["parse_boolean", "parse_date", "parse_datetime", "parse_decimal", "parse_float", "parse_integer",
           "parse_uuid"]

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise ValueError(f"\u201c{text}\u201d is not a valid boolean; use true or false.")


def parse_integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"\u201c{text}\u201d is not a whole number.") from None


def parse_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise ValueError(f"\u201c{text}\u201d is not a valid UUID.") from None


def parse_datetime(text: str) -> datetime.datetime:
    """ISO 8601 date or time; aware values are converted to the stored naive UTC."""
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ValueError(f"\u201c{text}\u201d is not a valid ISO 8601 date or time.") from None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"\u201c{text}\u201d is not a valid date (YYYY-MM-DD).") from None


def parse_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"\u201c{text}\u201d is not a number.") from None


def parse_decimal(text: str) -> decimal.Decimal:
    try:
        return decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise ValueError(f"\u201c{text}\u201d is not a number.") from None
