"""Runs end to end through a real worker process: examples, time limits, crashes, cancellation.

Every test submits through ``app.execution.submit.submit`` (as the web, API and CLI do) to a real
``run_worker()`` subprocess and reads what the forked job process stored.
"""

from __future__ import annotations

import io
import time

import pytest
from werkzeug.datastructures import FileStorage

from app.execution.cancel import request_cancel
from app.execution.reaper import pid_alive
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.fields import InMemoryFile
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from tests.conftest import enable
from tests.support.worker import log_messages
from tests.support.worker import sleeper_pid
from tests.support.worker import wait_for_result
from tests.support.worker import wait_for_status


def run(class_path, data=None, files=None, *, timeout=20):
    result = submit(JobRecord.get_for_class_path(class_path), None, data or {}, files)
    return wait_for_result(result.id, timeout=timeout)


def entries(result):
    query = JobLogEntry.select().where(JobLogEntry.job_result == result.id).order_by(JobLogEntry.id)
    return [(entry.log_level, entry.grouping, entry.message) for entry in query]


def files_of(result, purpose=FileProxy.PURPOSE_OUTPUT):
    query = FileProxy.select().where((FileProxy.job_result == result.id) & (FileProxy.purpose == purpose))
    return {proxy.name: bytes(proxy.content) for proxy in query}


def set_limits(class_path, soft=None, hard=None):
    record = enable(class_path)
    if soft is not None:
        record.soft_time_limit, record.soft_time_limit_override = soft, True
    if hard is not None:
        record.time_limit, record.time_limit_override = hard, True
    record.save()
    return record


# -- the examples -----------------------------------------------------------------------------------


def test_hello_jobs_runs_on_the_worker(jobdeck, worker):
    enable("hello_jobs.HelloJobs")
    result = run("hello_jobs.HelloJobs", {"person_name": "Ada", "greeting_count": 2})
    assert result.status == Status.STATUS_SUCCESS and result.traceback is None
    assert result.worker == worker.name
    assert result.date_created <= result.date_started <= result.date_done
    assert entries(result) == [
        ("info", "initialization", "Running job"),
        ("info", "run", "Hello, Ada! (1)"),
        ("info", "run", "Hello, Ada! (2)"),
        ("success", "post_run", "Job completed"),
    ]
    assert result.log_count == 4


def test_check_occasion_both_branches_and_the_exception(jobdeck, worker):
    enable("check_occasion.CheckOccasion")
    record = JobRecord.get_for_class_path("check_occasion.CheckOccasion")
    submitted = [submit(record, None, {"occasion": occasion}) for occasion in
                 ("Taco Tuesday", "Taco Monday", "Burrito Friday")]
    tuesday, monday, burrito = (wait_for_result(result.id) for result in submitted)

    assert tuesday.status == Status.STATUS_SUCCESS and tuesday.result == "Taco Tuesday"
    assert ("info", "run", "Perfect! Today is Taco Tuesday") in entries(tuesday)

    assert monday.status == Status.STATUS_FAILURE and monday.traceback is None
    assert ("failure", "run", "It's supposed to be Tuesday!") in entries(monday)
    assert ("info", "run", "Perfect! Today is Taco Monday") in entries(monday)  # fail() lets run() go on

    assert burrito.status == Status.STATUS_FAILURE and burrito.result is None
    assert "Exception: Input validation failed." in burrito.traceback
    assert ("error", "run", "Occasion must begin with 'Taco'") in entries(burrito)


def test_lunch_order_summary_missing_order_and_bad_quantity(jobdeck, worker):
    enable("lunch_order.LunchOrder")
    summary = run("lunch_order.LunchOrder", {"order": "taco", "quantity": 2})
    assert summary.status == Status.STATUS_SUCCESS and summary.result == "Order summary: 2 x taco"
    assert ("info", "run", "Order received: 2 x taco") in entries(summary)

    missing = run("lunch_order.LunchOrder")
    assert missing.status == Status.STATUS_FAILURE and missing.traceback is None
    assert ("failure", "run", "No order provided.") in entries(missing)

    zero = run("lunch_order.LunchOrder", {"order": "taco", "quantity": 0})
    assert zero.status == Status.STATUS_FAILURE
    assert "ValueError: Quantity must be greater than zero." in zero.traceback


