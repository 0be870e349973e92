"""Git repositories of jobs, in process: sync, layouts, failures, security, runs at the synced commit."""

from __future__ import annotations

import os
import sys

import pytest

from app.execution.submit import run_in_process
from app.git.checkout import commit_dir
from app.git.remote import GitInputError
from app.git.remote import check_branch
from app.git.remote import check_url
from app.git.repositories import add_repository
from app.git.repositories import delete_repository
from app.git.sync import create_sync_result
from app.git.sync import run_sync
from app.jobs.loader import KEPT_COMMITS
from app.models import GitRepository
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from app.testing import run_job_for_testing
from tests.support.git_remote import Remote
from tests.support.git_remote import job_file
from tests.test_postgres import postgres  # noqa: F401 - a fixture (skips without a server, fails under CI)

TWO_X_INIT = '''from app.jobs import register_jobs

from .alpha import Alpha
from .beta import Beta

register_jobs(Alpha, Beta)
'''


def two_x_job(class_name: str, version: str = "1") -> str:
    # 2.x layout: the file only defines the class; jobs/__init__.py registers it.
    return job_file(class_name, version).replace(f"\n\nregister_jobs({class_name})\n", "\n")


@pytest.fixture
def remote(tmp_path):
    remote = Remote(tmp_path / "remote")
    remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha"), "jobs/beta.py": job_file("Beta"),
                   "README.md": "jobs"}, "first")
    return remote


def sync(repository, echo=None) -> tuple[str, list[str]]:
    result = create_sync_result(repository)
    outcome = run_sync(result.id, echo=echo)
    lines = [entry.message for entry in JobLogEntry.select().where(JobLogEntry.job_result == result.id)
             .order_by(JobLogEntry.id)]
    return outcome, lines


def refreshed(repository) -> GitRepository:
    return GitRepository.get_by_id(repository.id)


def run(class_path: str) -> JobResult:
    record = JobRecord.get_for_class_path(class_path)
    if not record.enabled:
        record.enabled = True
        record.save()
    return run_in_process(record, None, {})


def test_first_sync_loads_jobs_disabled_under_the_repository_namespace(jobdeck, remote):
    repository = add_repository(name="Net Ops", remote_url=remote.url)
    assert repository.slug == "net-ops" and repository.branch == "main"

    printed = []
    outcome, lines = sync(repository, echo=printed.append)

    assert outcome == "success"
    assert printed == lines
    assert "jobs/alpha.py: loaded Alpha" in lines and "jobs/beta.py: loaded Beta" in lines
    repository = refreshed(repository)
    assert repository.current_commit == remote.git("rev-parse", "HEAD")
    assert repository.sync_status == "success" and repository.last_sync_time is not None
    records = {record.class_path: record for record in JobRecord.select().where(JobRecord.source == "git")}
    assert set(records) == {"net-ops.jobs.alpha.Alpha", "net-ops.jobs.beta.Beta"}
    assert all(not record.enabled and record.installed for record in records.values())
    assert records["net-ops.jobs.alpha.Alpha"].repository_id == repository.id
    assert (commit_dir("net-ops", repository.current_commit) / "jobs" / "alpha.py").is_file()


def test_2x_layout_registers_each_class_once(jobdeck, tmp_path):
    remote = Remote(tmp_path / "two")
    remote.commit({"jobs/__init__.py": TWO_X_INIT, "jobs/alpha.py": two_x_job("Alpha"),
                   "jobs/beta.py": two_x_job("Beta")})
    repository = add_repository(name="two", remote_url=remote.url)

    outcome, lines = sync(repository)

    assert outcome == "success", lines
    paths = sorted(record.class_path for record in JobRecord.select().where(JobRecord.source == "git"))
    assert paths == ["two.jobs.alpha.Alpha", "two.jobs.beta.Beta"]
    assert run("two.jobs.beta.Beta").result == "1"


