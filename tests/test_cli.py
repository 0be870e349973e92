"""The ``jobdeck`` command line (app/cli/): in-process through main(), and a few real subprocesses."""

from __future__ import annotations

import io
import json
import os
import pstats
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from app.cli import main
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import JobRecord
from app.models import JobResult
from app.models import ObjectPermission
from app.models import PermissionUser
from app.models import Token
from app.models import User
from app.models.users import hash_token
from tests.conftest import REPO
from tests.conftest import config_environment
from tests.conftest import enable
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.support.worker import log_messages
from tests.test_postgres import postgres  # noqa: F401 (the PostgreSQL fixture)

HELLO = "hello_jobs.HelloJobs"
OCCASION = "check_occasion.CheckOccasion"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

DRYRUN_JOB = '''
from app.jobs import DryRunVar, Job, register_jobs


class DryRunReport(Job):
    class Meta:
        has_sensitive_variables = False

    dryrun = DryRunVar()

    def run(self, *, dryrun):
        self.logger.info("dryrun=%s user=%s", dryrun, self.user.username)
        return {"dryrun": dryrun}


register_jobs(DryRunReport)
'''

# Logs a line, then waits until the test creates the file it names: proves lines arrive while it runs.
WAITING_JOB = '''
import time
from pathlib import Path

from app.jobs import Job, StringVar, register_jobs


class WaitForFile(Job):
    path = StringVar()

    def run(self, *, path):
        self.logger.info("waiting for the release file")
        deadline = time.monotonic() + 30
        while not Path(path).exists():
            if time.monotonic() > deadline:
                self.fail("nobody released me")
                return
            time.sleep(0.02)
        self.logger.info("released")


register_jobs(WaitForFile)
'''


@pytest.fixture
def env(jobdeck, monkeypatch):
    """The example jobs synced, and JOBDECK_* variables pointing the CLI at the same files."""
    use_environment(jobdeck, monkeypatch)
    return jobdeck


def use_environment(config, monkeypatch):
    for name, value in config_environment(config).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JOBDECK_ADMIN_PASSWORD", raising=False)


@pytest.fixture
def cli(capsys):
    """Run ``jobdeck ARGS`` in-process; return (exit status, stdout, stderr)."""

    def run(*argv):
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def assert_sentence(err: str):
    assert err.startswith("jobdeck: ")
    assert "Traceback" not in err


def subprocess_env(config) -> dict:
    return {**os.environ, **config_environment(config), "PYTHONPATH": str(REPO)}


def run_subprocess(config, *argv):
    return subprocess.run([sys.executable, "-m", "app.cli", *argv], capture_output=True, text=True,
                          env=subprocess_env(config), cwd=config.jobs_root.parent, timeout=60)


def add_waiting_job(config) -> str:
    from app.catalog import sync_jobs

    (config.jobs_root / "wait_for_file.py").write_text(WAITING_JOB)
    sync_jobs(config.jobs_root)
    enable("wait_for_file.WaitForFile")
    return "wait_for_file.WaitForFile"


def assert_lines_arrive_while_running(config, *argv, timeout=30):
    """Run ``jobdeck runjob ... WaitForFile`` and release the job only after its first line is printed."""
    release = config.jobs_root.parent / "release"
    data = json.dumps({"path": str(release)})
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "runjob", "--data", data, *argv],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=subprocess_env(config), cwd=config.jobs_root.parent)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen = []
    try:
        deadline = time.monotonic() + timeout
        while not any("waiting for the release file" in line for line in seen):
            seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
        assert process.poll() is None  # still running: the line came out before the job ended
        release.touch()
        assert process.wait(timeout=timeout) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    time.sleep(0.1)
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert output.index("waiting for the release file") < output.index("released") < output.index("SUCCESS")
    return output


# -- migrate, sync ---------------------------------------------------------------------------------


def test_migrate_applies_once_then_reports_nothing_to_do(tmp_path, monkeypatch, cli):
    config = make_config(tmp_path)
    use_environment(config, monkeypatch)

    code, out, _ = cli("migrate")
    assert code == 0
    assert re.search(r"^Applied 0001_\w+$", out, re.M)

    code, out, _ = cli("migrate")
    assert (code, out) == (0, "No migrations to apply.\n")
    assert User.select().count() == 0  # the tables exist


def test_command_on_unmigrated_database_says_to_migrate(tmp_path, monkeypatch, cli):
    config = make_config(tmp_path)
    use_environment(config, monkeypatch)

    code, _, err = cli("jobs", "list")
    assert code == 1
    assert_sentence(err)
    assert "run `jobdeck migrate` first" in err