def test_export_text_stores_its_file(jobdeck, worker):
    enable("export_text.ExportText")
    result = run("export_text.ExportText")
    assert result.status == Status.STATUS_SUCCESS
    assert files_of(result) == {"output.txt": b"Export completed successfully."}
    assert ("info", "run", "File has been created for download.") in entries(result)


def test_read_csv_gets_the_uploaded_file_and_drops_it_afterwards(jobdeck, worker):
    enable("read_csv.ReadCSVJob")
    upload = FileStorage(io.BytesIO(b"hostname,ip_address\nams01,192.0.2.1\nlon02,192.0.2.2\n"),
                         filename="devices.csv", content_type="text/csv")
    result = run("read_csv.ReadCSVJob", files={"input_file": upload})
    assert result.status == Status.STATUS_SUCCESS
    assert log_messages(result.id)[1:3] == [
        "Hostname: ams01, IP Address: 192.0.2.1",
        "Hostname: lon02, IP Address: 192.0.2.2",
    ]
    assert files_of(result, FileProxy.PURPOSE_INPUT) == {}  # uploads live only for the run


def test_compass_and_json_var(jobdeck, worker):
    enable("compass.CompassJob")
    enable("json_example.ExampleJSONVarJob")
    compass = run("compass.CompassJob", {"direction": "w"})
    assert compass.status == Status.STATUS_SUCCESS
    assert ("info", "run", "You chose to go: West") in entries(compass)
    parsed = run("json_example.ExampleJSONVarJob", {"var1": '{"key1": "value1"}'})
    assert parsed.status == Status.STATUS_SUCCESS
    assert ("info", "run", "The value of key1 is: value1") in entries(parsed)


def test_everything_job_every_variable_and_lifecycle_method(jobdeck, worker):
    enable("everything.ExampleEverythingJob")
    hello = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    result = run("everything.ExampleEverythingJob", {
        "example_string": "a string",
        "example_choice": "b",
        "example_file": InMemoryFile(b"uploaded contents", "upload.txt"),
        "example_json": {"nested": [1, 2]},
        "example_integer": 7,
        "example_boolean": True,
        "dryrun": True,
        "example_multi_choice": ["x", "z"],
        "example_job": str(hello.id),
        "example_jobs": [str(hello.id)],
        "example_ip": "192.0.2.1",
        "example_ip_with_mask": "192.0.2.1/24",
        "example_network": "10.0.0.0/8",
    })
    assert result.status == Status.STATUS_SUCCESS and result.result == "Done!"
    assert entries(result)[1:] == [
        ("info", "before_start", "Before starting job."),
        ("info", "run", "Received string: a string"),
        ("info", "run", "Choice selected: b"),
        ("info", "run", "Hello from a YAML file (3 sites)"),
        ("info", "run", "Network 10.0.0.0/8 has 16777216 addresses"),
        ("info", "run", "Picked job Say Hello"),
        ("warning", "run", "Dry run: nothing would be changed."),
        ("success", "on_success", "Job completed successfully."),
        ("info", "after_return", "Finished with status SUCCESS."),
        ("success", "post_run", "Job completed"),
    ]
    assert files_of(result) == {"copy.txt": b"uploaded contents"}
    assert result.task_kwargs["example_multi_choice"] == ["x", "z"]


# -- time limits ------------------------------------------------------------------------------------


def test_soft_time_limit_raises_inside_the_job_which_cleans_up(jobdeck, worker):
    set_limits("time_limits.ExampleJobWithSoftTimeLimit", soft=1)
    result = run("time_limits.ExampleJobWithSoftTimeLimit")
    assert result.status == Status.STATUS_FAILURE
    assert "SoftTimeLimitExceeded" in result.traceback
    assert ("warning", "run", "Soft time limit reached; cleaning up in a hurry.") in entries(result)
    assert files_of(result) == {"partial.txt": b"cleanup done"}
    assert 0.9 < (result.date_done - result.date_started).total_seconds() < 10


