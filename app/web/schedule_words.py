"""A scheduled job's interval and approval state in words for the pages ("Daily at 02:30 UTC",
"Awaiting approval"), instead of the stored codes (``daily``, ``not-required``)."""

from __future__ import annotations

import datetime

from app.scheduling.times import zone
from app.scheduling.times import zoned

APPROVAL_WORDS = {
    "not-required": "Not required",
    "awaiting": "Awaiting approval",
    "approved": "Approved",
    "denied": "Denied",
}


def _wall_clock(row) -> datetime.datetime:
    name = row.time_zone or "UTC"
    return row.start_time.replace(tzinfo=datetime.timezone.utc).astimezone(zone(name))


def _clock(local: datetime.datetime, row) -> str:
    name = row.time_zone or "UTC"
    return f"{local:%H:%M} {'UTC' if name == 'UTC' else local.tzname()}"


def interval_words(row) -> str:
    """When ``row`` runs, in the zone its daily, weekly and crontab times are evaluated in."""
    interval = str(row.interval)
    if interval == "immediately":
        return "At once, when approved" if row.approval_state in ("awaiting", "denied") else "At once"
    if interval == "future":
        return f"Once, at {zoned(row.start_time, row.time_zone)}"
    if interval == "hourly":
        return f"Hourly from {zoned(row.start_time, row.time_zone)}"
    if interval == "daily":
        return f"Daily at {_clock(_wall_clock(row), row)}"
    if interval == "weekly":
        local = _wall_clock(row)
        return f"Weekly on {local:%A} at {_clock(local, row)}"
    return f"Crontab {row.crontab} ({row.time_zone or 'UTC'})"


def approval_words(state) -> str:
    return APPROVAL_WORDS.get(str(state), str(state))