def test_sync_lists_new_jobs_and_reports_a_broken_module(tmp_path, monkeypatch, cli):
    config = make_config(tmp_path)
    setup_database(config, sync=False)
    use_environment(config, monkeypatch)
    (config.jobs_root / "broken.py").write_text("from app.jobs import Job\n\ndef oops(:\n")

    code, out, err = cli("sync")
    assert code == 1  # a script running sync notices the broken file...
    assert "new (disabled until enabled): hello_jobs.HelloJobs" in out  # ...after the rest were loaded
    assert re.search(r"ERROR broken: SyntaxError: .*broken\.py, line 3", out)
    assert "1 module(s) could not be imported" in out
    assert_sentence(err)
    assert "--allow-errors" in err
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").enabled is False

    code, out, err = cli("sync", "--allow-errors")
    assert (code, err) == (0, "")
    assert re.search(r"ERROR broken: SyntaxError", out)


def test_sync_without_errors_exits_0(env, cli):
    code, out, err = cli("sync")
    assert (code, err) == (0, "")
    assert "ERROR" not in out


def test_sync_says_plainly_that_the_jobs_root_is_missing_and_changes_nothing(env, cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOBDECK_JOBS_ROOT", "no-such-folder")  # relative: the message names the absolute path

    code, out, err = cli("sync")
    assert (code, out) == (1, "")
    assert err == (f"jobdeck: The jobs root {tmp_path / 'no-such-folder'} does not exist: create it (with an "
                   "__init__.py) or set JOBDECK_JOBS_ROOT; no job record was changed.\n")
    assert JobRecord.select().where(JobRecord.installed == False).count() == 0  # noqa: E712


def test_serve_reports_a_missing_jobs_root_plainly(jobdeck, tmp_path, capsys):
    from app.cli.serve import sync_jobs

    summary = sync_jobs(jobdeck.replace(jobs_root=tmp_path / "gone"))
    err = capsys.readouterr().err
    assert f"The jobs root {tmp_path / 'gone'} does not exist: create it (with an __init__.py) or set " \
           "JOBDECK_JOBS_ROOT" in err
    assert "module" not in err and "missing" in summary


def test_sync_refuses_a_jobs_root_without_init_and_keeps_the_records(env, cli):
    (env.jobs_root / "__init__.py").unlink()

    code, _, err = cli("sync")
    assert code == 1
    assert_sentence(err)
    assert "__init__.py" in err
    assert JobRecord.select().where(JobRecord.installed == False).count() == 0  # noqa: E712


# -- jobs list / enable / disable ------------------------------------------------------------------


def test_jobs_list_hides_hidden_jobs_unless_all(env, cli):
    JobRecord.update(hidden=True).where(JobRecord.class_path == "compass.CompassJob").execute()

    code, out, _ = cli("jobs", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["CLASS", "PATH", "GROUPING", "NAME", "ENABLED", "INSTALLED"]
    hello = next(row for row in rows if row.startswith("hello_jobs.HelloJobs "))
    assert hello.split()[-2:] == ["no", "yes"]
    assert "Hello Jobs" in hello and "Say Hello" in hello
    assert not any(row.startswith("compass.CompassJob") for row in rows)

    _, out, _ = cli("jobs", "list", "--all")
    assert any(row.startswith("compass.CompassJob") for row in out.splitlines())


def test_jobs_without_an_action_lists_them(env, cli):
    assert cli("jobs") == cli("jobs", "list")
    code, out, _ = cli("jobs")
    assert code == 0 and out.startswith("CLASS PATH") and "hello_jobs.HelloJobs" in out


def test_jobs_enable_all_enables_every_installed_job_and_says_which(env, cli):
    enable(HELLO)
    gone = JobRecord.get_for_class_path("compass.CompassJob")
    gone.installed = False
    gone.save()
    waiting = [record.class_path for record in JobRecord.select().where(
        (JobRecord.enabled == False) & (JobRecord.installed == True)).order_by(JobRecord.class_path)]  # noqa: E712

    code, out, err = cli("jobs", "enable", "--all")
    assert code == 0, err
    assert [line.split()[1] for line in out.splitlines() if line.startswith("Enabled ")] == waiting
    assert f"{len(waiting)} job(s) enabled." in out
    assert "Enabled hello_jobs.HelloJobs" not in out  # it already was
    assert JobRecord.select().where((JobRecord.installed == True) & (JobRecord.enabled == False)).count() == 0  # noqa: E712
    assert JobRecord.get_for_class_path("compass.CompassJob").enabled is False  # not installed: left alone

    code, out, _ = cli("jobs", "enable", "--all")
    assert (code, out) == (0, "Every installed job was already enabled.\n")


def test_jobs_enable_needs_a_class_path_or_all_but_not_both(env, cli):
    for argv in (("jobs", "enable"), ("jobs", "enable", "--all", HELLO)):
        code, out, err = cli(*argv)
        assert (code, out) == (2, "")
        assert_sentence(err)
        assert "CLASS_PATH or --all" in err
    assert JobRecord.select().where(JobRecord.enabled == True).count() == 0  # noqa: E712


def test_jobs_enable_and_disable_accept_legacy_paths(env, cli):
    code, out, _ = cli("jobs", "enable", "local/hello_jobs/HelloJobs")
    assert code == 0
    assert "hello_jobs.HelloJobs (Say Hello) is enabled." in out
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").enabled is True

    code, _, _ = cli("jobs", "disable", "hello_jobs.HelloJobs")
    assert code == 0
    assert JobRecord.get_for_class_path("hello_jobs.HelloJobs").enabled is False


def test_jobs_enable_unknown_job_is_exit_2(env, cli):
    code, out, err = cli("jobs", "enable", "local/nope/Nope")
    assert (code, out) == (2, "")
    assert_sentence(err)
    assert "no job 'local/nope/Nope'" in err


# -- users and tokens ------------------------------------------------------------------------------


def test_createsuperuser_stores_a_hash(env, cli):
    code, out, _ = cli("createsuperuser", "--username", "ada", "--password", "s3cret-pw",
                       "--email", "a@x.org")
    assert code == 0, out
    user = User.get(User.username == "ada")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.email == "a@x.org"
    assert user.password_hash != "s3cret-pw" and "s3cret-pw" not in user.password_hash
    assert user.check_password("s3cret-pw") and not user.check_password("wrong")


def test_createsuperuser_refuses_an_existing_user(env, cli):
    assert cli("createsuperuser", "--username", "ada", "--password", "one")[0] == 0
    code, _, err = cli("createsuperuser", "--username", "ada", "--password", "two")
    assert code == 2
    assert_sentence(err)
    assert "already exists" in err
    assert User.get(User.username == "ada").check_password("one")


def test_createsuperuser_takes_the_password_from_the_environment(env, cli, monkeypatch):
    monkeypatch.setenv("JOBDECK_ADMIN_PASSWORD", "from-env")
    assert cli("createsuperuser", "--username", "ada")[0] == 0
    assert User.get(User.username == "ada").check_password("from-env")


def test_createsuperuser_without_password_or_terminal_is_exit_2(env, cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    code, _, err = cli("createsuperuser", "--username", "ada")
    assert code == 2
    assert "--password" in err
    assert not User.select().where(User.username == "ada").exists()


def test_createuser_makes_a_user_without_powers(env, cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("b0b-password\nignored\n"))
    code, out, err = cli("createuser", "bob", "--email", "bob@x.org", "--password-stdin")
    assert code == 0, err
    assert "User 'bob' created" in out
    bob = User.get(User.username == "bob")
    assert (bob.is_superuser, bob.is_staff, bob.is_active, bob.email) == (False, False, True, "bob@x.org")
    assert bob.check_password("b0b-password")

    code, _, err = cli("createuser", "bob", "--password", "other")
    assert code == 2 and "already exists" in err


def test_createsuperuser_reads_the_password_from_stdin_and_takes_a_positional_name(env, cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("from-stdin\n"))
    assert cli("createsuperuser", "ada", "--password-stdin")[0] == 0
    ada = User.get(User.username == "ada")
    assert ada.is_superuser and ada.check_password("from-stdin")


def test_createuser_never_takes_the_admin_password_variable(env, cli, monkeypatch):
    monkeypatch.setenv("JOBDECK_ADMIN_PASSWORD", "the-admins-password")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    code, _, err = cli("createuser", "bob")
    assert code == 2
    assert_sentence(err)
    assert "--password-stdin" in err and "JOBDECK_ADMIN_PASSWORD" not in err
    assert not User.select().where(User.username == "bob").exists()


@pytest.mark.parametrize("argv, message", [
    (("createuser", "bob", "--password-stdin"), "cannot be empty"),  # stdin is empty
    (("createuser", "bob", "--username", "rob", "--password", "pw"), "give one"),
    (("createuser", "--password", "pw"), "Give the new user's name"),
    (("createuser", " bob", "--password", "pw"), "spaces"),
])
def test_createuser_bad_input_is_exit_2(env, cli, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert_sentence(err)
    assert message in err
    assert User.select().count() == 0


def test_createuser_password_and_password_stdin_exclude_each_other(env, cli):
    code, out, err = cli("createuser", "bob", "--password", "pw", "--password-stdin")
    assert (code, out) == (2, "")
    assert "--password-stdin: not allowed with argument --password" in err
    assert User.select().count() == 0


def test_token_create_prints_a_key_stored_only_hashed(env, cli):
    cli("createsuperuser", "--username", "ada", "--password", "pw")

    code, out, err = cli("token", "create", "--username", "ada", "--description", "ci", "--expires-days", "3",
                         "--read-only")
    assert code == 0, err
    key = out.strip()
    token = Token.lookup(key)
    assert token is not None and token.user.username == "ada"
    assert token.key_hash == hash_token(key) != key
    assert token.write_enabled is False and token.expires is not None and token.description == "ci"
    assert "not shown again" in err

    code, out, _ = cli("token", "list", "--username", "ada")
    assert code == 0
    assert f"{key[:8]}…" in out and key not in out and "read-only" in out


def test_token_for_unknown_user_is_exit_2(env, cli):
    code, _, err = cli("token", "create", "--username", "ghost")
    assert code == 2
    assert "no user named 'ghost'" in err


# -- runjob --local --------------------------------------------------------------------------------


def test_runjob_local_prints_log_lines_in_order_and_succeeds(env, cli):
    enable("hello_jobs.HelloJobs")

    code, out, err = cli("runjob", "--local", "--data", '{"person_name": "Ada", "greeting_count": 3}',
                         "local/hello_jobs/HelloJobs")
    assert code == 0, err
    hellos = [line for line in out.splitlines() if "Hello, Ada!" in line]
    assert [line.split()[:2] for line in hellos] == [["INFO", "run"]] * 3
    assert [line.rsplit(" ", 1)[1] for line in hellos] == ["(1)", "(2)", "(3)"]
    assert out.index("Running job") < out.index("Hello, Ada! (1)") < out.index("Job completed")
    assert "Status: SUCCESS" in out
    result_id = re.search(rf"Result: ({UUID})", out).group(1)
    result = JobResult.get_by_id(result_id)
    assert result.status == Status.STATUS_SUCCESS and result.user is None


def test_runjob_local_failure_is_exit_1_with_return_value(env, cli):
    enable("check_occasion.CheckOccasion")

    code, out, _ = cli("runjob", "--local", "--data", '{"occasion": "Taco Monday"}', OCCASION)
    assert code == 1
    assert re.search(r"^FAILURE\s+run\s+It's supposed to be Tuesday!$", out, re.M)
    assert "Status: FAILURE" in out
    assert 'Return value: "Taco Monday"' in out


def test_runjob_local_exception_prints_the_traceback(env, cli):
    enable("check_occasion.CheckOccasion")

    code, out, _ = cli("runjob", "--local", "--data", '{"occasion": "Monday"}', OCCASION)
    assert code == 1
    assert "Traceback:" in out and "Exception: Input validation failed." in out


def test_runjob_bad_data_lists_every_field_error(env, cli):
    enable("hello_jobs.HelloJobs")

    code, _, err = cli("runjob", "--local", "--data", '{"greeting_count": 0, "colour": "red"}',
                         "hello_jobs.HelloJobs")
    assert code == 2
    assert_sentence(err)
    assert "greeting_count: Number must be at least 1." in err
    assert re.search(r"colour: .*unknown", err)
    assert JobResult.select().count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [("{", "--data is not valid JSON"), ("[1, 2]", "--data must be a JSON object")],
)
def test_runjob_data_must_be_a_json_object(env, cli, data, message):
    enable("hello_jobs.HelloJobs")
    code, _, err = cli("runjob", "--local", "--data", data, "hello_jobs.HelloJobs")
    assert code == 2
    assert_sentence(err)
    assert message in err


def test_runjob_disabled_job_is_exit_2(env, cli):
    for argv in (("--local",), ("--timeout", "0")):
        code, _, err = cli("runjob", *argv, "hello_jobs.HelloJobs")
        assert code == 2
        assert_sentence(err)
        assert "not enabled" in err
        assert "`jobdeck jobs enable hello_jobs.HelloJobs`" in err
    assert JobResult.select().count() == 0


def test_runjob_disabled_job_without_permission_says_no_permission(env, cli):
    cli("createuser", "bob", "--password", "pw")
    code, _, err = cli("runjob", "--local", "--username", "bob", HELLO)
    assert code == 2
    assert "permission" in err and "jobs enable" not in err


def test_runjob_unknown_job_and_unknown_user_are_exit_2(env, cli):
    enable("hello_jobs.HelloJobs")
    assert cli("runjob", "--local", "hello_jobs.Nope")[0] == 2
    code, _, err = cli("runjob", "--local", "--username", "ghost", "hello_jobs.HelloJobs")
    assert code == 2
    assert "no user named 'ghost'" in err


def test_runjob_unknown_queue_is_exit_2(env, cli):
    enable(HELLO)
    code, _, err = cli("runjob", "--queue", "nope", HELLO)
    assert code == 2
    assert "--queue: 'nope' is not a queue of this job" in err
    assert JobResult.select().count() == 0


def test_runjob_commit_needs_a_username(env, cli):
    enable("hello_jobs.HelloJobs")
    code, out, err = cli("runjob", "--local", "--commit", "hello_jobs.HelloJobs")
    assert (code, out) == (2, "")
    assert_sentence(err)
    assert "--commit: Committing changes needs a named user (runjob --username)" in err
    assert JobResult.select().count() == 0


def test_runjob_with_username_checks_permissions(env, cli):
    enable("hello_jobs.HelloJobs")
    User.create(username="bob")

    code, _, err = cli("runjob", "--local", "--username", "bob", "hello_jobs.HelloJobs")
    assert code == 2
    assert_sentence(err)
    assert "You do not have permission" in err

    permission = ObjectPermission.create(name="run hello", object_types=["extras.job"], actions=["run"],
                                         constraints={"grouping": "Hello Jobs"})
    PermissionUser.create(permission=permission, user=User.get(User.username == "bob"))
    code, out, err = cli("runjob", "--local", "--username", "bob", "hello_jobs.HelloJobs")
    assert code == 0, err
    result_id = re.search(rf"Result: ({UUID})", out).group(1)
    assert JobResult.get_by_id(result_id).user.username == "bob"


def test_runjob_commit_turns_dry_run_off(env, cli):
    (env.jobs_root / "dryrun_report.py").write_text(DRYRUN_JOB)
    assert cli("sync")[0] == 0
    enable("dryrun_report.DryRunReport")
    User.create(username="ada", is_superuser=True)

    code, out, _ = cli("runjob", "--local", "dryrun_report.DryRunReport")
    assert code == 0
    assert "dryrun=True user=jobdeck-system" in out

    code, out, _ = cli("runjob", "--local", "--commit", "--username", "ada", "dryrun_report.DryRunReport")
    assert code == 0
    assert "dryrun=False user=ada" in out

    # an explicit value in --data wins over --commit
    code, out, _ = cli("runjob", "--local", "--commit", "--username", "ada", "--data", '{"dryrun": true}',
                       "dryrun_report.DryRunReport")
    assert "dryrun=True user=ada" in out


def test_runjob_uploads_files_for_file_variables(env, cli, tmp_path):
    enable("read_csv.ReadCSVJob")
    upload = tmp_path / "people.csv"
    upload.write_text("hostname,ip_address\nrouter1,10.0.0.1\nrouter2,10.0.0.2\n")

    code, out, err = cli("runjob", "--local", "--file", f"input_file={upload}", "read_csv.ReadCSVJob")
    assert code == 0, out + err
    assert "Hostname: router1, IP Address: 10.0.0.1" in out
    assert "Hostname: router2, IP Address: 10.0.0.2" in out

    code, _, err = cli("runjob", "--local", "--file", f"nope={upload}", "read_csv.ReadCSVJob")
    assert code == 2
    assert "nope: This is not a file variable of the job." in err
    code, _, err = cli("runjob", "--local", "--file", "input_file", "read_csv.ReadCSVJob")
    assert code == 2
    assert "VARIABLE=PATH" in err


def test_runjob_profile_logs_a_readable_pstats_file(env, cli):
    enable("hello_jobs.HelloJobs")

    code, out, err = cli("runjob", "--local", "--profile", "hello_jobs.HelloJobs")
    assert code == 0, err
    match = re.search(r"^INFO\s+profiling\s+Wrote profiling information to (\S+\.pstats)$", out, re.M)
    assert match, out
    path = match.group(1)
    assert os.path.exists(path)
    stats = pstats.Stats(path)
    assert any(function[2] == "run" for function in stats.stats)  # HelloJobs.run was profiled
    assert f"{os.path.basename(path)} (" in out  # listed among the output files
    os.unlink(path)


def test_runjob_save_files_writes_the_output_files(env, cli, tmp_path):
    enable("hello_jobs.HelloJobs")
    target = tmp_path / "out"
    code, _, _ = cli("runjob", "--local", "--profile", "--save-files", str(target), "hello_jobs.HelloJobs")
    assert code == 0
    saved = list(target.glob("job-result-*.pstats"))
    assert len(saved) == 1 and pstats.Stats(str(saved[0]))


# -- runjob through the queue, without a worker ---------------------------------------------------


def test_runjob_timeout_leaves_the_job_queued_and_says_how_to_follow(env, cli):
    enable("hello_jobs.HelloJobs")

    code, out, err = cli("runjob", "--timeout", "0.3", "hello_jobs.HelloJobs")
    assert code == 3
    result_id = re.search(rf"result ({UUID})", out).group(1)
    assert JobResult.get_by_id(result_id).status == Status.STATUS_PENDING
    assert "No live worker listens on" in err
    assert f"jobdeck results show {result_id} --follow" in err


def test_ctrl_c_while_following_exits_130_without_cancelling(env, cli, monkeypatch):
    from app.cli import follow

    enable("hello_jobs.HelloJobs")

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(follow.time, "sleep", interrupt)
    code, out, err = cli("runjob", "hello_jobs.HelloJobs")
    assert code == 130
    result_id = re.search(rf"result ({UUID})", out).group(1)
    assert "the job keeps running" in err
    assert f"jobdeck results cancel {result_id}" in err
    assert JobResult.get_by_id(result_id).status == Status.STATUS_PENDING


def test_results_show_and_cancel(env, cli):
    enable("hello_jobs.HelloJobs")
    _, out, _ = cli("runjob", "--timeout", "0", "hello_jobs.HelloJobs")
    result_id = re.search(rf"result ({UUID})", out).group(1)

    code, out, _ = cli("results", "show", result_id)
    assert code == 0 and "Status: PENDING" in out

    code, out, _ = cli("results", "cancel", result_id)
    assert code == 0
    assert JobResult.get_by_id(result_id).status == Status.STATUS_REVOKED

    code, out, _ = cli("results", "show", result_id, "--follow")
    assert code == 1
    assert re.search(r"^WARNING\s+cancel\s+Cancelled", out, re.M)
    assert "Status: REVOKED" in out
    assert "Reason:\n  Cancelled." in out

    code, _, err = cli("results", "cancel", result_id)
    assert code == 1 and "has already finished (REVOKED)" in err
    assert cli("results", "show", str(uuid.uuid4()))[0] == 2
    assert cli("results", "show", "not-a-uuid")[0] == 2


def add_result(job: str = HELLO, status=Status.STATUS_SUCCESS, *, id=None, minutes_ago=0, user=None):
    import datetime

    from app.db import utcnow

    record = JobRecord.get_for_class_path(job)
    created = utcnow() - datetime.timedelta(minutes=minutes_ago)
    return JobResult.create(id=id or uuid.uuid4(), job_record=record, name=record.name, status=status,
                            date_created=created, user=user)


def table_rows(out: str) -> list[list[str]]:
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["ID", "CREATED", "(UTC)", "STATUS"]
    return [row.split() for row in rows]


def test_results_list_shows_the_newest_first(env, cli):
    ada = User.create(username="ada", password_hash="x")
    old = add_result(HELLO, Status.STATUS_FAILURE, minutes_ago=5, user=ada)
    new = add_result(OCCASION, Status.STATUS_SUCCESS, minutes_ago=1)

    code, out, err = cli("results", "list")
    assert (code, err) == (0, "")
    rows = table_rows(out)
    assert [row[0] for row in rows] == [str(new.id), str(old.id)]
    assert rows[0][3:] == ["SUCCESS", OCCASION, "-"]
    assert rows[1][3:] == ["FAILURE", HELLO, "ada"]
    assert cli("results") == cli("results", "list")  # listing is the default


def test_results_list_filters_by_job_status_and_limit(env, cli):
    hello_failed = add_result(HELLO, Status.STATUS_FAILURE, minutes_ago=3)
    add_result(HELLO, Status.STATUS_SUCCESS, minutes_ago=2)
    add_result(OCCASION, Status.STATUS_FAILURE, minutes_ago=1)

    for job in (HELLO, "local/hello_jobs/HelloJobs", "Say Hello", "say hello"):
        _, out, _ = cli("results", "list", "--job", job)
        assert {row[4] for row in table_rows(out)} == {HELLO} and len(table_rows(out)) == 2
    _, out, _ = cli("results", "list", "--job", HELLO, "--status", "failure")
    assert [row[0] for row in table_rows(out)] == [str(hello_failed.id)]

    code, out, err = cli("results", "list", "--limit", "2")
    assert code == 0 and len(table_rows(out)) == 2
    assert "newest 2 of 3" in err

    code, out, _ = cli("results", "list", "--status", "REVOKED")
    assert (code, out) == (0, "No job results match.\n")


def test_results_list_bad_filters_are_exit_2(env, cli):
    code, out, err = cli("results", "list", "--status", "DONE")
    assert (code, out) == (2, "")
    assert "SUCCESS" in err and "REVOKED" in err  # the valid ones

    code, out, err = cli("results", "list", "--job", "Nope")
    assert (code, out) == (2, "")
    assert_sentence(err)
    assert "no job with the class path or name 'Nope'" in err

    assert cli("results", "list", "--limit", "0")[0] == 2


def test_results_list_with_two_jobs_of_the_same_name_asks_for_the_class_path(env, cli):
    JobRecord.update(name="Say Hello").where(JobRecord.class_path == OCCASION).execute()
    code, _, err = cli("results", "list", "--job", "Say Hello")
    assert code == 2
    assert HELLO in err and OCCASION in err


def test_result_ids_may_be_given_by_a_unique_prefix(env, cli):
    first = add_result(HELLO, Status.STATUS_PENDING, id=uuid.UUID("abcd1234-0000-4000-8000-000000000001"))
    add_result(HELLO, Status.STATUS_SUCCESS, id=uuid.UUID("abcd5678-0000-4000-8000-000000000002"))

    code, out, err = cli("results", "show", "abcd12")
    assert code == 0, err
    assert "Status: PENDING" in out

    code, out, err = cli("results", "cancel", "ABCD1234-00")  # any case; dashes as in the full id
    assert code == 0, err
    assert f"Cancelled job result {first.id}." in out
    assert JobResult.get_by_id(first.id).status == Status.STATUS_REVOKED


def test_an_ambiguous_or_unknown_result_prefix_is_exit_2(env, cli):
    one = add_result(HELLO, id=uuid.UUID("abcd1234-0000-4000-8000-000000000001"))
    two = add_result(HELLO, id=uuid.UUID("abcd5678-0000-4000-8000-000000000002"))

    for action in ("show", "cancel"):
        code, out, err = cli("results", action, "abcd")
        assert (code, out) == (2, "")
        assert_sentence(err)
        assert "matches several" in err and str(one.id) in err and str(two.id) in err

        code, out, err = cli("results", action, "ffff")
        assert (code, out) == (2, "")
        assert "no job result whose id starts with 'ffff'" in err

        code, _, err = cli("results", action, "xyz")
        assert code == 2 and "not a job result id" in err
    assert JobResult.select().where(JobResult.status == Status.STATUS_REVOKED).count() == 0


def test_result_prefixes_work_on_postgres(request, cli, monkeypatch):
    from app import db
    from app.catalog import sync_jobs

    config = request.getfixturevalue("postgres")  # imported from tests.test_postgres
    db.migrate()
    sync_jobs(config.jobs_root)
    use_environment(config, monkeypatch)
    one = add_result(HELLO, id=uuid.UUID("abcd1234-0000-4000-8000-000000000001"))
    two = add_result(HELLO, id=uuid.UUID("abcd5678-0000-4000-8000-000000000002"))

    code, out, err = cli("results", "show", "abcd-12")
    assert code == 0, err
    assert f"Result: {one.id}" in out
    code, _, err = cli("results", "show", "ABCD")
    assert code == 2 and str(one.id) in err and str(two.id) in err


# -- version ---------------------------------------------------------------------------------------


def test_version_is_printed_and_is_the_one_the_api_reports(env, cli):
    import tomllib

    from app import __version__
    from tests.factories import make_app

    code, out, _ = cli("--version")
    assert (code, out) == (0, f"jobdeck {__version__}\n")

    # One source of truth: the built package takes its version from app.__version__ too.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}

    cli("createsuperuser", "ada", "--password", "pw")
    _, key = Token.issue(User.get(User.username == "ada"))
    status = make_app(env).test_client().get("/api/status/", headers={"Authorization": f"Token {key}"})
    assert status.json["jobdeck-version"] == out.split()[1]


# -- errors are sentences --------------------------------------------------------------------------


def test_invalid_configuration_is_a_sentence(env, cli, monkeypatch):
    monkeypatch.setenv("JOBDECK_SOFT_TIME_LIMIT", "soon")
    code, _, err = cli("jobs", "list")
    assert code == 2
    assert_sentence(err)
    assert "JOBDECK_SOFT_TIME_LIMIT" in err


def test_unsupported_database_url_is_a_sentence(env, cli, monkeypatch):
    monkeypatch.setenv("JOBDECK_DATABASE_URL", "mysql://localhost/jobdeck")
    code, _, err = cli("migrate")
    assert code == 2
    assert_sentence(err)
    assert "JOBDECK_DATABASE_URL" in err


def test_locations_are_printed_without_passwords():
    from app.cli.common import describe_url

    assert describe_url("postgresql://jobdeck:s3cret@db.example:5432/jobdeck") == (
        "postgresql://jobdeck:***@db.example:5432/jobdeck"
    )
    assert describe_url("redis://cache:6379/0") == "redis://cache:6379/0"
    assert describe_url("sqlite:///relative.sqlite3") == os.path.abspath("relative.sqlite3")


def test_usage_errors_exit_2(env, cli):
    assert cli("runjob")[0] == 2
    assert cli("createsuperuser", "--password", "x")[0] == 2
    assert cli("token", "create", "--username", "ada", "--expires-days", "0")[0] == 2


# -- as a real process -----------------------------------------------------------------------------


def test_subprocess_runjob_local_and_exit_statuses(jobdeck):
    enable("hello_jobs.HelloJobs")

    done = run_subprocess(jobdeck, "runjob", "--local", "--data", '{"greeting_count": 2}',
                          "local/hello_jobs/HelloJobs")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Hello, world!") == 2
    assert done.stdout.index("Hello, world! (1)") < done.stdout.index("Hello, world! (2)")

    done = run_subprocess(jobdeck, "runjob", "--local", "--data", '{"greeting_count": -1}', HELLO)
    assert done.returncode == 2
    assert "greeting_count: Number must be at least 1." in done.stderr
    assert "Traceback" not in done.stderr


def test_subprocess_jobs_list_and_sync(jobdeck):
    done = run_subprocess(jobdeck, "jobs", "list")
    assert done.returncode == 0, done.stderr
    assert "hello_jobs.HelloJobs" in done.stdout

    (jobdeck.jobs_root / "extra_job.py").write_text(textwrap.dedent(DRYRUN_JOB))
    done = run_subprocess(jobdeck, "sync")
    assert done.returncode == 0, done.stderr
    assert "new (disabled until enabled): extra_job.DryRunReport" in done.stdout


def test_subprocess_default_database_is_in_the_working_directory(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOBDECK_")}
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-m", "app.cli", "migrate"], capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(REPO)}, cwd=work, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (work / "jobdeck.sqlite3").exists()


def test_subprocess_runjob_local_prints_lines_while_the_job_runs(jobdeck):
    class_path = add_waiting_job(jobdeck)
    assert_lines_arrive_while_running(jobdeck, "--local", class_path)


# -- through a real worker -------------------------------------------------------------------------


@pytest.fixture
def cli_worker(jobdeck, tmp_path):
    """``jobdeck worker`` as a real process on the test's database and queue; stopped with Ctrl-C."""
    from app.models import WorkerHeartbeat

    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--workers", "1"],
                                   env=subprocess_env(jobdeck), cwd=jobdeck.jobs_root.parent,
                                   stdout=log, stderr=subprocess.STDOUT)

    def give_up(reason):
        if process.poll() is None:
            process.kill()
            process.wait()
        pytest.fail(f"jobdeck worker {reason}:\n{log_path.read_text()}")

    deadline = time.monotonic() + 30
    while not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == process.pid).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            give_up("did not start")
        time.sleep(0.05)
    time.sleep(0.5)
    if process.poll() is not None:
        give_up("stopped right after starting")
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_runjob_through_a_worker_prints_lines_as_they_arrive(jobdeck, worker):
    class_path = add_waiting_job(jobdeck)
    output = assert_lines_arrive_while_running(jobdeck, class_path)
    assert "No live worker listens on" not in output
    result_id = re.search(rf"Result: ({UUID})", output).group(1)
    assert JobResult.get_by_id(result_id).worker  # it really ran on the worker


def test_runjob_prints_every_log_line_of_a_worker_run_in_order(env, worker, cli):
    enable(HELLO)
    code, out, err = cli("runjob", "--data", '{"greeting_count": 5}', HELLO)
    assert code == 0, err
    result_id = re.search(rf"Result: ({UUID})", out).group(1)
    assert JobResult.get_by_id(result_id).worker == worker.name
    messages = log_messages(result_id)
    assert len(messages) == 7  # running, five hellos, completed
    position = 0
    for message in messages:
        position = out.index(message, position) + len(message)
    assert out.index("Status: SUCCESS") > position


def test_jobdeck_worker_runs_jobs_and_runjob_reports_failure(jobdeck, cli_worker):
    enable("check_occasion.CheckOccasion")
    done = run_subprocess(jobdeck, "runjob", "--data", '{"occasion": "Taco Monday"}', OCCASION)
    assert done.returncode == 1, done.stderr
    assert re.search(r"^FAILURE\s+run\s+It's supposed to be Tuesday!$", done.stdout, re.M)
    assert "Status: FAILURE" in done.stdout


def test_worker_command_stops_cleanly_on_ctrl_c(jobdeck, cli_worker):
    from app.models import WorkerHeartbeat

    cli_worker.send_signal(signal.SIGINT)
    assert cli_worker.wait(timeout=30) == 0
    assert not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == cli_worker.pid).exists()
