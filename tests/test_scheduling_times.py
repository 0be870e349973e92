"""Due times with a controlled clock: each interval, crontabs, and daylight-saving changes."""

from __future__ import annotations

import datetime
import itertools

import pytest

from app.models.schedules import Interval
from app.scheduling.times import Schedule
from app.scheduling.times import crontab_error
from app.scheduling.times import first_run
from app.scheduling.times import next_after
from app.scheduling.times import slots_from
from app.scheduling.times import to_utc

D = datetime.datetime
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def take(schedule, moment, count):
    return list(itertools.islice(slots_from(schedule, moment), count))


def test_a_one_off_runs_once_at_its_start_time():
    schedule = Schedule(Interval.FUTURE, D(2030, 1, 1, 12, 0, 5))
    assert first_run(schedule) == D(2030, 1, 1, 12, 0, 5)
    assert next_after(schedule, D(2030, 1, 1, 12, 0, 5)) is None


def test_hourly_steps_an_hour_from_the_start_time_even_across_daylight_saving():
    schedule = Schedule(Interval.HOURLY, to_utc(D(2026, 3, 29, 1, 15), BERLIN), time_zone=BERLIN)
    slots = take(schedule, schedule.start_time, 3)
    assert [slot - schedule.start_time for slot in slots] == [datetime.timedelta(hours=h) for h in range(3)]
    assert next_after(schedule, D(2026, 3, 29, 0, 16)) == D(2026, 3, 29, 1, 15)


def test_daily_keeps_the_wall_clock_time_in_its_zone_across_daylight_saving():
    start = to_utc(D(2026, 3, 27, 9, 0), BERLIN)  # 08:00 UTC in winter
    schedule = Schedule(Interval.DAILY, start, time_zone=BERLIN)
    assert take(schedule, start, 4) == [D(2026, 3, 27, 8), D(2026, 3, 28, 8), D(2026, 3, 29, 7), D(2026, 3, 30, 7)]


def test_weekly_repeats_on_the_start_time_weekday():
    start = to_utc(D(2030, 1, 2, 6, 30), NEW_YORK)  # a Wednesday
    schedule = Schedule(Interval.WEEKLY, start, time_zone=NEW_YORK)
    slots = take(schedule, start, 3)
    assert [slot - start for slot in slots] == [datetime.timedelta(days=d) for d in (0, 7, 14)]


def test_a_crontab_is_evaluated_in_its_zone():
    schedule = Schedule(Interval.CUSTOM, D(2030, 6, 1), "0 9 * * 1-5", NEW_YORK)
    # 2030-06-01 is a Saturday: the first run is Monday 09:00 EDT (13:00 UTC).
    assert first_run(schedule) == D(2030, 6, 3, 13, 0)
    assert next_after(schedule, D(2030, 6, 3, 13, 0)) == D(2030, 6, 4, 13, 0)


def test_spring_forward_runs_a_skipped_time_once_at_the_first_valid_time():
    schedule = Schedule(Interval.CUSTOM, to_utc(D(2026, 3, 28, 3, 0), BERLIN), "30 2 * * *", BERLIN)
    slots = take(schedule, schedule.start_time, 3)
    local = [slot.replace(tzinfo=datetime.timezone.utc).astimezone(datetime.timezone(datetime.timedelta(hours=2)))
             for slot in slots]
    assert [moment.strftime("%m-%d %H:%M") for moment in local] == ["03-29 03:00", "03-30 02:30", "03-31 02:30"]


def test_fall_back_runs_a_repeated_time_once():
    schedule = Schedule(Interval.CUSTOM, to_utc(D(2026, 10, 24, 12, 0), BERLIN), "30 2 * * *", BERLIN)
    slots = take(schedule, schedule.start_time, 3)
    # 02:30 CEST (00:30 UTC) on the 25th, once; then 02:30 CET (01:30 UTC).
    assert slots == [D(2026, 10, 25, 0, 30), D(2026, 10, 26, 1, 30), D(2026, 10, 27, 1, 30)]


def test_daily_on_a_spring_forward_day_in_new_york():
    start = to_utc(D(2026, 3, 7, 2, 30), NEW_YORK)
    schedule = Schedule(Interval.DAILY, start, time_zone=NEW_YORK)
    slots = take(schedule, start, 3)
    # 2026-03-08 02:30 does not exist in New York: that day runs at 03:00 EDT (07:00 UTC).
    assert slots == [D(2026, 3, 7, 7, 30), D(2026, 3, 8, 7, 0), D(2026, 3, 9, 6, 30)]


@pytest.mark.parametrize("expression, fragment", [
    ("* * * *", "5 fields"),
    ("* * * * * *", "5 fields"),
    ("61 * * * *", "not valid"),
    ("* * * * mon-xyz", "not valid"),
])
def test_bad_crontabs_are_explained(expression, fragment):
    assert fragment in crontab_error(expression)


def test_good_crontabs_pass():
    assert crontab_error("*/15 2-4 1 * mon") is None


def test_the_time_zone_setting_is_validated():
    from app.config import ConfigError
    from app.config import from_environment

    assert from_environment(environ={"JOBDECK_TIME_ZONE": "Europe/Berlin"}).time_zone == "Europe/Berlin"
    with pytest.raises(ConfigError, match="JOBDECK_TIME_ZONE='Mars/Base' is not valid: not a known time zone"):
        from_environment(environ={"JOBDECK_TIME_ZONE": "Mars/Base"})


def test_times_carry_their_zone():
    from app.scheduling.times import zoned

    assert zoned(D(2030, 7, 1, 12, 0), "Europe/Berlin") == "2030-07-01 14:00:00 CEST"
    assert zoned(D(2030, 1, 1, 12, 0), "UTC") == "2030-01-01 12:00:00 UTC"
    assert zoned(None) == "\u2014"
