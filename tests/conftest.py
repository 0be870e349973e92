"""Shared fixtures: every test gets its own database file, queue file and jobs root."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import config as config_module
from app import db

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_JOBS = REPO / "jobs_root"
FIXTURE_JOBS = Path(__file__).resolve().parent / "fixtures" / "jobs_root"

pytest_plugins = ["tests.support.worker", "tests.support.server"]


def make_config(tmp_path: Path, jobs_source: Path | None = None, **overrides) -> config_module.Config:
    """A Config whose files all live under tmp_path; the jobs root is a copy of jobs_source."""
    jobs_root = tmp_path / "jobs_root"
    if not jobs_root.exists():
        shutil.copytree(jobs_source or EXAMPLE_JOBS, jobs_root, ignore=shutil.ignore_patterns("__pycache__"))
    values = {
        "database_url": f"sqlite:///{tmp_path / 'jobdeck.sqlite3'}",
        "queue_url": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "jobs_root": jobs_root,
        "git_root": tmp_path / "git_repos",
        "git_allow_file_remotes": True,
        "secret_key": "test-secret-key",
        **overrides,
    }
    return config_module.configure(config_module.from_environment(environ={}, **values))


def config_environment(config: config_module.Config) -> dict[str, str]:
    """JOBDECK_* variables that make a child process use the same config."""
    return {
        "JOBDECK_DATABASE_URL": config.database_url,
        "JOBDECK_QUEUE_URL": config.queue_url,
        "JOBDECK_JOBS_ROOT": str(config.jobs_root),
        "JOBDECK_GIT_ROOT": str(config.git_root),
        "JOBDECK_GIT_ALLOW_FILE_REMOTES": "true" if config.git_allow_file_remotes else "false",
        "JOBDECK_SECRET_KEY": config.secret_key,
        "JOBDECK_SOFT_TIME_LIMIT": str(config.soft_time_limit),
        "JOBDECK_TIME_LIMIT": str(config.time_limit),
        "JOBDECK_DEBUG": "true" if config.debug else "false",
    }


def setup_database(config: config_module.Config, *, sync: bool = True):
    db.bind(config.database_url)
    db.migrate()
    if sync:
        from app.catalog import sync_jobs

        return sync_jobs(config.jobs_root)
    return None


@pytest.fixture
def jobdeck(tmp_path):
    """A migrated database with the example jobs synced (all disabled). Yields the Config."""
    config = make_config(tmp_path)
    setup_database(config)
    yield config
    db.database.close()


@pytest.fixture
def fixture_jobs(tmp_path):
    """Like ``jobdeck`` but with tests/fixtures/jobs_root (one scenario per file)."""
    config = make_config(tmp_path, FIXTURE_JOBS)
    setup_database(config)
    yield config
    db.database.close()


def enable(class_path: str):
    from app.models import JobRecord

    record = JobRecord.get_for_class_path(class_path)
    record.enabled = True
    record.save()
    return record
