"""Git repository jobs on real workers: new commits without restart, syncs during runs, other machines."""

from __future__ import annotations

import shutil

import pytest

from app.execution.submit import submit
from app.git.repositories import add_repository
from app.git.sync import start_sync
from app.models import GitRepository
from app.models import JobRecord
from tests.support.git_remote import Remote
from tests.support.git_remote import job_file
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.support.worker import wait_for_status


@pytest.fixture
def repository(jobdeck, tmp_path):
    remote = Remote(tmp_path / "remote")
    remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha"),
                   "jobs/slow.py": job_file("Slow", sleep=2.0)})
    repository = add_repository(name="ops", remote_url=remote.url)
    repository.remote = remote
    return repository


def sync_by_worker(repository):
    result = wait_for_result(start_sync(repository).id, timeout=30)
    assert result.status == "SUCCESS", (result.traceback, log_messages(result.id))
    return result


def enabled(class_path: str) -> JobRecord:
    record = JobRecord.get_for_class_path(class_path)
    record.enabled = True
    record.save()
    return record


def test_a_sync_is_a_background_job_and_the_next_run_uses_the_new_commit_without_restart(repository, worker):
    sync = sync_by_worker(repository)
    assert "jobs/alpha.py: loaded Alpha" in log_messages(sync.id)
    assert sync.result["status"] == "success"
    record = enabled("ops.jobs.alpha.Alpha")
    first = wait_for_result(submit(record, None, {}).id)
    assert first.status == "SUCCESS" and first.result == "1"

    new_commit = repository.remote.commit({"jobs/alpha.py": job_file("Alpha", "2")})
    sync_by_worker(repository)

    second = wait_for_result(submit(JobRecord.get_by_id(record.id), None, {}).id)
    assert second.status == "SUCCESS" and second.result == "2", second.traceback
    assert second.git_commit == new_commit
    assert worker.alive and "Alpha version 2 done" in log_messages(second.id)


def test_a_sync_during_a_run_leaves_the_run_on_its_commit(repository, worker):
    sync_by_worker(repository)
    old_commit = GitRepository.get_by_id(repository.id).current_commit
    running = submit(enabled("ops.jobs.slow.Slow"), None, {})
    wait_for_status(running.id, "STARTED")

    repository.remote.commit({"jobs/slow.py": job_file("Slow", "2", sleep=0.1)})
    sync_by_worker(repository)

    finished = wait_for_result(running.id)
    assert finished.status == "SUCCESS" and finished.result == "1"
    assert finished.git_commit == old_commit
    assert log_messages(finished.id)[-2:] == ["Slow version 1 done", "Job completed"]
    again = wait_for_result(submit(JobRecord.get_for_class_path("ops.jobs.slow.Slow"), None, {}).id)
    assert again.result == "2"


def test_a_worker_with_an_empty_git_root_fetches_the_commit(repository, worker_factory, tmp_path):
    sync_by_worker_here = worker_factory()
    sync_by_worker(repository)
    sync_by_worker_here.stop()
    other_root = tmp_path / "other-machine"
    worker_factory(env={"JOBDECK_GIT_ROOT": str(other_root)})
    commit = GitRepository.get_by_id(repository.id).current_commit

    result = wait_for_result(submit(enabled("ops.jobs.alpha.Alpha"), None, {}).id, timeout=30)

    assert result.status == "SUCCESS", result.traceback
    assert result.git_commit == commit
    assert (other_root / "ops" / "commits" / commit / "jobs" / "alpha.py").is_file()


def test_a_worker_that_cannot_get_the_commit_records_errored(repository, worker_factory, tmp_path):
    first = worker_factory()
    sync_by_worker(repository)
    first.stop()
    shutil.rmtree(repository.remote.path)  # the remote is gone, and this machine never had the commit
    worker_factory(env={"JOBDECK_GIT_ROOT": str(tmp_path / "other-machine")})
    commit = GitRepository.get_by_id(repository.id).current_commit

    result = wait_for_result(submit(enabled("ops.jobs.alpha.Alpha"), None, {}).id, timeout=30)

    assert result.status == "ERRORED"
    assert f"commit {commit} of the Git repository \u201cops\u201d is not on this machine" in result.traceback


def test_a_sync_that_hangs_is_stopped_at_the_time_limit_and_changes_nothing(repository, worker_factory):
    worker = worker_factory(env={"JOBDECK_TIME_LIMIT": "3"})
    sync_by_worker(repository)
    first = GitRepository.get_by_id(repository.id).current_commit
    repository.remote.commit({"jobs/hangs.py": "import time\n\ntime.sleep(120)\n"})

    result = wait_for_result(start_sync(repository).id, timeout=30)

    assert result.status == "ERRORED"
    assert "the sync took longer than 3 s (JOBDECK_TIME_LIMIT) and was stopped" in result.traceback
    stored = GitRepository.get_by_id(repository.id)
    assert stored.sync_status == "failed" and stored.current_commit == first
    assert worker.alive
    after = wait_for_result(submit(enabled("ops.jobs.alpha.Alpha"), None, {}).id)
    assert after.status == "SUCCESS" and after.git_commit == first


def test_a_git_root_that_cannot_be_written_errors_the_run_with_a_sentence(repository, worker_factory, tmp_path):
    first = worker_factory()
    sync_by_worker(repository)
    first.stop()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the git root should be")
    worker_factory(env={"JOBDECK_GIT_ROOT": str(blocked)})

    result = wait_for_result(submit(enabled("ops.jobs.alpha.Alpha"), None, {}).id, timeout=30)

    assert result.status == "ERRORED"
    assert result.traceback.startswith("The job could not be loaded: the commit ")
    assert "could not be made ready" in result.traceback
