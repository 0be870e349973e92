"""Where job classes come from: the local jobs root, one source per Git repository, one per plugin.

Each source is a folder of job modules imported under a private prefix of its own, with its records
(unique on source, repository, module and class). ``source_for(record)`` names a record's source,
``local()`` and ``git(repository, commit)`` build them. Class paths:

- the jobs root: ``module.Class`` (legacy ``local/module/Class``)
- a Git repository: ``<slug>.jobs.module.Class`` (legacy ``git/<slug>/module/Class``)
- a plugin (``app.sources.plugins``): ``package.module.Class`` (legacy ``plugins/package.module/Class``)
"""

from __future__ import annotations

from app.config import get_config
from app.exceptions import JobLoadError
from app.jobs.loader import ModuleSource
from app.jobs.loader import commit_source
from app.jobs.loader import local_source
from app.models import GitRepository
from app.models import JobRecord

__all__ = ["GitSource", "LocalSource", "git", "local", "source_for"]


class LocalSource:
    """The jobs root (``JOBDECK_JOBS_ROOT``)."""

    key = "local"
    repository = None
    commit = None

    def __init__(self, jobs_root=None):
        self.jobs_root = jobs_root or get_config().jobs_root

    def modules(self) -> ModuleSource:
        return local_source(self.jobs_root)

    def records(self):
        return JobRecord.select().where(JobRecord.source == "local")

    def new_record_values(self) -> dict:
        return {"source": "local"}

    def loaded_values(self) -> dict:
        """Set on the record of every class this source loaded."""
        return {}


class GitSource:
    """One commit of a Git repository's ``jobs/`` package.

    Built from a record alone (its repository's id and slug, its commit), it needs no query while
    the commit's folder is on this machine; otherwise it reads the repository and fetches the commit.
    """

    key = "git"

    def __init__(self, repository_id: int, slug: str, commit: str, repository: GitRepository | None = None):
        self.repository_id, self.slug, self.commit = repository_id, slug, commit
        self._repository = repository

    @property
    def repository(self) -> GitRepository:
        if self._repository is None:
            self._repository = GitRepository.get_or_none(GitRepository.id == self.repository_id)
            if self._repository is None:
                raise JobLoadError(f"its Git repository \u201c{self.slug}\u201d has been deleted")
        return self._repository

    def folder(self):
        """The commit's files on this machine (fetched first when missing); raises JobLoadError."""
        from app.git.checkout import GitError
        from app.git.checkout import commit_dir
        from app.git.checkout import ensure_commit
        from app.git.remote import redact

        try:
            folder = commit_dir(self.slug, self.commit)
            return folder if folder.is_dir() else ensure_commit(self.repository, self.commit)
        except (GitError, ValueError) as exc:
            raise JobLoadError(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a git root that cannot be written, git itself failing, ...
            raise JobLoadError(redact(f"the commit {self.commit} could not be made ready: "
                                      f"{type(exc).__name__}: {exc}")) from None

    def modules(self) -> ModuleSource:
        return commit_source(
            self.folder() / "jobs",
            prefix=f"_jobdeck_git_{self.repository_id}_{self.commit[:12]}",
            class_prefix=f"{self.slug}.jobs.",
            family=f"_jobdeck_git_{self.repository_id}_",
        )

    def records(self):
        """This repository's records, and those a deleted repository of the same slug left behind
        (a repository deleted and added again takes its jobs, their settings and results, back)."""
        left_behind = JobRecord.repository.is_null() & (JobRecord.git_repository == self.slug)
        return JobRecord.select().where((JobRecord.source == "git")
                                        & ((JobRecord.repository == self.repository_id) | left_behind))

    def new_record_values(self) -> dict:
        return {"source": "git", "repository": self.repository_id, "git_repository": self.slug}

    def loaded_values(self) -> dict:
        return {"git_commit": self.commit, "repository": self.repository_id}


def local(jobs_root=None) -> LocalSource:
    return LocalSource(jobs_root)


def git(repository: GitRepository, commit: str | None = None) -> GitSource:
    return GitSource(repository.id, repository.slug, commit or repository.current_commit, repository)


def source_for(record: JobRecord):
    """The source a record's class is loaded from (a Git job: the commit it last loaded at)."""
    if record.source == "local":
        return LocalSource()
    if record.source == "git":
        if record.repository_id is None:
            raise JobLoadError(f"its Git repository \u201c{record.git_repository}\u201d has been deleted")
        if not record.git_commit:
            raise JobLoadError(f"its Git repository \u201c{record.git_repository}\u201d has not been synced")
        return GitSource(record.repository_id, record.git_repository, record.git_commit)
    if record.source == "plugins":
        from app.sources.plugins import plugin_source_for

        return plugin_source_for(record)
    raise JobLoadError(f"jobs from source {record.source!r} are not supported yet")


def pin_run(result) -> str | None:
    """Before a run starts: make sure its job's source is on this machine and record the Git commit
    it runs at on the result. Returns why the run cannot start, or None."""
    from app.models import JobResult

    record = result.job_record
    if record is None or record.source != "git":
        return None
    from app.git.checkout import touch_commit

    try:
        source_for(record).folder()
    except JobLoadError as exc:
        return f"The job could not be loaded: {exc}"
    touch_commit(record.git_repository, record.git_commit)
    result.git_commit = record.git_commit
    JobResult.update(git_commit=record.git_commit).where(JobResult.id == result.id).execute()
    return None
