"""Syncing a Git repository: fetch its branch, extract the commit, load its ``jobs/`` and record it.

``start_sync(repository, user)`` creates the sync's JobResult and queues it; ``run_sync(result_id)``
does the work (in the CLI with ``--wait``; a worker runs it in a forked process of its own,
``run_sync_in_child``, so it never imports a repository's modules itself and a sync that hangs is
killed at ``JOBDECK_TIME_LIMIT``), writing one log line per job file:
loaded with its job names, or failed with the error. A sync that cannot fetch, or finds no
``jobs/__init__.py``, fails and changes nothing: the previous commit and its jobs keep running. A
file that fails to load keeps its jobs at the commit they last loaded at (a partial sync).
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from app import db
from app import sources
from app.catalog import sync_jobs
from app.config import get_config
from app.db import database
from app.db import utcnow
from app.exceptions import JobLoadError
from app.execution import status
from app.execution.joblog import count_lines
from app.git.checkout import GitError
from app.git.checkout import fetch_branch
from app.git.checkout import prune_commits
from app.git.remote import redact
from app.git.remote import redact_url
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices as Level
from app.models import GitRepository
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from app.models.git import SyncStatus

__all__ = ["TASK_NAME", "run_sync", "run_sync_in_child", "start_sync"]

TASK_NAME = "git_sync"


def create_sync_result(repository: GitRepository, user=None) -> JobResult:
    """The PENDING result a sync reports to; the repository shows the sync as pending."""
    with database.atomic():
        result = JobResult.create(
            job_record=None,
            name=f"Git sync: {repository.name}",
            task_name=TASK_NAME,
            user=user if getattr(user, "id", None) is not None else None,
            status=Status.STATUS_PENDING,
            queue=get_config().default_queue,
            options={"git_repository": repository.id},
        )
        GitRepository.update(sync_status=SyncStatus.PENDING).where(GitRepository.id == repository.id).execute()
    return result


def start_sync(repository: GitRepository, user=None) -> JobResult:
    """Queue a sync of ``repository`` on the default queue; return its PENDING result."""
    from app.queue import get_huey

    result = create_sync_result(repository, user)
    huey = get_huey(result.queue)
    try:
        huey.enqueue(huey.jobdeck_tasks["sync_git_repository"].s(str(result.id)))
    except Exception as exc:
        status.finish(result, Status.STATUS_ERRORED, traceback=f"The sync could not be queued: {exc}")
        raise
    return result


class _SyncLog:
    """The sync's log lines: stored with its result, and echoed (the CLI prints them)."""

    def __init__(self, result_id, echo=None):
        self.result_id, self.echo, self.rows = result_id, echo, []

    def __call__(self, level: str, message: str) -> None:
        self.rows.append({"job_result": self.result_id, "log_level": str(level), "grouping": "sync",
                          "message": message, "created": utcnow()})
        if self.echo is not None:
            self.echo(message)
        if len(self.rows) >= 100:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with database.atomic():
                JobLogEntry.insert_many(self.rows).execute()
                count_lines(self.result_id, len(self.rows))
            self.rows = []


def run_sync(result_id, echo=None) -> str:
    """Run the sync a result stands for; return the repository's sync status."""
    result = JobResult.get_or_none(JobResult.id == result_id)
    if result is None or result.is_finished:
        return SyncStatus.FAILED
    repository = GitRepository.get_or_none(GitRepository.id == (result.options or {}).get("git_repository"))
    if repository is None:
        status.finish(result, Status.STATUS_ERRORED, traceback="The Git repository has been deleted.")
        return SyncStatus.FAILED
    if result.status == Status.STATUS_PENDING and not status.mark_started(result, _worker()):
        return SyncStatus.FAILED
    log = _SyncLog(result.id, echo)
    started = time.monotonic()
    try:
        outcome, error, commit = _sync(repository, log)
    except Exception as exc:  # noqa: BLE001 - recorded on the repository and the result, never lost
        outcome, error, commit = SyncStatus.FAILED, redact(f"{type(exc).__name__}: {exc}"), None
        log(Level.LOG_FAILURE, error)
    log(Level.LOG_INFO, f"Sync finished in {time.monotonic() - started:.2f} s: {outcome}")
    log.flush()
    _record(repository, outcome, error, commit)
    final = Status.STATUS_SUCCESS if outcome == SyncStatus.SUCCESS else Status.STATUS_FAILURE
    status.finish(result, final, value={"status": outcome, "commit": commit or repository.current_commit},
                  traceback=error or None)
    return outcome


