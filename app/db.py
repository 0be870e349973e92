"""The database: a deferred Peewee proxy bound at start-up, SQLite or PostgreSQL.

SQLite runs in WAL mode with a busy timeout so the web server, the workers and the forked job
children can share one file safely.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url

from app.objects.manager import ObjectsMixin

database = peewee.DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.py$")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "foreign_keys": 1,
    "cache_size": -16_000,
}


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class BaseModel(ObjectsMixin, peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class JSONField(peewee.TextField):
    """JSON stored as text: portable across SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class Prepared:
    """A query whose SQL is rendered once per kind of database, then run with new values.

    Peewee renders a query's SQL each time it runs, which costs several times running the small
    statements a worker repeats for every job. ``build(marker)`` returns the query with ``marker``
    wherever a value goes; ``execute(*values)`` passes the values in that order, already converted
    for the database (``Field.db_value``)::

        FINISH = Prepared(lambda p: Thing.update({Thing.state: p}).where(Thing.id == p))
        FINISH.execute("done", Thing.id.db_value(thing_id)).rowcount
    """

    def __init__(self, build):
        self.build = build
        self._sql: dict[tuple, str] = {}

    def sql(self) -> str:
        db = database.obj
        key = (type(db), db.param)
        sql = self._sql.get(key)
        if sql is None:
            sql, values = self.build(peewee.SQL(db.param)).sql()
            if values:
                raise ValueError(f"a prepared query takes every value as a marker, not {values!r}")
            self._sql[key] = sql
        return sql

    def execute(self, *values):
        return database.execute_sql(self.sql(), values)


def open_database(url: str) -> peewee.Database:
    """Build (without connecting) the Database for a JOBDECK_DATABASE_URL."""
    if url.startswith("sqlite:"):
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else url.split("sqlite:", 1)[1]
        if path not in ("", ":memory:"):
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return peewee.SqliteDatabase(path or ":memory:", pragmas=SQLITE_PRAGMAS, timeout=10)
    if url.startswith(("postgres://", "postgresql://")):
        return connect_url(url)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")


def bind(url: str) -> peewee.Database:
    """Point the shared proxy at a fresh Database object (also used after fork)."""
    db = open_database(url)
    database.initialize(db)
    return db


# Database objects a forked process inherited: kept referenced so that process never closes (nor
# garbage-collects) a connection its parent opened, which SQLite forbids.
_inherited: list[peewee.Database] = []


def adopt_after_fork(db: peewee.Database) -> None:
    """In a forked process: use ``db`` (built, not connected, before the fork) from now on."""
    _inherited.append(database.obj)
    database.initialize(db)


# ---------------------------------------------------------------------------------------------
# Migrations: app/migrations/NNNN_name.py each define up(db) and down(db) over frozen models.


class MigrationHistory(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=200)
    applied = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "jobdeck_migrations"


def _migration_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.glob("*.py") if _MIGRATION_NAME.match(path.name))


def _load_migration(path: Path):
    spec = importlib.util.spec_from_file_location(f"_jobdeck_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_for_dialect(db, statements: dict[str, list[str]]) -> None:
    """Run a migration's frozen statements for ``db``'s dialect (keys ``sqlite`` and ``postgresql``)."""
    dialect = "postgresql" if isinstance(db, peewee.PostgresqlDatabase) else "sqlite"
    for statement in statements[dialect]:
        db.execute_sql(statement)


def pending_migrations(directory: Path = MIGRATIONS_DIR) -> list[str]:
    MigrationHistory.create_table(safe=True)
    applied = {row.name for row in MigrationHistory.select(MigrationHistory.name)}
    return [path.stem for path in _migration_files(directory) if path.stem not in applied]


def migrate(directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration not yet recorded; return the names applied (idempotent)."""
    db = database.obj
    with db.connection_context():
        applied_now = []
        for name in pending_migrations(directory):
            module = _load_migration(directory / f"{name}.py")
            with db.atomic():
                module.up(db)
                MigrationHistory.create(name=name)
            applied_now.append(name)
        return applied_now
