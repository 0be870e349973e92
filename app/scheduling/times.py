"""Due times of a schedule, computed with an explicit ``now`` so tests control the clock.

Times are stored as naive UTC. Hourly schedules step by 3600 s from their start time; daily and
weekly ones repeat the start time's wall-clock time in the schedule's zone, and custom crontabs are
evaluated in that zone with cronsim (chosen over croniter: no dependencies, and its documented
daylight-saving rule is the one we want: a time skipped by spring-forward runs once at the first
valid time after it, a time repeated by fall-back runs once).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from cronsim import CronSim
from cronsim import CronSimError

from app.models.schedules import Interval

__all__ = ["Schedule", "crontab_error", "first_run", "next_after", "slots_from", "to_utc", "zone", "zoned"]

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
_TINY = datetime.timedelta(microseconds=1)


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo of ``name``; ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (use a name such as UTC or Europe/Berlin)") from None


def to_utc(moment: datetime.datetime, time_zone: str = "UTC") -> datetime.datetime:
    """Naive UTC for ``moment``; a naive ``moment`` is read as wall-clock time in ``time_zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(time_zone))
    return moment.astimezone(UTC).replace(tzinfo=None)


def zoned(value: datetime.datetime | None, time_zone: str | None = None) -> str:
    """A stored (naive UTC) time in ``time_zone`` (default ``JOBDECK_TIME_ZONE``), carrying its zone:
    the pages' ``|zoned`` filter and the CLI's output."""
    if not value:
        return "\u2014"
    from app.config import get_config

    name = time_zone or get_config().time_zone
    local = value.replace(tzinfo=UTC).astimezone(zone(name))
    return f"{local:%Y-%m-%d %H:%M:%S} {'UTC' if name == 'UTC' else local.tzname()}"


def crontab_error(expression: str) -> str | None:
    """Why ``expression`` is not a valid 5-field crontab, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return (f"A crontab has 5 fields (minute hour day-of-month month day-of-week), e.g. \u201c30 2 * * *\u201d; "
                f"this one has {len(fields)}.")
    try:
        CronSim(" ".join(fields), datetime.datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        return f"This crontab is not valid: {str(exc).rstrip('.')}."
    return None


@dataclasses.dataclass(frozen=True)
class Schedule:
    """When a ScheduledJob runs (its due-time fields; ``start_time`` naive UTC)."""

    interval: Interval
    start_time: datetime.datetime
    crontab: str = ""
    time_zone: str = "UTC"

    @classmethod
    def of(cls, row) -> Schedule:
        return cls(Interval(row.interval), row.start_time, row.crontab, row.time_zone)

    @property
    def recurring(self) -> bool:
        return self.interval.recurring

    def _cron(self) -> tuple[str, datetime.timedelta]:
        """The crontab this schedule follows, and the seconds its slots carry past the minute."""
        if self.interval == Interval.CUSTOM:
            return self.crontab, datetime.timedelta(0)
        local = self.start_time.replace(tzinfo=UTC).astimezone(zone(self.time_zone))
        weekday = "*" if self.interval == Interval.DAILY else str((local.weekday() + 1) % 7)  # cron: 0 is Sunday
        offset = datetime.timedelta(seconds=local.second, microseconds=local.microsecond)
        return f"{local.minute} {local.hour} * * {weekday}", offset


def slots_from(schedule: Schedule, moment: datetime.datetime):
    """The schedule's due times at or after ``moment`` (naive UTC), in order; one-offs have one."""
    start = schedule.start_time
    if not schedule.recurring:
        if start >= moment:
            yield start
        return
    if schedule.interval == Interval.HOURLY:
        step = max(0, math.ceil((moment - start) / HOUR))
        while True:
            yield start + step * HOUR
            step += 1
    if schedule.interval != Interval.CUSTOM and start >= moment:
        yield start  # the first run is the start time itself
        moment = start + _TINY
    moment = max(moment, start)
    expression, offset = schedule._cron()
    tz = zone(schedule.time_zone)
    # cronsim yields times strictly after its start, at whole minutes.
    begin = (moment - offset - _TINY).replace(tzinfo=UTC).astimezone(tz)
    for local in CronSim(expression, begin):
        yield local.astimezone(UTC).replace(tzinfo=None) + offset


def first_run(schedule: Schedule) -> datetime.datetime | None:
    """The first due time: the start time, or for a custom crontab its first time from the start time."""
    return next(slots_from(schedule, schedule.start_time), None)


def next_after(schedule: Schedule, moment: datetime.datetime) -> datetime.datetime | None:
    """The first due time strictly after ``moment``; None for a one-off."""
    return next(slots_from(schedule, moment + _TINY), None)