def run_sync_in_child(result_id) -> None:
    """``run_sync`` in a forked process of its own session, killed (with what it started) at the time limit."""
    from app.execution.process_tree import detach_job_process
    from app.execution.process_tree import kill_group
    from app.execution.process_tree import reap_leftovers

    database = db.open_database(get_config().database_url)  # unconnected: the child connects on its own
    db.database.close()  # SQLite connections must not cross fork()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            detach_job_process(parent)
            db.adopt_after_fork(database)
            run_sync(result_id)
            code = 0
        except BaseException:  # noqa: BLE001 - nothing may unwind into the Huey loop copied into this child
            traceback.print_exc()
        finally:
            os._exit(code)
    limit = get_config().time_limit
    deadline = time.monotonic() + limit
    reason = None
    while True:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            if wait_status:
                reason = f"the sync process ended unexpectedly (wait status {wait_status})"
            break
        if time.monotonic() > deadline:
            kill_group(pid)
            os.waitpid(pid, 0)
            reason = f"the sync took longer than {limit:g} s (JOBDECK_TIME_LIMIT) and was stopped"
            break
        time.sleep(0.02)
    reap_leftovers()
    if reason:
        _abandon(result_id, reason)


def _abandon(result_id, reason: str) -> None:
    result = JobResult.get_or_none(JobResult.id == result_id)
    if result is None or not status.finish(result, Status.STATUS_ERRORED, traceback=reason):
        return
    repository_id = (result.options or {}).get("git_repository")
    repository = GitRepository.get_or_none(GitRepository.id == repository_id)
    if repository is not None:
        _record(repository, SyncStatus.FAILED, reason, None)


def _worker() -> str:
    from app.execution.supervisor import worker_name

    return worker_name()


def _sync(repository: GitRepository, log) -> tuple[str, str, str | None]:
    """(sync status, error, commit now current or None) after fetching and loading."""
    log(Level.LOG_INFO, f"Fetching branch {repository.branch} from {redact_url(repository.remote_url)}")
    try:
        commit = fetch_branch(repository)
    except (GitError, ValueError) as exc:
        log(Level.LOG_FAILURE, str(exc))
        return SyncStatus.FAILED, str(exc), None
    log(Level.LOG_INFO, f"Branch {repository.branch} is at commit {commit}")
    source = sources.git(repository, commit)
    try:
        folder = source.folder()
    except JobLoadError as exc:
        log(Level.LOG_FAILURE, str(exc))
        return SyncStatus.FAILED, str(exc), None
    if not (folder / "jobs" / "__init__.py").is_file():
        error = (f"commit {commit[:12]} has no jobs/__init__.py: a repository provides jobs as a jobs/ package; "
                 "the previous commit's jobs stay")
        log(Level.LOG_FAILURE, error)
        return SyncStatus.FAILED, error, None
    loaded_at = time.monotonic()
    report = sync_jobs(source)
    modules = report.load.modules
    for module in modules:
        where = module.path.relative_to(folder).as_posix()
        if module.error:
            log(Level.LOG_FAILURE, f"{where}: failed: {module.error}")
        else:
            names = ", ".join(job_class.__name__ for job_class in module.job_classes) or "no jobs"
            log(Level.LOG_SUCCESS, f"{where}: loaded {names}")
        for warning in module.warnings:
            log(Level.LOG_WARNING, f"{where}: {warning}")
    log(Level.LOG_INFO, f"{len(report.load.job_classes)} job(s) loaded in {time.monotonic() - loaded_at:.2f} s")
    for class_path in report.created:
        log(Level.LOG_INFO, f"new (disabled until enabled): {class_path}")
    for class_path in report.uninstalled:
        log(Level.LOG_INFO, f"no longer installed: {class_path}")
    errors = [f"{module.name}: {module.error}" for module in modules if module.error]
    if modules and len(errors) == len(modules):
        return SyncStatus.FAILED, "every job file failed to load; the previous commit's jobs stay: " + \
            "; ".join(errors), None
    _prune(repository, commit, log)
    return (SyncStatus.PARTIAL if errors else SyncStatus.SUCCESS), "; ".join(errors), commit


def _prune(repository: GitRepository, commit: str, log) -> None:
    """Remove this machine's folders of commits no job runs at any more, once no run can be using them."""
    records = list(JobRecord.select().where(JobRecord.repository == repository.id))
    keep = {commit, *(record.git_commit for record in records if record.git_commit)}
    # A run touches its commit's folder when it starts; after the longest time limit it has ended.
    longest = max([get_config().time_limit, *(record.effective_time_limits()[1] for record in records)])
    removed = prune_commits(repository.slug, keep, idle_seconds=longest + 60)
    if removed:
        log(Level.LOG_INFO, f"Removed the folders of {len(removed)} commit(s) no job uses any more")


def _record(repository: GitRepository, outcome: str, error: str, commit: str | None) -> None:
    values = {GitRepository.sync_status: outcome, GitRepository.sync_error: error or "",
              GitRepository.last_sync_time: utcnow()}
    if commit:
        values[GitRepository.current_commit] = commit
    GitRepository.update(values).where(GitRepository.id == repository.id).execute()
