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
