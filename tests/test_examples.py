"""Tests for the example jobs shipped in jobs_root/, written the way a job author tests their jobs.

The ``job_environment`` fixture (from the ``jobdeck`` pytest plugin) gives each test a fresh database
with the jobs of ``jobdeck_jobs_root`` synced; ``run_job_for_testing`` runs one to its end.
"""

from __future__ import annotations

import re
from pathlib import Path

import netaddr
import pytest

from app.jobs import JobResultStatusChoices
from app.jobs import LogLevelChoices
from app.jobs.fields import InMemoryFile
from app.jobs.forms import JobDataError
from app.models import JobRecord
from app.testing import log_entries
from app.testing import log_messages
from app.testing import output_files
from app.testing import run_job_for_testing

SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


@pytest.fixture
def jobdeck_jobs_root():
    return Path(__file__).resolve().parent.parent / "jobs_root"


def run_messages(result, level=LogLevelChoices.LOG_INFO):
    """The job's own messages at one level (without the framework's "Running job")."""
    return [message for message in log_messages(result, level=level) if message != "Running job"]


# -- HelloJobs --------------------------------------------------------------------------------------


def test_hello_jobs_greets_the_default_person_once(job_environment):
    result = run_job_for_testing("hello_jobs.HelloJobs")
    assert result.status == SUCCESS
    assert ("info", "run", "Hello, world! (1)") in log_entries(result)
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").grouping == "Hello Jobs"


def test_hello_jobs_greets_as_many_times_as_asked(job_environment):
    result = run_job_for_testing("hello_jobs.HelloJobs", data={"person_name": "Ada", "greeting_count": 3})
    assert run_messages(result) == ["Hello, Ada! (1)", "Hello, Ada! (2)", "Hello, Ada! (3)"]


def test_hello_jobs_is_the_readme_example_and_keeps_its_inputs(job_environment):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = re.search(r"## Writing jobs.*?```python\n(.*?)```", readme, re.DOTALL).group(1)
    assert (job_environment.jobs_root / "hello_jobs.py").read_text() == example
    result = run_job_for_testing("hello_jobs.HelloJobs", data={"person_name": "Ada"})
    assert result.result == {"greeted": "Ada"}
    assert result.task_kwargs == {"person_name": "Ada", "greeting_count": 1}  # shown and re-runnable


def test_hello_jobs_refuses_zero_greetings(job_environment):
    with pytest.raises(JobDataError) as caught:
        run_job_for_testing("hello_jobs.HelloJobs", data={"greeting_count": 0})
    assert "greeting_count" in caught.value.errors


# -- CheckOccasion ----------------------------------------------------------------------------------


def test_check_occasion_taco_tuesday_succeeds(job_environment):
    result = run_job_for_testing("check_occasion.CheckOccasion", data={"occasion": "Taco Tuesday"})
    assert result.status == SUCCESS and result.result == "Taco Tuesday"
    assert run_messages(result) == ["Perfect! Today is Taco Tuesday"]


def test_check_occasion_wrong_day_fails_without_a_traceback_and_keeps_going(job_environment):
    result = run_job_for_testing("check_occasion.CheckOccasion", data={"occasion": "Taco Monday"})
    assert result.status == FAILURE and result.traceback is None
    assert ("failure", "run", "It's supposed to be Tuesday!") in log_entries(result)
    assert run_messages(result) == ["Perfect! Today is Taco Monday"]


def test_check_occasion_without_taco_raises(job_environment):
    result = run_job_for_testing("check_occasion.CheckOccasion", data={"occasion": "Burrito Friday"})
    assert result.status == FAILURE and result.result is None
    assert "Exception: Input validation failed." in result.traceback
    assert ("error", "run", "Occasion must begin with 'Taco'") in log_entries(result)
    assert run_messages(result) == []


# -- LunchOrder -------------------------------------------------------------------------------------


def test_lunch_order_summary(job_environment):
    result = run_job_for_testing("lunch_order.LunchOrder", data={"order": "taco", "quantity": 2})
    assert result.status == SUCCESS and result.result == "Order summary: 2 x taco"
    assert run_messages(result) == ["Order received: 2 x taco"]


def test_lunch_order_without_an_order_fails_cleanly(job_environment):
    result = run_job_for_testing("lunch_order.LunchOrder")
    assert result.status == FAILURE and result.traceback is None and result.result is None
    assert ("failure", "run", "No order provided.") in log_entries(result)


def test_lunch_order_with_no_quantity_raises(job_environment):
    result = run_job_for_testing("lunch_order.LunchOrder", data={"order": "taco", "quantity": 0})
    assert result.status == FAILURE
    assert "ValueError: Quantity must be greater than zero." in result.traceback


# -- ExportText, CompassJob, JSONVar ----------------------------------------------------------------


def test_export_text_creates_a_file(job_environment):
    result = run_job_for_testing("export_text.ExportText")
    assert result.status == SUCCESS
    assert output_files(result) == {"output.txt": b"Export completed successfully."}
    assert run_messages(result) == ["File has been created for download."]


@pytest.mark.parametrize("direction, label", [("n", "North"), ("s", "South"), ("e", "East"), ("w", "West")])
def test_compass_names_the_direction(job_environment, direction, label):
    result = run_job_for_testing("compass.CompassJob", data={"direction": direction})
    assert run_messages(result) == [f"You chose to go: {label}"]


def test_compass_refuses_an_unknown_direction(job_environment):
    with pytest.raises(JobDataError) as caught:
        run_job_for_testing("compass.CompassJob", data={"direction": "up"})
    assert list(caught.value.errors) == ["direction"]


