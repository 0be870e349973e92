"""``jobdeck git add | sync | list``."""

from __future__ import annotations

from app.models import GitRepository
from app.models import JobRecord
from tests.support.git_remote import Remote
from tests.support.git_remote import job_file
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.test_cli import assert_sentence
from tests.test_cli import cli  # noqa: F401 - a fixture
from tests.test_cli import env  # noqa: F401 - a fixture


def test_add_sync_wait_and_list(env, cli, tmp_path):  # noqa: F811
    remote = Remote(tmp_path / "remote")
    commit = remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha"), "jobs/bad.py": "x = (\n"})

    code, out, err = cli("git", "add", "Net Ops", remote.url, "--token-env", "OPS_TOKEN")
    assert (code, err) == (0, "")
    assert "slug net-ops" in out
    assert GitRepository.get(GitRepository.slug == "net-ops").token_env == "OPS_TOKEN"

    code, out, err = cli("git", "sync", "net-ops", "--wait")
    assert code == 0, err
    lines = out.splitlines()
    assert "jobs/alpha.py: loaded Alpha" in lines
    assert any(line.startswith("jobs/bad.py: failed: SyntaxError") for line in lines)
    assert lines[-1].startswith("Sync finished in") and lines[-1].endswith(": partial")
    assert JobRecord.get_for_class_path("net-ops.jobs.alpha.Alpha").git_commit == commit

    code, out, err = cli("git", "list")
    assert code == 0
    assert "net-ops" in out and commit[:12] in out and "partial" in out
    assert "LAST SYNC (UTC)" in out  # as `results list`: a time without its zone is ambiguous


def test_bad_input_is_a_sentence_and_nothing_is_added(env, cli):  # noqa: F811
    code, out, err = cli("git", "add", "evil", "ext::sh -c id")
    assert code == 2
    assert_sentence(err)
    assert "ext::" in err
    code, out, err = cli("git", "add", "opt", "https://example.com/x.git", "--branch=--upload-pack=x")
    assert code == 2 and "may not start with" in err
    code, out, err = cli("git", "add", "envs", "https://example.com/x.git", "--token-env", "ghp_abc-123")
    assert code == 2 and "NAME of an environment variable" in err
    assert GitRepository.select().count() == 0
    code, out, err = cli("git", "sync", "missing", "--wait")
    assert code == 2 and "No Git repository has the slug 'missing'" in err


def test_sync_without_wait_is_queued_for_a_worker(env, cli, tmp_path, worker):  # noqa: F811
    remote = Remote(tmp_path / "remote")
    remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})
    cli("git", "add", "ops", remote.url)
    code, out, err = cli("git", "sync", "ops")
    assert code == 0
    result_id = out.split("result ")[1].split(";")[0]
    result = wait_for_result(result_id, timeout=30)
    assert result.status == "SUCCESS"
    assert "jobs/alpha.py: loaded Alpha" in log_messages(result_id)


def test_runjob_takes_the_legacy_git_class_path(env, cli, tmp_path):  # noqa: F811
    remote = Remote(tmp_path / "remote")
    remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})
    cli("git", "add", "ops", remote.url)
    cli("git", "sync", "ops", "--wait")
    cli("jobs", "enable", "ops.jobs.alpha.Alpha")

    code, out, err = cli("runjob", "--local", "git/ops/alpha/Alpha")

    assert code == 0, err
    assert "Alpha version 1 done" in out