def test_soft_time_limit_not_caught_fails_the_job(fixture_jobs, worker):
    enable("soft_limit_uncaught.SoftLimitUncaught")
    result = run("soft_limit_uncaught.SoftLimitUncaught")
    assert result.status == Status.STATUS_FAILURE
    assert "SoftTimeLimitExceeded: soft time limit (0.5s) exceeded" in result.traceback
    assert ("success", "post_run", "Job completed") not in entries(result)


def test_hard_time_limit_kills_the_job_and_keeps_its_log(jobdeck, worker):
    set_limits("time_limits.ExampleJobWithHardTimeLimit", hard=1)
    result = run("time_limits.ExampleJobWithHardTimeLimit")
    assert result.status == Status.STATUS_ERRORED
    assert "time limit exceeded (1s)" in result.traceback
    logged = entries(result)
    assert logged[0] == ("info", "initialization", "Running job")  # written before the kill
    assert logged[-1][:2] == ("error", "supervisor") and "Time limit exceeded (1s)" in logged[-1][2]
    assert 0.9 < (result.date_done - result.date_started).total_seconds() < 10


def test_hard_limit_not_above_soft_limit_logs_a_warning(fixture_jobs, worker):
    enable("limits_misordered.LimitsMisordered")
    result = run("limits_misordered.LimitsMisordered")
    assert result.status == Status.STATUS_SUCCESS
    warnings = [message for level, _, message in entries(result) if level == "warning"]
    assert len(warnings) == 1 and "is not greater than soft_time_limit" in warnings[0]


# -- crashes, broken modules, source edits, disabled jobs ------------------------------------------


def test_a_job_process_that_exits_is_errored_with_its_exit_code(fixture_jobs, worker):
    enable("crash_exit.CrashExit")
    result = run("crash_exit.CrashExit")
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback == "the job process exited with code 3"
    assert ("info", "run", "About to exit abruptly.") in entries(result)


def test_a_job_process_killed_by_a_signal_is_errored_with_the_signal(fixture_jobs, worker):
    enable("crash_segfault.CrashSegfault")
    enable("noop.Noop")
    result = run("crash_segfault.CrashSegfault")
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback == "the job process was killed by signal SIGSEGV"
    assert ("info", "run", "About to crash.") in entries(result)
    assert run("noop.Noop").status == Status.STATUS_SUCCESS  # the worker carries on
    assert worker.alive


def test_a_broken_module_does_not_stop_the_others(fixture_jobs, worker):
    assert "bad_import" in worker.output() and "jobdeck_module_that_does_not_exist" in worker.output()
    assert not JobRecord.select().where(JobRecord.module_name == "bad_import").exists()
    enable("noop.Noop")
    assert run("noop.Noop").status == Status.STATUS_SUCCESS


def test_a_source_edit_takes_effect_on_the_next_run_without_a_restart(fixture_jobs, worker):
    enable("versioned.Versioned")
    assert run("versioned.Versioned").result == "version 1"
    path = fixture_jobs.jobs_root / "versioned.py"
    path.write_text(path.read_text().replace('"version 1"', '"version 2, edited"'))
    second = run("versioned.Versioned")
    assert second.result == "version 2, edited"
    assert ("info", "run", "Running version 2, edited.") in entries(second)


@pytest.mark.parametrize("change, reason", [
    ("disable", "is not enabled"),
    ("uninstall", "is not installed"),
    ("delete", "has been deleted"),
])
def test_a_job_that_cannot_run_any_more_when_its_turn_comes_does_not_run(fixture_jobs, worker_factory,
                                                                           change, reason):
    record = enable("noop.Noop")
    result = submit(record, None, {})  # no worker yet: it waits in the queue
    if change == "delete":
        record.delete_instance()
    elif change == "uninstall":
        (fixture_jobs.jobs_root / "noop.py").unlink()  # the worker's start-up sync notices
    else:
        record.enabled = False
        record.save()
    worker_factory()
    result = wait_for_result(result.id)
    assert result.status == Status.STATUS_ERRORED and reason in result.traceback
    assert result.date_started is None and entries(result) == []


# -- cancellation -----------------------------------------------------------------------------------