def test_json_var_gets_a_parsed_object(job_environment):
    result = run_job_for_testing("json_example.ExampleJSONVarJob", data={"var1": {"key1": "value1"}})
    assert run_messages(result) == ["The value of key1 is: value1"]
    from_text = run_job_for_testing("json_example.ExampleJSONVarJob", data={"var1": '{"key1": [1, 2]}'})
    assert run_messages(from_text) == ["The value of key1 is: [1, 2]"]


def test_json_var_without_key1_logs_an_error_but_succeeds(job_environment):
    result = run_job_for_testing("json_example.ExampleJSONVarJob", data={"var1": {"other": 1}})
    assert result.status == SUCCESS
    errors = log_entries(result, level=LogLevelChoices.LOG_ERROR)
    assert len(errors) == 1 and errors[0][:2] == ("error", "run")
    assert errors[0][2].startswith("Missing required key: ")


def test_json_var_error_message_is_logged_as_written(job_environment):
    result = run_job_for_testing("json_example.ExampleJSONVarJob", data={"var1": {"other": 1}})
    assert ("error", "run", "Missing required key: key1") in log_entries(result)


def test_json_var_refuses_invalid_json(job_environment):
    with pytest.raises(JobDataError, match="Enter valid JSON"):
        run_job_for_testing("json_example.ExampleJSONVarJob", data={"var1": "{not json"})


# -- Everything -------------------------------------------------------------------------------------


def test_everything_job_with_every_variable(job_environment):
    hello = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    compass = JobRecord.get_for_class_path("compass.CompassJob")
    data = {
        "example_string": "a string",
        "example_choice": "b",
        "example_file": InMemoryFile(b"uploaded contents", "upload.txt"),
        "example_text": "line one\nline two",
        "example_json": {"nested": [1, 2]},
        "example_integer": 7,
        "example_boolean": True,
        "dryrun": True,
        "example_multi_choice": ["x", "z"],
        "example_job": str(hello.id),
        "example_jobs": [str(hello.id), str(compass.id)],
        "example_ip": "192.0.2.1",
        "example_ip_with_mask": "192.0.2.1/24",
        "example_network": "10.0.0.0/8",
    }
    result = run_job_for_testing("everything.ExampleEverythingJob", data=data)
    assert result.status == SUCCESS and result.result == "Done!"
    assert log_entries(result)[1:] == [
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
    assert output_files(result) == {"copy.txt": b"uploaded contents"}
    stored = result.task_kwargs  # the job has no sensitive variables, so its inputs are kept
    assert stored["example_jobs"] == [str(hello.id), str(compass.id)]
    assert stored["example_ip_with_mask"] == str(netaddr.IPNetwork("192.0.2.1/24"))
    assert stored["example_multi_choice"] == ["x", "z"] and stored["example_json"] == {"nested": [1, 2]}


def test_everything_job_with_only_the_required_variables(job_environment):
    result = run_job_for_testing(
        "everything.ExampleEverythingJob", data={"example_string": "minimal", "example_choice": "a"}
    )
    assert result.status == SUCCESS
    assert output_files(result) == {}
    assert result.task_kwargs["example_integer"] == 3 and result.task_kwargs["dryrun"] is False


def test_everything_job_checks_the_network_prefix(job_environment):
    with pytest.raises(JobDataError, match="prefix length must be at most 30"):
        run_job_for_testing("everything.ExampleEverythingJob", data={
            "example_string": "s", "example_choice": "a", "example_network": "10.0.0.0/31",
        })


# -- ReadCSVJob -------------------------------------------------------------------------------------


def test_read_csv_logs_every_row(job_environment):
    upload = InMemoryFile(b"hostname,ip_address\nams01,192.0.2.1\nlon02,192.0.2.2\n", "devices.csv")
    result = run_job_for_testing("read_csv.ReadCSVJob", data={"input_file": upload})
    assert result.status == SUCCESS
    assert run_messages(result) == [
        "Hostname: ams01, IP Address: 192.0.2.1",
        "Hostname: lon02, IP Address: 192.0.2.2",
    ]


def test_read_csv_needs_a_file(job_environment):
    with pytest.raises(JobDataError) as caught:
        run_job_for_testing("read_csv.ReadCSVJob")
    assert caught.value.errors == {"input_file": ["This field is required."]}


# -- through a real worker --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.jobs_root(Path(__file__).resolve().parent.parent / "jobs_root", copy=True)
def test_a_profiled_everything_run_in_the_worker_attaches_its_pstats(job_environment, worker):
    import pstats

    from app.execution.submit import RunOptions
    from app.execution.submit import submit
    from tests.support.worker import wait_for_result

    record = JobRecord.get_for_class_path("everything.ExampleEverythingJob")
    record.enabled = True
    record.save()
    data = {"example_string": "profiled", "example_choice": "a"}
    result = wait_for_result(submit(record, None, data, options=RunOptions(profile=True)).id)
    assert result.status == SUCCESS, result.traceback
    level, grouping, message = log_entries(result)[-1]
    name = f"job-result-{result.id}.pstats"
    assert (level, grouping) == ("info", "profiling") and message.endswith(name)
    path = Path(message.removeprefix("Wrote profiling information to "))
    try:
        assert output_files(result)[name] == path.read_bytes()
        assert any(function == "run" and file.endswith("everything.py")
                   for file, _line, function in pstats.Stats(str(path)).stats)
    finally:
        path.unlink(missing_ok=True)
