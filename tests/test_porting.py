"""Job files written for Nautobot run after changing only their import lines (the README's porting guide)."""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path

import pytest

from app.jobs import JobResultStatusChoices
from app.models import JobRecord
from app.testing import JobEnvironment
from app.testing import log_entries
from app.testing import log_messages
from app.testing import output_files
from app.testing import run_job_for_testing

REPO = Path(__file__).resolve().parent.parent
PORTED = Path(__file__).resolve().parent / "fixtures" / "ported_jobs"
PORTING_GUIDE = REPO / "README.md"

pytestmark = pytest.mark.jobs_root(PORTED)


# -- the import map in the porting guide ------------------------------------------------------------


def import_map() -> list[tuple[str, str]]:
    """(Nautobot import, Jobdeck import) rows of the guide's import table."""
    rows = []
    for line in PORTING_GUIDE.read_text().splitlines():
        cells = re.findall(r"`([^`]+)`", line)
        if line.startswith("|") and len(cells) >= 2 and cells[0].startswith(("from ", "import ")):
            rows.append((cells[0], cells[1]))
    return rows


def port(source: str) -> str:
    """Rewrite a Nautobot job file's import lines with the guide's map; nothing else changes."""
    table = import_map()
    ported = []
    for line in source.splitlines():
        for nautobot, jobdeck in table:
            nautobot_module = nautobot.split(" import ")[0]
            if line.startswith(nautobot_module + " import") or line == nautobot:
                line = line.replace(nautobot_module, jobdeck.split(" import ")[0], 1)
                break
        ported.append(line)
    return "\n".join(ported) + "\n"


def test_every_target_of_the_import_map_exists():
    rows = import_map()
    assert len(rows) >= 8
    nautobot_modules = {nautobot.split()[1] for nautobot, _ in rows}
    assert {"nautobot.apps.jobs", "nautobot.extras.jobs", "celery.exceptions", "nautobot.apps.exceptions",
            "nautobot.core.exceptions", "nautobot.apps.testing", "nautobot.utilities.testing"} <= nautobot_modules
    for _, jobdeck in rows:
        if jobdeck.startswith("from "):
            module, names = jobdeck[5:].split(" import ")
            imported = importlib.import_module(module)
            for name in names.replace("(", "").replace(")", "").split(","):
                name = name.strip()
                if name and name != "...":
                    assert hasattr(imported, name), f"{module} has no {name}"
        else:
            importlib.import_module(jobdeck.split()[1])


SEED_JOBS = {
    "check_occasion.py": '''
        from nautobot.apps.jobs import Job, StringVar, register_jobs

        class CheckOccasion(Job):
            occasion = StringVar(description="Enter an occasion")

            def run(self, *, occasion):
                if not occasion.startswith("Taco"):
                    self.logger.error("Occasion must begin with 'Taco'")
                    raise Exception("Input validation failed.")

                if not occasion.endswith("Tuesday"):
                    self.fail("It's supposed to be Tuesday!")  # Marks job as FAILURE without traceback

                self.logger.info("Perfect! Today is %s", occasion)
                return occasion

        register_jobs(CheckOccasion)
    ''',
    "hello_jobs.py": '''
        from nautobot.apps import jobs

        name = "Hello Jobs"

        class HelloJobs(jobs.Job):
            class Meta:
                name = "Say Hello"

            person_name = jobs.StringVar(
                description="Name of the person to greet",
                default="world"
            )

            greeting_count = jobs.IntegerVar(
                description="How many times to greet",
                default=1,
                min_value=1
            )

            def run(self, *, person_name, greeting_count):
                for i in range(greeting_count):
                    self.logger.info("Hello, %s! (%d)", person_name, i + 1)

        jobs.register_jobs(HelloJobs)
    ''',
    "soft_limit.py": '''
        from celery.exceptions import SoftTimeLimitExceeded
        from nautobot.apps.exceptions import AbortTransaction
        from nautobot.extras.jobs import Job, get_task_logger, register_jobs
        from nautobot.extras.choices import JobResultStatusChoices

        logger = get_task_logger(__name__)

        class Careful(Job):
            def run(self):
                try:
                    raise SoftTimeLimitExceeded()
                except SoftTimeLimitExceeded:
                    logger.warning("cleaned up")
                raise AbortTransaction("stop")

            def after_return(self, status, retval, task_id, args, kwargs, einfo):
                logger.info("failed: %s", status == JobResultStatusChoices.STATUS_FAILURE)

        register_jobs(Careful)
    ''',
}


