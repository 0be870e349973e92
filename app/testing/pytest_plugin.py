"""pytest plugin (entry point ``jobdeck``): the ``job_environment`` fixture.

Each test that asks for ``job_environment`` gets a fresh migrated temp SQLite database with the jobs
of one folder synced. Choose the folder per test with ``@pytest.mark.jobs_root(path, copy=False,
**config)`` or for a whole directory by overriding the ``jobdeck_jobs_root`` fixture in a
``conftest.py``; without either, the configured jobs root (``JOBDECK_JOBS_ROOT``) is used.

Jobdeck is imported only when a fixture is used, so the plugin costs nothing in unrelated test runs.
"""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "jobs_root(path, copy=False, **config): the jobs folder job_environment syncs for this test",
    )


@pytest.fixture
def jobdeck_jobs_root():
    """The jobs folder ``job_environment`` uses; override it in a conftest.py (None: configured root)."""


@pytest.fixture
def job_environment(request, tmp_path, jobdeck_jobs_root):
    """A started :class:`app.testing.JobEnvironment`; ``job_environment.run(...)`` runs a job."""
    from app.testing.environment import JobEnvironment

    marker = request.node.get_closest_marker("jobs_root")
    jobs_root, options = jobdeck_jobs_root, {}
    if marker is not None:
        jobs_root = marker.args[0] if marker.args else marker.kwargs.get("path", jobs_root)
        options = {key: value for key, value in marker.kwargs.items() if key != "path"}
    environment = JobEnvironment(jobs_root, directory=tmp_path / "jobdeck", **options)
    environment.start()
    try:
        yield environment
    finally:
        environment.stop()
