"""A real worker's dispatcher runs a schedule due a couple of seconds ahead, on time."""

from __future__ import annotations

import datetime
import time

import pytest

from app.db import utcnow
from app.execution.admission import admit
from app.execution.options import decide
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobResult
from app.models.schedules import ScheduledJob
from tests.conftest import enable
from tests.factories import make_user
from tests.support.worker import wait_for_result

pytestmark = pytest.mark.slow


def test_a_one_off_two_seconds_ahead_runs_within_a_second_of_its_time(jobdeck, worker):
    record = enable("hello_jobs.HelloJobs")
    due = utcnow() + datetime.timedelta(seconds=2)
    options = decide(record, make_user("root", superuser=True),
                     schedule={"interval": "future", "start_time": due.isoformat() + "Z"})
    row = admit(record, None, {"person_name": "Ada"}, options=options).scheduled_job
    deadline = due + datetime.timedelta(seconds=20)
    while not JobResult.select().where(JobResult.scheduled_job == row.id).exists():
        assert utcnow() < deadline, "the scheduled run never appeared"
        time.sleep(0.02)
    result = JobResult.get(JobResult.scheduled_job == row.id)
    result = wait_for_result(result.id)
    assert result.status == Status.STATUS_SUCCESS and result.scheduled_for == due
    assert result.date_started - due < datetime.timedelta(seconds=1)
    row = ScheduledJob.get_by_id(row.id)
    assert (row.next_run, row.total_run_count) == (None, 1)


def test_a_scheduled_run_reads_the_file_uploaded_with_the_request(jobdeck, worker):
    from app.jobs.fields import InMemoryFile
    from tests.support.worker import log_messages

    record = enable("read_csv.ReadCSVJob")
    upload = InMemoryFile(b"hostname,ip_address\nrouter1,192.0.2.1\n", "devices.csv")
    options = decide(record, None, schedule={"interval": "daily"})
    row = admit(record, None, {}, files={"input_file": upload}, options=options).scheduled_job
    deadline = utcnow() + datetime.timedelta(seconds=20)
    while not JobResult.select().where(JobResult.scheduled_job == row.id).exists():
        assert utcnow() < deadline, "the scheduled run never appeared"
        time.sleep(0.02)
    result = wait_for_result(JobResult.get(JobResult.scheduled_job == row.id).id)
    assert result.status == Status.STATUS_SUCCESS, result.traceback
    assert "Hostname: router1, IP Address: 192.0.2.1" in log_messages(result.id)