def test_seed_job_files_run_after_rewriting_only_their_imports(tmp_path):
    root = tmp_path / "jobs"
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name, source in SEED_JOBS.items():
        source = textwrap.dedent(source).strip()
        ported = port(source)
        changed = [(a, b) for a, b in zip(source.splitlines(), ported.splitlines(), strict=True) if a != b]
        assert changed and all(a.startswith(("from ", "import ")) for a, _ in changed), name
        (root / name).write_text(ported)
    with JobEnvironment(root) as env:
        assert env.sync_report.errors == [] and env.sync_report.warnings == []
        result = run_job_for_testing("check_occasion.CheckOccasion", occasion="Taco Monday")
        assert result.status == JobResultStatusChoices.STATUS_FAILURE and result.traceback is None
        hello = run_job_for_testing("local/hello_jobs/HelloJobs", greeting_count=2)
        assert log_messages(hello, level="info")[1:] == ["Hello, world! (1)", "Hello, world! (2)"]
        assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").grouping == "Hello Jobs"
        careful = run_job_for_testing("soft_limit.Careful")
        assert careful.status == "FAILURE" and "AbortTransaction: stop" in careful.traceback
        assert ("warning", "run", "cleaned up") in log_entries(careful)
        assert ("info", "after_return", "failed: True") in log_entries(careful)


# -- the ported fixture jobs ------------------------------------------------------------------------


def test_the_ported_folder_loads_with_the_expected_reports(job_environment):
    report = job_environment.sync_report
    assert sorted(dict(report.errors)) == ["bad_widget", "lunch_order", "network_tools"]
    warnings = dict(report.warnings)
    assert "defines ExampleJSONVarJob but registers none of them" in warnings["json_var"]
    assert sorted(report.created) == sorted(
        record.class_path for record in JobRecord.select().where(JobRecord.installed)
    )
    assert len(report.created) == 14


@pytest.mark.parametrize(
    "occasion, status, messages",
    [
        ("Taco Tuesday", "SUCCESS", ["Today is Taco Tuesday"]),
        ("Taco Thursday", "FAILURE", ["Today is Taco Thursday"]),
        ("Burrito Tuesday", "FAILURE", []),
    ],
)
def test_occasion_job_fails_and_raises_like_the_seed_says(job_environment, occasion, status, messages):
    result = run_job_for_testing("occasion.MyJob", occasion=occasion)
    assert result.status == status
    assert [m for m in log_messages(result, level="info") if m != "Running job"] == messages
    if occasion.startswith("Burrito"):
        assert "Argument input validation failed." in result.traceback
        assert ("failure", "run", "The occasion must begin with 'Taco'") in log_entries(result)
    elif status == "FAILURE":
        assert result.traceback is None


def test_file_output_and_static_files(job_environment):
    result = run_job_for_testing("file_output.MyJob")
    assert output_files(result) == {"greeting.txt": b"Hello world!", "farewell.txt": b"Goodbye for now!"}
    config = run_job_for_testing("file_output.LoadConfig")
    assert ("info", "run", "Loaded configuration with 3 items.") in log_entries(config)


def test_process_csv_from_an_open_file(job_environment, tmp_path):
    csv_path = tmp_path / "devices.csv"
    csv_path.write_text("hostname,ip_address\nams01,192.0.2.1\n")
    with csv_path.open("rb") as handle:
        result = run_job_for_testing("process_csv.ProcessCSV", data={"input_file": handle})
    assert ("info", "run", "Device: ams01 | IP: 192.0.2.1") in log_entries(result)
    assert JobRecord.get_for_class_path("process_csv.ProcessCSV").name == "Process CSV File"


# -- the same files through a real worker -----------------------------------------------------------
# ``copy=True`` puts the jobs root inside the test's tmp_path, where the ``worker`` fixture finds the
# configuration job_environment made (tests/support/worker.py).


