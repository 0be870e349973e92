"""A PostgreSQL database of a test module's own, next to JOBDECK_TEST_POSTGRES_URL's."""

from __future__ import annotations

import os
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pytest

POSTGRES_URL = os.environ.get("JOBDECK_TEST_POSTGRES_URL")


def require_postgres() -> str:
    """The server URL; skips without one, except under CI=true where a missing server fails."""
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("JOBDECK_TEST_POSTGRES_URL is not set: CI must provide a PostgreSQL server")
        pytest.skip("set JOBDECK_TEST_POSTGRES_URL to run the PostgreSQL tests")
    return POSTGRES_URL


def own_postgres_database(label: str):
    """Create ``jobdeck_<label>_<pid>`` on the test server; yield its URL, then drop it."""
    import psycopg2

    server = require_postgres()
    name = f"jobdeck_{label}_{os.getpid()}"
    admin = psycopg2.connect(server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