def test_a_pending_run_cancelled_before_a_worker_takes_it_never_runs(fixture_jobs, worker_factory):
    sleeper = enable("sleeper.Sleeper")
    noop = enable("noop.Noop")
    cancelled = submit(sleeper, None, {"milliseconds": 10})
    assert request_cancel(cancelled.id) is True
    assert request_cancel(cancelled.id) is False  # already finished
    worker_factory()
    after = wait_for_result(submit(noop, None, {}).id)  # queued behind the cancelled one
    assert after.status == Status.STATUS_SUCCESS
    cancelled = JobResult.get_by_id(cancelled.id)
    assert cancelled.status == Status.STATUS_REVOKED and cancelled.date_started is None
    assert log_messages(cancelled.id) == ["Cancelled before it started."]


def test_cancelling_a_running_job_kills_its_process(fixture_jobs, worker):
    enable("sleeper.Sleeper")
    result = submit(JobRecord.get_for_class_path("sleeper.Sleeper"), None, {"milliseconds": 60_000})
    wait_for_status(result.id, Status.STATUS_STARTED)
    child = sleeper_pid(result.id)
    assert request_cancel(result.id) is True
    deadline = time.monotonic() + 3
    while pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not pid_alive(child)
    time.sleep(0.3)  # the supervisor must leave the status alone
    result = JobResult.get_by_id(result.id)
    assert result.status == Status.STATUS_REVOKED
    assert "Woke up." not in log_messages(result.id)
    enable("noop.Noop")
    assert run("noop.Noop").status == Status.STATUS_SUCCESS


# -- logs -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_100000_log_lines_are_all_stored_in_order(fixture_jobs, worker):
    enable("many_logs.ManyLogs")
    result = run("many_logs.ManyLogs", {"count": 100_000}, timeout=60)
    assert result.status == Status.STATUS_SUCCESS and result.result == 100_000
    messages = log_messages(result.id)
    assert messages[1:-1] == [f"line {number}" for number in range(100_000)]
    assert result.log_count == len(messages) == 100_002


# -- what the job process sends its supervisor ------------------------------------------------------

PIPE_JOBS = '''
import os
import time

from app.db import database
from app.execution.events import FILE
from app.execution.events import encode
from app.jobs import Job, StringVar, register_jobs


class DiesMidMessage(Job):
    """Logs 300 lines, writes half of a message on its pipe, then exits or hangs."""

    class Meta:
        has_sensitive_variables = False

    how = StringVar(default="exit")

    def run(self, *, how):
        for number in range(300):
            self.logger.info("line %d", number)
        message = encode(FILE, ("00000000-0000-4000-8000-000000000001", "half.bin", b"x" * 50_000))
        os.write(self._context.sink.fd, message[: len(message) // 2])
        if how == "exit":
            os._exit(9)
        time.sleep(60)


class WhoAmI(Job):
    """Reads what it inherited: nothing here needs a query."""

    class Meta:
        description = "Reports what it sees."

    def run(self):
        self.logger.info("connected: %s", not database.is_closed())
        self.logger.info("result %s named %s", self.job_result.id, self.job_result.name)
        self.logger.info("user %s, request user %s", self.user.username, self.request.user.username)
        self.logger.info("model %s: %s", self.job_model.name, self.job_model.description)
        self.logger.info("connected: %s", not database.is_closed())
        self.logger.info("may run jobs: %s", self.user.has_perm("extras.run_job"))
        return str(self.job_result.id)


class LongFilesUntilSoftLimit(Job):
    """Creates 10,000-byte files (messages longer than one atomic write) until its soft limit strikes."""

    class Meta:
        soft_time_limit = 0.5
        time_limit = 20

    def run(self):
        count = 0
        try:
            while True:
                self.create_file(f"file-{count}.bin", b"%05d" % count * 2000)
                count += 1
        except Exception as exc:
            self.logger.warning("stopped by %s after %d files", type(exc).__name__, count)
        return count


register_jobs(DiesMidMessage, WhoAmI, LongFilesUntilSoftLimit)
'''