def submit_enabled(class_path, data=None, user=None, **options):
    from app.execution.submit import RunOptions
    from app.execution.submit import submit

    record = JobRecord.get_for_class_path(class_path)
    record.enabled = True
    record.save()
    return submit(record, user, data or {}, options=RunOptions(**options))


@pytest.mark.slow
@pytest.mark.jobs_root(PORTED, copy=True)
def test_a_soft_time_limit_ported_from_celery_is_raised_in_the_job_by_the_worker(job_environment, worker):
    from tests.support.worker import wait_for_result

    record = JobRecord.get_for_class_path("soft_limit.ExampleJobWithSoftTimeLimit")
    record.soft_time_limit, record.soft_time_limit_override = 0.5, True
    record.save()
    result = wait_for_result(submit_enabled("soft_limit.ExampleJobWithSoftTimeLimit").id)
    # The seed's job catches the exception and returns: SUCCESS, with its helper's cleanup logged
    # through get_task_logger in the forked job process.
    assert result.status == "SUCCESS", result.traceback
    assert ("warning", "cleanup_in_a_hurry", "Cleaning up in a hurry") in log_entries(result)


@pytest.mark.slow
@pytest.mark.jobs_root(PORTED, copy=True)
def test_request_and_user_reach_the_job_in_the_worker(job_environment, worker):
    from app.testing import create_test_user
    from tests.support.worker import wait_for_result

    carol = create_test_user("carol", superuser=False, permissions=["extras.run_job"])
    meta = {"REMOTE_ADDR": "198.51.100.4", "HTTP_USER_AGENT": "curl/8"}
    result = wait_for_result(submit_enabled("request_data.WhoRanMe", user=carol, request_meta=meta).id)
    assert result.status == "SUCCESS", result.traceback
    assert result.result["request_id"] == str(result.id) and result.result["agent"] == "curl/8"
    assert result.result["can_run_jobs"] is True and result.result["can_approve_jobs"] is False
    messages = log_messages(result)
    assert "Running as user carol (IP: 198.51.100.4)..." in messages
    assert "task_id matches request.id: True" in messages

    system = wait_for_result(submit_enabled("request_data.WhoRanMe").id)
    assert "Running as user jobdeck-system (IP: None)..." in log_messages(system)


@pytest.mark.slow
@pytest.mark.jobs_root(PORTED, copy=True)
def test_helper_edits_reach_a_running_worker(job_environment, worker):
    from tests.support.worker import wait_for_result

    first = wait_for_result(submit_enabled("network_tools.Qualify", {"hostname": "sw1"}).id)
    assert first.result == "sw1.example.net"
    assert wait_for_result(submit_enabled("uses_helpers.UsesHelpers").id).result == "[v1] x"
    helpers = job_environment.path("network_tools", "helpers.py")
    helpers.write_text(helpers.read_text().replace('SUFFIX = ".example.net"', 'SUFFIX = ".edited.example"'))
    formatting = job_environment.path("formatting.py")
    formatting.write_text(formatting.read_text().replace('BANNER = "v1"', 'BANNER = "v2"'))
    assert wait_for_result(submit_enabled("network_tools.Qualify", {"hostname": "sw1"}).id).result == (
        "sw1.edited.example"
    )
    assert wait_for_result(submit_enabled("uses_helpers.UsesHelpers").id).result == "[v2] x"


@pytest.mark.slow
@pytest.mark.jobs_root(PORTED, copy=True)
def test_legacy_logging_and_status_choices_in_the_worker(job_environment, worker):
    from tests.support.worker import wait_for_result

    legacy = wait_for_result(submit_enabled("legacy_logging.LegacyLogging").id)
    assert legacy.status == JobResultStatusChoices.STATUS_FAILURE and legacy.traceback is None
    assert ("failure", "run", "this marks the job failed") in log_entries(legacy)
    patterns = wait_for_result(submit_enabled("task_logger.LoggingPatterns").id)
    assert patterns.status == JobResultStatusChoices.STATUS_SUCCESS
    assert ("info", "helper_check", "helper checked 3 items") in log_entries(patterns)
    assert ("info", "after_return", "status is success: True") in log_entries(patterns)
