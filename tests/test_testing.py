"""app.testing: the helpers job authors test their jobs with, and the pytest plugin."""

from __future__ import annotations

import os
import pstats
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import pytest

from app import config as config_module
from app import db
from app.jobs import JobResultStatusChoices
from app.jobs import LogLevelChoices
from app.jobs.fields import InMemoryFile
from app.jobs.forms import JobDataError
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import User
from app.testing import JobEnvironment
from app.testing import TransactionTestCase
from app.testing import find_job_record
from app.testing import log_entries
from app.testing import log_messages
from app.testing import output_files
from app.testing import run_job_for_testing

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "jobs_root"
PORTED = Path(__file__).resolve().parent / "fixtures" / "ported_jobs"

pytestmark = pytest.mark.jobs_root(EXAMPLES)


# -- the seed's MyJobTestCase, ported ---------------------------------------------------------------


class MyJobTestCase(TransactionTestCase):
    jobs_root = EXAMPLES

    def test_my_job(self):
        # Testing of Job "HelloJobs" in file "hello_jobs.py" in the jobs root
        job = JobRecord.get(job_class_name="HelloJobs", module_name="hello_jobs", source="local")
        # or, job = JobRecord.get_for_class_path("local/hello_jobs/HelloJobs")
        job_result = run_job_for_testing(job, data={"person_name": "Ada"})

        log_entries = JobLogEntry.select().where(JobLogEntry.job_result == job_result).order_by(JobLogEntry.id)
        self.assertIn("Hello, Ada! (1)", [log_entry.message for log_entry in log_entries])
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS)


def test_each_transaction_test_case_test_gets_a_fresh_database():
    seen = []

    class Isolated(TransactionTestCase):
        jobs_root = EXAMPLES

        def test_a(self):
            seen.append((User.select().count(), JobRecord.select().count()))
            run_job_for_testing("export_text.ExportText")

        def test_b(self):
            seen.append((User.select().count(), JobRecord.select().count()))
            run_job_for_testing("export_text.ExportText", username="someone-else")

    with open(os.devnull, "w") as devnull:
        outcome = unittest.TextTestRunner(stream=devnull).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(Isolated)
        )
    assert outcome.wasSuccessful(), outcome.errors + outcome.failures
    assert len(seen) == 2 and seen[0] == seen[1] and seen[0][0] == 0 and seen[0][1] >= 11


# -- run_job_for_testing ----------------------------------------------------------------------------


def test_a_job_can_be_named_by_record_class_path_legacy_path_or_class(job_environment):
    from app.catalog import job_class_for

    record = JobRecord.get_by_natural_key("hello_jobs", "HelloJobs")
    job_class = job_class_for(record)
    for job in (record, "hello_jobs.HelloJobs", "local/hello_jobs/HelloJobs", "plugins/hello_jobs/HelloJobs",
                job_class):
        result = run_job_for_testing(job, data={"greeting_count": 2})
        assert result.job_record_id == record.id
        assert log_messages(result, level="info")[1:] == ["Hello, world! (1)", "Hello, world! (2)"]
    with pytest.raises(LookupError, match="no job record for 'hello_jobs.Nope'.*hello_jobs.HelloJobs"):
        find_job_record("hello_jobs.Nope")


def test_the_job_is_enabled_and_the_user_created_as_a_superuser(job_environment):
    record = JobRecord.get_for_class_path("export_text.ExportText")
    assert record.enabled is False and User.select().count() == 0
    result = run_job_for_testing(record)
    assert JobRecord.get_by_id(record.id).enabled is True
    user = User.get(User.username == "test-user")
    assert user.is_superuser and result.user_id == user.id
    run_job_for_testing(record)
    assert User.select().count() == 1


def test_inputs_are_validated_like_any_submission(job_environment):
    with pytest.raises(JobDataError) as caught:
        run_job_for_testing("hello_jobs.HelloJobs", data={"greeting_count": 0, "unknown": 1})
    assert set(caught.value.errors) == {"greeting_count", "unknown"}


def test_keyword_arguments_are_job_data_like_nautobot_2(job_environment):
    result = run_job_for_testing("hello_jobs.HelloJobs", person_name="Grace", data={"greeting_count": 1})
    assert log_messages(result, level=LogLevelChoices.LOG_INFO)[1:] == ["Hello, Grace! (1)"]


def test_commit_false_turns_on_dryrun_and_warns_when_there_is_none(job_environment):
    result = run_job_for_testing(
        "everything.ExampleEverythingJob", data={"example_string": "s", "example_choice": "a"}, commit=False
    )
    assert result.task_kwargs["dryrun"] is True
    assert ("warning", "run", "Dry run: nothing would be changed.") in log_entries(result)
    with pytest.warns(UserWarning, match="commit=False has no effect on hello_jobs.HelloJobs"):
        run_job_for_testing("hello_jobs.HelloJobs", commit=False)


@pytest.mark.parametrize(
    "upload",
    [
        InMemoryFile(b"hostname,ip_address\nams01,192.0.2.1\n", "devices.csv"),
        b"hostname,ip_address\nams01,192.0.2.1\n",
        "hostname,ip_address\nams01,192.0.2.1\n",
    ],
)
def test_files_can_be_given_as_in_memory_files_bytes_or_text(job_environment, upload):
    result = run_job_for_testing("read_csv.ReadCSVJob", data={"input_file": upload})
    assert result.status == "SUCCESS", result.traceback
    assert log_messages(result, level="info")[1:] == ["Hostname: ams01, IP Address: 192.0.2.1"]
    assert FileProxy.select().count() == 0  # uploads live only for the run


