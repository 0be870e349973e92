"""Job packages, helper modules and edits: how job files import each other and pick up changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from app.catalog import job_class_for
from app.jobs.loader import local_source
from app.models import JobRecord
from app.testing import JobEnvironment
from app.testing import log_entries
from app.testing import run_job_for_testing

JOB_FILE = (
    "from app.jobs import Job, register_jobs\n\n"
    "class {name}(Job):\n    def run(self):\n        pass\n\n"
    "register_jobs({name})\n"
)

PORTED = Path(__file__).resolve().parent / "fixtures" / "ported_jobs"

pytestmark = pytest.mark.jobs_root(PORTED)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# -- packages ---------------------------------------------------------------------------------------


def test_a_package_is_one_module_whose_files_import_each_other(job_environment):
    record = JobRecord.get_for_class_path("network_tools.Qualify")
    assert (record.module_name, record.grouping) == ("network_tools", "network_tools")
    result = run_job_for_testing(record, hostname="ams01")
    assert result.status == "SUCCESS" and result.result == "ams01.example.net"
    assert ("info", "fqdn", "qualifying ams01") in log_entries(result)


def test_a_broken_submodule_is_reported_without_hiding_the_others(job_environment):
    errors = dict(job_environment.sync_report.errors)
    assert errors["network_tools"].startswith("network_tools.broken: ModuleNotFoundError")
    assert "(broken.py, line 3)" in errors["network_tools"]
    assert {"network_tools.Qualify", "network_tools.Ping"} <= {
        record.class_path for record in JobRecord.select() if record.installed
    }
    result = run_job_for_testing("network_tools.Ping", address="2001:db8::1")
    assert result.status == "SUCCESS" and result.result == "2001:db8::1"
    assert ("info", "run", "pinging 2001:db8::1 (IPv6)") in log_entries(result)


def test_helper_modules_load_without_warnings_and_private_ones_are_not_job_modules(job_environment):
    report = job_environment.sync_report
    modules = {module.name: module for module in report.load.modules}
    assert modules["formatting"].job_classes == [] and modules["formatting"].error is None
    assert "formatting" not in dict(report.warnings) and "network_tools" not in dict(report.warnings)
    assert "_shared" not in modules and "_slow" not in modules
    result = run_job_for_testing("uses_helpers.UsesHelpers")
    assert result.result == "[v1] x"
    assert ("info", "run", "[v1] shared") in log_entries(result)


def test_a_package_init_that_registers_its_submodules_jobs(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "",
        "reports/__init__.py": """
            from app.jobs import register_jobs

            from .daily import Daily
            from .weekly import Weekly

            name = "Reports"
            register_jobs(Daily, Weekly)
        """,
        "reports/_base.py": """
            from app.jobs import Job

            class Report(Job):
                def run(self):
                    return self.period
        """,
        "reports/daily.py": """
            from ._base import Report

            class Daily(Report):
                period = "day"
        """,
        "reports/weekly.py": """
            from ._base import Report

            class Weekly(Report):
                period = "week"
        """,
        "reports/tests/__init__.py": "raise RuntimeError('tests are not imported by the loader')",
        "reports/_private.py": "raise RuntimeError('private helpers are imported only on demand')",
    })
    with JobEnvironment(root) as env:
        assert env.sync_report.errors == [] and env.sync_report.warnings == []
        records = {record.class_path: record for record in JobRecord.select()}
        assert set(records) == {"reports.Daily", "reports.Weekly"}
        assert {record.grouping for record in records.values()} == {"Reports"}
        assert run_job_for_testing("reports.Weekly").result == "week"


def test_a_broken_submodule_that_init_imports_fails_the_package_with_its_location(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "",
        "pkg/__init__.py": "from . import good, bad\n",
        "pkg/good.py": JOB_FILE.format(name="Good"),
        "pkg/bad.py": "x = (\n",
        "other.py": JOB_FILE.format(name="Other"),
    })
    with JobEnvironment(root) as env:
        errors = dict(env.sync_report.errors)
        assert errors["pkg"].startswith("SyntaxError") and "bad.py" in errors["pkg"]
        assert [record.class_path for record in JobRecord.select()] == ["other.Other"]


def test_the_jobs_roots_init_may_register_the_jobs_of_its_files(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "from app.jobs import register_jobs\n\nfrom .alpha import Alpha\n\nregister_jobs(Alpha)\n",
        "alpha.py": "from app.jobs import Job\n\nclass Alpha(Job):\n    def run(self):\n        return 'first'\n",
    })
    with JobEnvironment(root) as env:
        assert env.sync_report.created == ["alpha.Alpha"] and env.sync_report.warnings == []
        assert run_job_for_testing("alpha.Alpha").result == "first"
        edit(root / "alpha.py", "'first'", "'second edit'")
        assert run_job_for_testing("alpha.Alpha").result == "second edit"
        assert env.sync().load.job_classes[0].class_path == "alpha.Alpha"


def test_a_broken_jobs_root_init_is_reported_for_every_module(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "raise RuntimeError('root is broken')\n",
        "one.py": "",
        "two.py": "",
    })
    with JobEnvironment(root) as env:
        errors = dict(env.sync_report.errors)
        assert set(errors) == {"one", "two"}
        assert all("RuntimeError: root is broken (__init__.py, line 1)" == error for error in errors.values())


# -- sibling imports --------------------------------------------------------------------------------


def test_importing_a_sibling_job_file_does_not_copy_its_jobs(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "",
        "base_jobs.py": """
            from app.jobs import Job, register_jobs

            class Shared(Job):
                def run(self):
                    return "shared"

            register_jobs(Shared)
        """,
        "derived.py": """
            from app.jobs import register_jobs

            from .base_jobs import Shared

            class Derived(Shared):
                def run(self):
                    return "derived"

            register_jobs(Derived)
        """,
    })
    with JobEnvironment(root) as env:
        assert env.sync_report.errors == []
        assert sorted(record.class_path for record in JobRecord.select()) == ["base_jobs.Shared", "derived.Derived"]
        assert run_job_for_testing("derived.Derived").result == "derived"
        assert run_job_for_testing("base_jobs.Shared").result == "shared"


# -- edits take effect on the next run --------------------------------------------------------------


@pytest.mark.jobs_root(PORTED, copy=True)
def test_an_edit_to_a_top_level_helper_takes_effect_on_the_next_run(job_environment):
    assert run_job_for_testing("uses_helpers.UsesHelpers").result == "[v1] x"
    edit(job_environment.path("formatting.py"), 'BANNER = "v1"', 'BANNER = "v2-edited"')
    assert run_job_for_testing("uses_helpers.UsesHelpers").result == "[v2-edited] x"
    edit(job_environment.path("_shared.py"), 'PREFIX = "shared"', 'PREFIX = "private-edit"')
    result = run_job_for_testing("uses_helpers.UsesHelpers")
    assert ("info", "run", "[v2-edited] private-edit") in log_entries(result)


@pytest.mark.jobs_root(PORTED, copy=True)
def test_an_edit_to_a_package_helper_takes_effect_on_the_next_run(job_environment):
    assert run_job_for_testing("network_tools.Qualify", hostname="h").result == "h.example.net"
    edit(job_environment.path("network_tools", "helpers.py"), 'SUFFIX = ".example.net"', 'SUFFIX = ".lab.example.org"')
    assert run_job_for_testing("network_tools.Qualify", hostname="h").result == "h.lab.example.org"


@pytest.mark.jobs_root(PORTED, copy=True)
def test_fixing_a_broken_submodule_brings_its_jobs_in_on_the_next_sync(job_environment):
    record = JobRecord.get_for_class_path("network_tools.Ping")
    assert job_class_for(record).__name__ == "Ping"
    edit(job_environment.path("network_tools", "broken.py"), "import module_that_does_not_exist  # noqa: F401\n", "")
    report = job_environment.sync()
    assert "network_tools" not in dict(report.errors) and report.created == ["network_tools.Broken"]


def test_a_helper_added_later_fixes_the_job_that_imports_it(tmp_path):
    root = write(tmp_path / "jobs", {
        "__init__.py": "",
        "needs_helper.py": """
            from app.jobs import Job, register_jobs

            from ._later import VALUE

            class NeedsHelper(Job):
                def run(self):
                    return VALUE

            register_jobs(NeedsHelper)
        """,
    })
    with JobEnvironment(root) as env:
        assert "needs_helper" in dict(env.sync_report.errors)
        write(root, {"_later.py": "VALUE = 42\n"})
        assert env.sync().created == ["needs_helper.NeedsHelper"]
        assert run_job_for_testing("needs_helper.NeedsHelper").result == 42


def test_unchanged_modules_are_not_imported_again(job_environment):
    source = local_source(job_environment.jobs_root)
    first = source.get_job_class("network_tools", "Ping")
    assert source.get_job_class("network_tools", "Ping") is first
    assert source.load_all().modules[0] is source.load_module(source.module_names()[0])
