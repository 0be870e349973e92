"""A run request's schedule, read from what a door sent and checked field by field.

Every door passes its raw schedule to ``app.execution.options.decide()``, which calls ``parse_schedule``:
the API's ``{"name", "interval", "start_time", "crontab"}`` object (multipart sends the same four
fields), the web form's fields, or the CLI's ``--schedule-at``/``--crontab``. Errors come back per
field, under ``schedule_name``, ``schedule_interval``, ``schedule_start_time`` and ``schedule_crontab``.
"""

from __future__ import annotations

import dataclasses
import datetime

from app.jobs.forms import JobDataError
from app.models.schedules import Interval
from app.scheduling.times import Schedule
from app.scheduling.times import crontab_error
from app.scheduling.times import to_utc

__all__ = ["ScheduleRequest", "parse_schedule"]

NAME_MAX = 200
INTERVALS = ", ".join(interval.value for interval in Interval)
SENSITIVE_REFUSED = ("This job has sensitive variables, so it cannot be scheduled or deferred: its inputs are "
                     "never stored. Run it now instead.")


@dataclasses.dataclass(frozen=True)
class ScheduleRequest:
    name: str
    schedule: Schedule


def _start_time(value, time_zone: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return to_utc(value, time_zone)
    if not isinstance(value, str):
        raise ValueError("Enter the start time as an ISO 8601 date and time, e.g. 2030-01-31T02:30.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"\u201c{value}\u201d is not a date and time; use ISO 8601, e.g. 2030-01-31T02:30 "
                         f"(read in {time_zone} unless it carries an offset).") from None
    return to_utc(moment, time_zone)


def parse_schedule(raw, record, *, now: datetime.datetime, time_zone: str) -> ScheduleRequest | None:
    """The requested schedule, or None to run now; JobDataError with a message per refused field.

    ``raw`` is None, an interval name, or a mapping with ``name``, ``interval``, ``start_time`` (ISO
    text or a datetime; naive means wall-clock time in ``time_zone``) and ``crontab``. ``now`` is
    naive UTC.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        raw = {"interval": raw}
    if not isinstance(raw, dict):
        raise JobDataError({"schedule": ["Expected an object with name, interval, start_time and crontab."]})
    errors: dict[str, list[str]] = {}
    try:
        interval = Interval(str(raw.get("interval") or Interval.IMMEDIATELY.value).strip())
    except ValueError:
        raise JobDataError({"schedule_interval": [f"{raw.get('interval')!r} is not an interval: use one of "
                                                  f"{INTERVALS}."]}) from None
    if interval == Interval.IMMEDIATELY:
        return None
    if record.has_sensitive_variables:
        raise JobDataError({"schedule_interval": [SENSITIVE_REFUSED]})
    name = raw.get("name") or ""
    if not isinstance(name, str):
        errors["schedule_name"] = ["Enter the schedule's name as text."]
    name = str(name).strip() or f"{record.name} ({interval.value})"
    if len(name) > NAME_MAX:
        errors["schedule_name"] = [f"Keep the schedule's name within {NAME_MAX} characters."]
    start = now
    given = raw.get("start_time")
    if given not in (None, ""):
        try:
            start = _start_time(given, time_zone)
        except ValueError as exc:
            errors["schedule_start_time"] = [str(exc)]
    elif interval == Interval.FUTURE:
        errors["schedule_start_time"] = ["Enter the time to run at: a one-off run in the future needs a start time."]
    if interval == Interval.FUTURE and "schedule_start_time" not in errors and start <= now:
        errors["schedule_start_time"] = ["The start time is in the past: choose a time in the future "
                                         "(or the interval \u201cimmediately\u201d to run now)."]
    crontab = raw.get("crontab") or ""
    if not isinstance(crontab, str):
        errors["schedule_crontab"] = ["Enter the crontab as text, e.g. \u201c30 2 * * *\u201d."]
        crontab = ""
    crontab = " ".join(crontab.split())
    if interval == Interval.CUSTOM:
        if not crontab:
            errors["schedule_crontab"] = ["A custom interval needs a crontab (5 fields), e.g. \u201c30 2 * * *\u201d."]
        elif crontab_error(crontab):
            errors["schedule_crontab"] = [crontab_error(crontab)]
    elif crontab and "schedule_crontab" not in errors:
        errors["schedule_crontab"] = [f"A crontab applies only to the interval \u201ccustom\u201d, not "
                                      f"\u201c{interval.value}\u201d."]
    if errors:
        raise JobDataError(errors)
    return ScheduleRequest(name, Schedule(interval, start, crontab if interval == Interval.CUSTOM else "", time_zone))
