"""``jobdeck runjob --schedule-at / --crontab / --schedule-name``, and approval-required jobs from the CLI."""

from __future__ import annotations

import datetime

from app.models import JobResult
from app.models.schedules import ScheduledJob
from tests.conftest import enable
from tests.factories import make_user
from tests.test_cli import cli  # noqa: F401,F811
from tests.test_cli import use_environment

HELLO = "hello_jobs.HelloJobs"


def in_hours(hours: float) -> str:
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)).isoformat()


def test_schedule_at_creates_a_one_off_and_exits_0(jobdeck, monkeypatch, cli):  # noqa: F811
    enable(HELLO)
    use_environment(jobdeck, monkeypatch)
    code, out, err = cli("runjob", HELLO, "--data", '{"person_name": "Ada"}', "--schedule-at", in_hours(1),
                         "--schedule-name", "Soon")
    assert code == 0, err
    row = ScheduledJob.get()
    assert f"Scheduled job {row.id} \u201cSoon\u201d: future, next run" in out and "UTC" in out
    assert row.task_kwargs["person_name"] == "Ada" and JobResult.select().count() == 0


def test_crontab_creates_a_recurring_schedule(jobdeck, monkeypatch, cli):  # noqa: F811
    enable(HELLO)
    use_environment(jobdeck, monkeypatch)
    monkeypatch.setenv("JOBDECK_TIME_ZONE", "Europe/Berlin")
    code, out, _ = cli("runjob", HELLO, "--crontab", "30 2 * * *")
    assert code == 0
    row = ScheduledJob.get()
    assert (row.interval, row.crontab, row.time_zone) == ("custom", "30 2 * * *", "Europe/Berlin")
    assert "02:30:00 CE" in out  # CET or CEST, whichever applies to the next run


def test_bad_schedules_exit_2_naming_the_flag(jobdeck, monkeypatch, cli):  # noqa: F811
    enable(HELLO)
    use_environment(jobdeck, monkeypatch)
    code, _, err = cli("runjob", HELLO, "--schedule-at", "2001-01-01T00:00Z")
    assert code == 2 and "--schedule-at: The start time is in the past" in err
    code, _, err = cli("runjob", HELLO, "--crontab", "61 * * * *")
    assert code == 2 and "--crontab: This crontab is not valid" in err
    code, _, err = cli("runjob", "--local", HELLO, "--crontab", "* * * * *")
    assert code == 2 and "drop --local" in err
    enable("simple_greeting.SimpleGreetingJob")
    code, _, err = cli("runjob", "simple_greeting.SimpleGreetingJob", "--schedule-at", in_hours(1))
    assert code == 2 and "sensitive variables" in err
    assert ScheduledJob.select().count() == 0


def test_an_approval_required_job_becomes_a_request(jobdeck, monkeypatch, cli):  # noqa: F811
    record = enable(HELLO)
    record.approval_required = True
    record.save()
    make_user("ann", superuser=True)
    use_environment(jobdeck, monkeypatch)
    code, out, _ = cli("runjob", "--username", "ann", HELLO)
    assert code == 0 and "awaits approval" in out
    assert ScheduledJob.get().approval_state == "awaiting" and JobResult.select().count() == 0
    code, _, err = cli("runjob", "--local", HELLO)
    assert code == 2 and "requires approval" in err


def test_runjob_says_when_an_approval_required_job_runs_as_an_unapproved_dry_run(jobdeck, monkeypatch, cli):  # noqa: F811
    """Without --commit, runjob turns the DryRunVar on, and a dry run needs no approval: it runs at once.
    Someone who expected a request awaiting approval must be told, before the log starts."""
    import json

    from tests.test_approvals import CHANGE_WINDOW
    from tests.test_approvals import install_approval_jobs

    install_approval_jobs(jobdeck)
    make_user("ann", superuser=True)
    use_environment(jobdeck, monkeypatch)
    code, out, _ = cli("runjob", "--username", "ann", "--data", json.dumps({"device": "core-1"}),
                       "--timeout", "0.2", CHANGE_WINDOW)
    assert ScheduledJob.select().count() == 0 and JobResult.get().options.get("unapproved_dry_run")
    assert "Dry run, not approved" in out and "--commit" in out
