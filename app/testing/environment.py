"""A throwaway Jobdeck for tests: a temp SQLite database, migrated, with one jobs folder synced."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from app import config as config_module
from app import db


class JobEnvironment:
    """A fresh, migrated database in a temp folder with the jobs of ``jobs_root`` synced.

    ``jobs_root`` defaults to the configured one (``JOBDECK_JOBS_ROOT``, else ``./jobs_root``); a
    relative path is taken from the current directory. ``copy=True`` runs a copy of the folder, so a
    test may edit job files. Other keyword arguments override configuration fields
    (``debug=True``, ``sanitizer_patterns=(...)``, ...). Use it as a context manager::

        with JobEnvironment("jobs_root") as env:
            result = env.run("hello_jobs.HelloJobs", person_name="Ada")
    """

    def __init__(self, jobs_root=None, *, directory=None, copy: bool = False, **config):
        self.requested_root = jobs_root
        self.directory = Path(directory) if directory is not None else None
        self.copy = copy
        self.overrides = config
        self.config = None
        self.sync_report = None
        self._own_directory = False
        self._saved = None

    @property
    def jobs_root(self) -> Path:
        """The folder whose jobs are synced (the copy, when ``copy=True``)."""
        return self.config.jobs_root

    def start(self) -> JobEnvironment:
        from app.catalog import sync_jobs

        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="jobdeck-test-"))
            self._own_directory = True
        self.directory.mkdir(parents=True, exist_ok=True)
        source = Path(self.requested_root or config_module.from_environment().jobs_root).resolve()
        jobs_root = source
        if self.copy:
            jobs_root = self.directory / "jobs_root"
            shutil.copytree(source, jobs_root, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        values = {
            "database_url": f"sqlite:///{self.directory / 'jobdeck.sqlite3'}",
            "queue_url": f"sqlite:///{self.directory / 'queue.sqlite3'}",
            "jobs_root": jobs_root,
            "secret_key": "jobdeck-test-secret",
            **self.overrides,
        }
        self._saved = (config_module._current, db.database.obj)
        self.config = config_module.configure(config_module.from_environment(environ={}, **values))
        db.bind(self.config.database_url)
        db.migrate()
        self.sync_report = sync_jobs(self.config.jobs_root)
        return self

    def stop(self) -> None:
        if self._saved is None:
            return
        if not db.database.is_closed():
            db.database.close()
        previous_config, previous_database = self._saved
        self._saved = None
        config_module._current = previous_config
        if previous_database is not None:
            db.database.initialize(previous_database)
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> JobEnvironment:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- conveniences --------------------------------------------------------------------------------

    def sync(self):
        """Sync the jobs folder again (after editing a job file); returns the SyncReport."""
        from app.catalog import sync_jobs

        self.sync_report = sync_jobs(self.config.jobs_root)
        return self.sync_report

    def record(self, job):
        """The JobRecord for a class path or Job class."""
        from app.testing.runs import find_job_record

        return find_job_record(job)

    def run(self, job, data=None, commit=True, username="test-user", **kwargs):
        """:func:`run_job_for_testing` in this environment."""
        from app.testing.runs import run_job_for_testing

        return run_job_for_testing(job, data, commit, username, **kwargs)

    def path(self, *parts) -> Path:
        """A path inside the jobs folder (to edit a job file when ``copy=True``)."""
        return self.jobs_root.joinpath(*parts)
