"""Discovery into Job records: new records disabled, overrides kept, vanished classes uninstalled."""

from __future__ import annotations

from app.catalog import sync_jobs
from app.models import JobRecord
from tests.conftest import EXAMPLE_JOBS
from tests.conftest import make_config
from tests.conftest import setup_database

JOB_V1 = '''
from app.jobs import Job, register_jobs

name = "Reports"


class Audit(Job):
    class Meta:
        name = "Audit v1"
        description = """
            Checks things.

            In detail.
        """
        soft_time_limit = 30
        task_queues = ["default", "slow"]

    def run(self):
        return 1


class Spare(Job):
    def run(self):
        return 2


register_jobs(Audit, Spare)
'''

JOB_V2 = JOB_V1.replace("Audit v1", "Audit v2").replace("register_jobs(Audit, Spare)", "register_jobs(Audit)")


def write_root(tmp_path, **modules):
    root = tmp_path / "source"
    root.mkdir(exist_ok=True)
    (root / "__init__.py").write_text("")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)
    return root


def test_examples_sync_into_disabled_records(jobdeck):
    records = {record.class_path: record for record in JobRecord.select()}
    assert len(records) == len(list(EXAMPLE_JOBS.glob("[a-z]*.py"))) + 1  # time_limits.py holds two jobs
    hello = records["hello_jobs.HelloJobs"]
    assert (hello.grouping, hello.name, hello.enabled, hello.installed) == ("Hello Jobs", "Say Hello", False, True)
    assert records["check_occasion.CheckOccasion"].grouping == "check_occasion"
    assert records["everything.ExampleEverythingJob"].supports_dryrun


def test_metadata_overrides_and_uninstall(tmp_path):
    root = write_root(tmp_path, reports=JOB_V1)
    config = make_config(tmp_path, root)
    setup_database(config)
    audit = JobRecord.get_for_class_path("local/reports/Audit")
    assert (audit.name, audit.grouping, audit.soft_time_limit) == ("Audit v1", "Reports", 30.0)
    assert audit.description_first_line == "Checks things."
    assert audit.task_queues == ["default", "slow"]

    audit.name, audit.name_override, audit.enabled = "Renamed by admin", True, True
    audit.save()
    (config.jobs_root / "reports.py").write_text(JOB_V2)
    report = sync_jobs(config.jobs_root)

    audit = JobRecord.get_for_class_path("reports.Audit")
    assert audit.name == "Renamed by admin" and audit.enabled
    assert report.uninstalled == ["reports.Spare"]
    assert not JobRecord.get_for_class_path("reports.Spare").installed

    audit.name_override = False
    audit.save()
    sync_jobs(config.jobs_root)
    assert JobRecord.get_for_class_path("reports.Audit").name == "Audit v2"


def test_a_broken_module_is_reported_and_keeps_its_records(tmp_path):
    root = write_root(tmp_path, reports=JOB_V1, good="from app.jobs import Job, register_jobs\n"
                      "class Fine(Job):\n    def run(self):\n        pass\nregister_jobs(Fine)\n")
    config = make_config(tmp_path, root)
    setup_database(config)
    (config.jobs_root / "reports.py").write_text("def broken(:\n")
    (config.jobs_root / "json.py").write_text("import json\nassert hasattr(json, 'dumps')\n")

    report = sync_jobs(config.jobs_root)

    errors = dict(report.errors)
    assert "SyntaxError" in errors["reports"] and "line 1" in errors["reports"]
    assert "json" not in errors  # a job file named json.py does not shadow the real json
    assert JobRecord.get_for_class_path("reports.Audit").installed
    assert JobRecord.get_for_class_path("good.Fine").installed


def test_reserved_variable_names_and_unregistered_jobs_are_reported(tmp_path):
    root = write_root(
        tmp_path,
        lunch="from app.jobs import Job, StringVar, register_jobs\n"
              "class LunchOrder(Job):\n    name = StringVar()\n    def run(self, *, name):\n        pass\n"
              "register_jobs(LunchOrder)\n",
        forgotten="from app.jobs import Job\nclass Forgotten(Job):\n    def run(self):\n        pass\n",
        helper="def shared():\n    return 1\n",
    )
    config = make_config(tmp_path, root)
    report = setup_database(config)
    errors, warnings = dict(report.errors), dict(report.warnings)
    assert "LunchOrder" in errors["lunch"] and "'name'" in errors["lunch"] and "reserved" in errors["lunch"]
    assert "Forgotten" in warnings["forgotten"] and "register_jobs" in warnings["forgotten"]
    assert "helper" not in warnings and "helper" not in errors


def test_missing_init_is_reported_clearly(tmp_path):
    root = write_root(tmp_path, reports=JOB_V1)
    config = make_config(tmp_path, root)
    (config.jobs_root / "__init__.py").unlink()
    report = setup_database(config)
    assert report.load.job_classes == []
    assert "__init__.py" in report.errors[0][1]
    assert report.lines() == [
        f"The jobs root {config.jobs_root} has no __init__.py: create an empty {config.jobs_root / '__init__.py'} "
        "so its job files can be imported, or set JOBDECK_JOBS_ROOT; no job record was changed."
    ]


def test_a_missing_jobs_root_changes_no_record(tmp_path):
    root = write_root(tmp_path, reports=JOB_V1)
    config = make_config(tmp_path, root)
    setup_database(config)
    report = sync_jobs(tmp_path / "no-such-folder")
    assert "does not exist" in report.errors[0][1]
    assert JobRecord.get_for_class_path("reports.Audit").installed
    # What the CLI prints and a worker (so `jobdeck serve`) logs: the folder, not "a module failed".
    assert report.lines() == [
        f"The jobs root {tmp_path / 'no-such-folder'} does not exist: create it (with an __init__.py) or set "
        "JOBDECK_JOBS_ROOT; no job record was changed."
    ]
