"""Review findings on run inputs: uploads live only for the run, however the run ends."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from app.execution.cancel import request_cancel
from app.execution.submit import submit
from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from tests.conftest import enable


def test_an_upload_is_dropped_when_its_run_is_cancelled_before_it_started(jobdeck):
    enable("read_csv.ReadCSVJob")
    upload = FileStorage(io.BytesIO(b"hostname,ip_address\nams01,192.0.2.1\n"), filename="devices.csv",
                         content_type="text/csv")
    result = submit(JobRecord.get_for_class_path("read_csv.ReadCSVJob"), None, {}, {"input_file": upload})
    assert FileProxy.select().where(FileProxy.job_result == result.id).count() == 1  # no worker: still PENDING
    assert request_cancel(result.id)
    assert JobResult.get_by_id(result.id).status == "REVOKED"
    assert FileProxy.select().where(FileProxy.job_result == result.id).count() == 0


def test_a_deleted_schedule_takes_its_uploaded_inputs_with_it(jobdeck):
    from app.execution.admission import admit
    from app.execution.options import decide
    from app.models.schedules import ScheduledJob
    from tests.factories import login_as
    from tests.factories import make_app
    from tests.factories import make_user

    root = make_user("root", superuser=True)
    record = enable("read_csv.ReadCSVJob")
    upload = FileStorage(io.BytesIO(b"hostname,ip_address\nams01,192.0.2.1\n"), filename="devices.csv",
                         content_type="text/csv")
    options = decide(record, root, schedule={"interval": "daily"})
    row = admit(record, root, {}, {"input_file": upload}, options=options).scheduled_job
    assert FileProxy.select().count() == 1  # kept for the schedule's runs
    client = login_as(make_app(jobdeck), root)
    assert client.post(f"/scheduled-jobs/{row.id}/delete/").status_code == 302
    assert ScheduledJob.select().count() == 0
    assert FileProxy.select().count() == 0  # not an orphan upload kept forever