def test_a_new_commit_runs_new_code_and_the_result_records_its_commit(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    first = run("ops.jobs.alpha.Alpha")
    assert first.status == "SUCCESS" and first.result == "1"
    assert first.git_commit == refreshed(repository).current_commit

    second_commit = remote.commit({"jobs/alpha.py": job_file("Alpha", "2")})
    assert run("ops.jobs.alpha.Alpha").result == "1"  # not synced yet: still the synced commit
    sync(repository)

    second = run("ops.jobs.alpha.Alpha")
    assert second.result == "2" and second.git_commit == second_commit


def test_the_legacy_class_path_names_the_same_record(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    record = JobRecord.get_for_class_path("git/ops/alpha/Alpha")
    assert record.class_path == "ops.jobs.alpha.Alpha"
    assert record.legacy_class_path == "git/ops/alpha/Alpha"
    assert JobRecord.get_for_class_path("git/ops/jobs.alpha/Alpha").id == record.id
    record.enabled = True
    record.save()
    result = run_job_for_testing("git/ops/alpha/Alpha")
    assert result.status == "SUCCESS" and result.result == "1"


def test_a_removed_job_is_no_longer_installed(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    remote.commit({"jobs/beta.py": None})
    outcome, lines = sync(repository)
    assert outcome == "success"
    assert "no longer installed: ops.jobs.beta.Beta" in lines
    assert not JobRecord.get_for_class_path("ops.jobs.beta.Beta").installed
    assert JobRecord.get_for_class_path("ops.jobs.alpha.Alpha").installed


def test_one_broken_file_is_a_partial_sync_and_its_jobs_keep_running_at_their_commit(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    first = refreshed(repository).current_commit
    second = remote.commit({"jobs/alpha.py": job_file("Alpha", "2"), "jobs/beta.py": "def broken(:\n"})

    outcome, lines = sync(repository)

    assert outcome == "partial"
    assert "jobs/alpha.py: loaded Alpha" in lines
    assert any(line.startswith("jobs/beta.py: failed: SyntaxError") and "beta.py, line 1" in line for line in lines)
    repository = refreshed(repository)
    assert repository.current_commit == second and "beta" in repository.sync_error
    assert run("ops.jobs.alpha.Alpha").result == "2"
    beta = run("ops.jobs.beta.Beta")
    assert beta.status == "SUCCESS" and beta.git_commit == first


@pytest.mark.parametrize("change", ["no_init", "unreachable", "missing_branch"])
def test_a_failed_sync_keeps_the_previous_commit_and_its_jobs(jobdeck, remote, tmp_path, change):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    repository = refreshed(repository)
    first = repository.current_commit
    if change == "no_init":
        remote.commit({"jobs/__init__.py": None, "jobs/alpha.py": job_file("Alpha", "2")})
        expected = "has no jobs/__init__.py"
    elif change == "unreachable":
        repository.remote_url = f"file://{tmp_path / 'nowhere'}"
        repository.save()
        expected = "git fetch from file://"
    else:
        repository.branch = "no-such-branch"
        repository.save()
        expected = "The branch \u201cno-such-branch\u201d does not exist"

    outcome, lines = sync(repository)

    assert outcome == "failed"
    repository = refreshed(repository)
    assert expected in repository.sync_error and any(expected in line for line in lines)
    assert repository.current_commit == first
    assert run("ops.jobs.alpha.Alpha").result == "1"
    assert JobRecord.get_for_class_path("ops.jobs.beta.Beta").installed


def test_a_branch_switch_and_a_force_push(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    repository = refreshed(repository)
    remote.git("checkout", "-q", "-b", "dev")
    dev = remote.commit({"jobs/alpha.py": job_file("Alpha", "dev")})
    repository.branch = "dev"
    repository.save()
    assert sync(repository)[0] == "success"
    repository = refreshed(repository)
    assert refreshed(repository).current_commit == dev
    assert run("ops.jobs.alpha.Alpha").result == "dev"

    remote.git("reset", "-q", "--hard", "main")  # rewrite dev's history: a force-push
    rewritten = remote.commit({"jobs/alpha.py": job_file("Alpha", "rewritten")})
    assert sync(repository)[0] == "success"
    assert refreshed(repository).current_commit == rewritten
    assert run("ops.jobs.alpha.Alpha").result == "rewritten"


@pytest.mark.parametrize("url", [
    "ext::sh -c touch% /tmp/pwned", "EXT::ssh", "fd::17", "-uhttps://example.com/x.git", "--upload-pack=touch /tmp/x",
    "ftp://example.com/x.git", "/srv/git/x.git", "https:///x", "https://-oProxyCommand=x/y",
])
def test_dangerous_urls_are_refused_before_git_runs(jobdeck, url):
    with pytest.raises(GitInputError):
        check_url(url)
    with pytest.raises(GitInputError):
        add_repository(name="bad", remote_url=url)
    assert GitRepository.select().count() == 0


def test_accepted_urls_and_file_urls_only_when_allowed(jobdeck):
    for url in ("https://github.com/org/jobs.git", "http://git.local/jobs", "ssh://git@host/jobs.git",
                "git@github.com:org/jobs.git", "file:///srv/jobs"):
        assert check_url(url) == url
    from app.config import configure

    configure(jobdeck.replace(git_allow_file_remotes=False))
    with pytest.raises(GitInputError, match="JOBDECK_GIT_ALLOW_FILE_REMOTES"):
        check_url("file:///srv/jobs")


@pytest.mark.parametrize("branch", ["-f", "--upload-pack=x", "a..b", "a b", "main:evil", "x~1", "@{-1}", "", "a.lock"])
def test_option_like_or_invalid_branches_are_refused(jobdeck, branch):
    with pytest.raises(GitInputError):
        check_branch(branch)


def test_slugs_cannot_leave_the_git_root(jobdeck, remote):
    for slug in ("../up", "a/b", ".hidden", "-x"):
        with pytest.raises(GitInputError):
            add_repository(name=f"r{slug}", slug=slug, remote_url=remote.url)


def test_credentials_are_redacted_from_errors_and_never_stored(jobdeck, monkeypatch):
    monkeypatch.setenv("OPS_GIT_USER", "deploy-user")
    monkeypatch.setenv("OPS_GIT_TOKEN", "tok-SECRET-4242")
    with pytest.raises(GitInputError, match="Do not put a password in the remote URL"):
        add_repository(name="ops", remote_url="https://deploy:pw-SECRET-99@127.0.0.1:9/org/jobs.git")
    # A row written before that check (or by hand) still never shows its password.
    repository = GitRepository.create(name="ops", slug="ops",
                                      remote_url="https://deploy:pw-SECRET-99@127.0.0.1:9/org/jobs.git",
                                      username_env="OPS_GIT_USER", token_env="OPS_GIT_TOKEN")
    outcome, lines = sync(repository)
    assert outcome == "failed"
    repository = refreshed(repository)
    shown = "\n".join([repository.sync_error, *lines, JobResult.get(JobResult.task_name == "git_sync").traceback])
    assert "127.0.0.1:9" in shown
    for secret in ("pw-SECRET-99", "tok-SECRET-4242"):
        assert secret not in shown
    config = (jobdeck.git_root / "ops" / "repo.git" / "config").read_text()
    assert "SECRET" not in config and "127.0.0.1" not in config


def test_deleting_a_repository_uninstalls_its_jobs_and_removes_its_checkouts(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    result = run("ops.jobs.alpha.Alpha")
    assert (jobdeck.git_root / "ops").is_dir()

    delete_repository(repository)

    assert not (jobdeck.git_root / "ops").exists()
    record = JobRecord.get_for_class_path("ops.jobs.alpha.Alpha")
    assert not record.installed and record.repository_id is None
    assert JobResult.get_by_id(result.id).status == "SUCCESS"


def _git_processes_under(path) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]).startswith(b"git") and cwd.startswith(str(path)):
            found.append(int(entry))
    return found


def test_no_git_process_is_left_after_fifty_syncs(jobdeck, remote, tmp_path):
    repository = add_repository(name="ops", remote_url=remote.url)
    for number in range(50):
        if number % 10 == 0:
            remote.commit({"jobs/alpha.py": job_file("Alpha", str(number))})
        assert sync(repository)[0] == "success"
    assert run("ops.jobs.alpha.Alpha").result == "40"
    assert _git_processes_under(tmp_path) == []
    # Five commits were imported here; the process keeps the modules of the latest few only.
    packages = {name.split(".")[0] for name in sys.modules if name.startswith(f"_jobdeck_git_{repository.id}_")}
    assert 1 <= len(packages) <= KEPT_COMMITS < 5


def test_sync_and_run_on_postgres(postgres, tmp_path):  # noqa: F811
    from app import db

    db.migrate()
    remote = Remote(tmp_path / "pg-remote")
    commit = remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})
    repository = add_repository(name="ops", remote_url=remote.url)
    assert sync(repository)[0] == "success"
    result = run("git/ops/alpha/Alpha")
    assert result.status == "SUCCESS" and result.git_commit == commit
    delete_repository(GitRepository.get_by_id(repository.id))
    assert not JobRecord.get_for_class_path("ops.jobs.alpha.Alpha").installed


def test_a_repository_deleted_and_added_again_takes_its_jobs_back(jobdeck, remote):
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    record = JobRecord.get_for_class_path("ops.jobs.alpha.Alpha")
    result = run("ops.jobs.alpha.Alpha")
    delete_repository(GitRepository.get_by_id(repository.id))

    again = add_repository(name="ops", remote_url=remote.url)
    assert sync(again)[0] == "success"

    stored = JobRecord.get_for_class_path("ops.jobs.alpha.Alpha")
    assert stored.id == record.id and stored.installed and stored.enabled
    assert stored.repository_id == again.id
    assert JobResult.get_by_id(result.id).job_record_id == record.id
    assert run("ops.jobs.alpha.Alpha").status == "SUCCESS"


def test_folders_of_commits_no_job_uses_are_pruned_once_idle(jobdeck, remote):
    from app.config import configure

    configure(jobdeck.replace(time_limit=1.0))
    repository = add_repository(name="ops", remote_url=remote.url)
    sync(repository)
    first = GitRepository.get_by_id(repository.id).current_commit
    second = remote.commit({"jobs/alpha.py": job_file("Alpha", "2"), "jobs/beta.py": job_file("Beta", "2")})
    sync(repository)
    assert commit_dir("ops", first).is_dir()  # used within the last time limit (+60 s): kept
    old = commit_dir("ops", first).stat().st_mtime - 3600
    os.utime(commit_dir("ops", first), (old, old))
    third = remote.commit({"jobs/alpha.py": job_file("Alpha", "3")})

    outcome, lines = sync(repository)

    assert outcome == "success"
    assert not commit_dir("ops", first).exists()
    assert commit_dir("ops", second).is_dir()  # made within the last time limit (+60 s): kept
    assert commit_dir("ops", third).is_dir()
    assert "Removed the folders of 1 commit(s) no job uses any more" in lines


def test_a_class_registered_by_both_its_file_and_jobs_init_is_one_job(jobdeck, tmp_path):
    remote = Remote(tmp_path / "both")
    remote.commit({"jobs/__init__.py": "from app.jobs import register_jobs\n\nfrom .alpha import Alpha\n\n"
                                       "register_jobs(Alpha)\n",
                   "jobs/alpha.py": job_file("Alpha"), "jobs/beta.py": job_file("Beta")})
    repository = add_repository(name="both", remote_url=remote.url)

    outcome, lines = sync(repository)

    assert outcome == "success", lines
    assert sorted(record.class_path for record in JobRecord.select().where(JobRecord.source == "git")) == [
        "both.jobs.alpha.Alpha", "both.jobs.beta.Beta"]
    assert lines.count("jobs/alpha.py: loaded Alpha") == 1
    assert run("both.jobs.alpha.Alpha").result == "1"