def test_an_open_file_can_be_given(job_environment, tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text("hostname,ip_address\nlon02,198.51.100.7\n")
    with path.open("rb") as handle:
        result = run_job_for_testing("read_csv.ReadCSVJob", input_file=handle)
    assert "Hostname: lon02, IP Address: 198.51.100.7" in log_messages(result)


def test_log_entries_and_output_files(job_environment):
    result = run_job_for_testing("export_text.ExportText")
    assert log_entries(result) == [
        ("info", "initialization", "Running job"),
        ("info", "run", "File has been created for download."),
        ("success", "post_run", "Job completed"),
    ]
    assert log_entries(result, level="success") == [("success", "post_run", "Job completed")]
    assert output_files(result) == {"output.txt": b"Export completed successfully."}


def test_record_lookups_read_like_the_seed(job_environment):
    by_fields = JobRecord.get(job_class_name="CompassJob", module_name="compass", source="local")
    assert by_fields == JobRecord.get_for_class_path("local/compass/CompassJob")
    assert by_fields == JobRecord.get_by_natural_key("compass", "CompassJob")
    assert JobLogEntry.filter(job_result=run_job_for_testing(by_fields, direction="e")).count() == 3


# -- profiling --------------------------------------------------------------------------------------


def test_a_profiled_run_leaves_a_readable_pstats_file_logged_and_attached(job_environment):
    result = run_job_for_testing(
        "everything.ExampleEverythingJob",
        data={"example_string": "profiled", "example_choice": "b",
              "example_file": InMemoryFile(b"copy me", "in.txt")},
        profile=True,
    )
    assert result.status == "SUCCESS", result.traceback
    name = f"job-result-{result.id}.pstats"
    profiling = log_entries(result)[-1]
    assert profiling[:2] == ("info", "profiling") and profiling[2].endswith(name)
    path = Path(profiling[2].removeprefix("Wrote profiling information to "))
    try:
        stats = pstats.Stats(str(path))
        functions = {(Path(file).name, function) for file, _line, function in stats.stats}
        assert ("everything.py", "run") in functions and ("everything.py", "before_start") in functions
        files = output_files(result)
        assert files[name] == path.read_bytes() and files["copy.txt"] == b"copy me"
    finally:
        path.unlink(missing_ok=True)
    unprofiled = run_job_for_testing("export_text.ExportText")
    assert not any(entry[1] == "profiling" for entry in log_entries(unprofiled))
    assert list(output_files(unprofiled)) == ["output.txt"]


# -- the environment and the pytest plugin ----------------------------------------------------------


def test_the_environment_restores_the_previous_configuration(tmp_path):
    before = (config_module._current, db.database.obj)
    with JobEnvironment(EXAMPLES, directory=tmp_path / "env", debug=True) as env:
        assert config_module.get_config().debug is True
        assert env.config.database_url.endswith("env/jobdeck.sqlite3")
        assert env.jobs_root == EXAMPLES
    assert (config_module._current, db.database.obj) == before


def test_without_a_choice_the_configured_jobs_root_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBDECK_JOBS_ROOT", str(PORTED))
    with JobEnvironment(directory=tmp_path / "env") as env:
        assert env.jobs_root == PORTED
        assert JobRecord.get_or_none(JobRecord.class_path == "occasion.MyJob") is not None


def test_the_marker_chooses_the_folder(job_environment):
    assert job_environment.jobs_root == EXAMPLES
    assert JobRecord.select().count() == len(job_environment.sync_report.created) >= 11
    assert JobRecord.get_or_none(JobRecord.class_path == "occasion.MyJob") is None


@pytest.mark.jobs_root(PORTED, copy=True, sanitizer_patterns=(r"(?<=order=)\w+",))
def test_the_marker_can_copy_the_folder_and_set_configuration(job_environment):
    assert job_environment.jobs_root != PORTED and job_environment.path("occasion.py").exists()
    assert job_environment.config.sanitizer_patterns == (r"(?<=order=)\w+",)


PLUGIN_TESTS = '''
    from pathlib import Path

    import pytest

    from app.jobs import JobResultStatusChoices
    from app.testing import log_entries, run_job_for_testing

    EXAMPLES = Path({examples!r})


    @pytest.mark.jobs_root(EXAMPLES)
    def test_with_marker(job_environment):
        result = run_job_for_testing("hello_jobs.HelloJobs", data={{"person_name": "plugin"}})
        assert result.status == JobResultStatusChoices.STATUS_SUCCESS
        assert ("info", "run", "Hello, plugin! (1)") in log_entries(result)


    def test_with_conftest_override(job_environment):
        assert job_environment.jobs_root == Path({ported!r})
        assert run_job_for_testing("occasion.MyJob", occasion="Taco Tuesday").result == "Taco Tuesday"


    def test_each_test_has_its_own_database(job_environment):
        from app.models import JobResult
        assert JobResult.select().count() == 0
'''


def test_the_pytest_plugin_is_registered_by_the_installed_package(tmp_path):
    (tmp_path / "test_my_jobs.py").write_text(
        textwrap.dedent(PLUGIN_TESTS.format(examples=str(EXAMPLES), ported=str(PORTED)))
    )
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f'''
        import pytest
        from pathlib import Path

        @pytest.fixture
        def jobdeck_jobs_root():
            return Path({str(PORTED)!r})
    '''))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JOBDECK_", "PYTEST_"))}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_jobs.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "3 passed" in completed.stdout