@pytest.fixture
def pipe_jobs(fixture_jobs):
    from app.catalog import sync_jobs

    (fixture_jobs.jobs_root / "pipe_jobs.py").write_text(PIPE_JOBS)
    sync_jobs(fixture_jobs.jobs_root)
    for name in ("DiesMidMessage", "WhoAmI", "LongFilesUntilSoftLimit"):
        enable(f"pipe_jobs.{name}")
    return fixture_jobs


def test_lines_logged_just_before_the_process_dies_are_kept_and_a_cut_message_is_dropped(pipe_jobs, worker):
    result = run("pipe_jobs.DiesMidMessage", {"how": "exit"})
    assert result.status == Status.STATUS_ERRORED and result.traceback == "the job process exited with code 9"
    messages = log_messages(result.id)
    assert messages[1:301] == [f"line {number}" for number in range(300)]
    assert messages[301:] == ["The job process exited with code 9."]
    assert result.log_count == 302 and files_of(result) == {}


def test_a_job_process_killed_mid_message_leaves_a_clean_result(pipe_jobs, worker):
    record = set_limits("pipe_jobs.DiesMidMessage", hard=1)
    result = wait_for_result(submit(record, None, {"how": "hang"}).id)
    assert result.status == Status.STATUS_ERRORED and "time limit exceeded (1s)" in result.traceback
    messages = [message for message in log_messages(result.id) if "soft_time_limit" not in message]
    assert messages[1:301] == [f"line {number}" for number in range(300)] and len(messages) == 302
    assert messages[-1].startswith("Time limit exceeded (1s)") and files_of(result) == {}


def test_a_job_reads_its_result_user_and_record_without_a_query(pipe_jobs, worker):
    from tests.factories import make_user

    user = make_user("ada", superuser=True)
    result = wait_for_result(submit(JobRecord.get_for_class_path("pipe_jobs.WhoAmI"), user, {}).id)
    assert result.status == Status.STATUS_SUCCESS and result.result == str(result.id)
    assert log_messages(result.id)[1:-1] == [
        "connected: False",
        f"result {result.id} named WhoAmI",
        "user ada, request user ada",
        "model WhoAmI: Reports what it sees.",
        "connected: False",
        "may run jobs: True",
    ]


def test_a_soft_limit_during_long_messages_leaves_every_file_whole(pipe_jobs, worker):
    result = run("pipe_jobs.LongFilesUntilSoftLimit", timeout=30)
    assert result.status == Status.STATUS_SUCCESS and result.result > 0
    assert f"stopped by SoftTimeLimitExceeded after {result.result} files" in log_messages(result.id)
    files = files_of(result)
    # The limit may strike while a file's message is on its way: that file is stored, and the job
    # gets SoftTimeLimitExceeded right after.
    assert len(files) in (result.result, result.result + 1)
    assert all(content == b"%05d" % int(name[5:-4]) * 2000 for name, content in files.items())


def test_lines_reach_the_database_while_the_job_runs(fixture_jobs, worker):
    enable("sleeper.Sleeper")
    result = submit(JobRecord.get_for_class_path("sleeper.Sleeper"), None, {"milliseconds": 3000})
    wait_for_status(result.id, Status.STATUS_STARTED)
    began = time.monotonic()
    sleeper_pid(result.id)  # its first line, read from the database
    assert time.monotonic() - began < 1.5
    assert JobResult.get_by_id(result.id).status == Status.STATUS_STARTED
    request_cancel(result.id)


def test_the_transition_table_refuses_what_it_does_not_allow(jobdeck):
    from app.execution.status import ALLOWED
    from app.execution.status import transition

    assert ALLOWED["SUCCESS"] == frozenset() and "STARTED" in ALLOWED["PENDING"]
    record = enable("hello_jobs.HelloJobs")
    result = JobResult.create(job_record=record, name=record.name, status="SUCCESS")
    with pytest.raises(ValueError, match="SUCCESS \u2192 STARTED is not an allowed status transition"):
        transition(result.id, "STARTED", from_="SUCCESS")
    assert transition(result.id, "REVOKED") is False  # finished: nothing moves it
    pending = JobResult.create(job_record=record, name=record.name, status="PENDING")
    assert transition(pending.id, "STARTED") is True
    assert JobResult.get_by_id(pending.id).status == "STARTED"
