"""Two small registered models for tests of the generic object machinery (app label ``testkit``).

``Vendor`` and ``Gadget`` cover the field types the model forms, filters, serializers and pages
handle (unique text, a foreign key, nullable text and number, a boolean, a datetime, choices) without
depending on the built-in inventory. Use them after the ``jobdeck`` fixture (or any bound database)::

    from tests.support.object_models import Gadget, Vendor, create_tables

    def test_something(jobdeck):        # or take the ``testkit`` fixture, which does both
        create_tables()
        acme = Vendor.create(name="Acme", slug="acme")
        Gadget.create(name="widget", vendor=acme)

They are served at ``/testkit/vendors/``, ``/testkit/gadgets/`` and ``/api/testkit/...``, with the
object types ``testkit.vendor`` and ``testkit.gadget`` for permissions.
"""

from __future__ import annotations

import peewee
import pytest

from app import db
from app.objects.changes import ChangeLogged
from app.objects.registry import register
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.support.postgres import own_postgres_database

__all__ = ["Gadget", "Vendor", "create_tables", "testkit_both_fixture", "testkit_fixture", "testkit_postgres_url"]

COLORS = (("red", "Red"), ("green", "Green"), ("blue", "Blue"))


class Vendor(ChangeLogged, db.BaseModel):
    name = peewee.CharField(max_length=50, unique=True)
    slug = peewee.CharField(max_length=50, default="")
    description = peewee.TextField(default="")

    class Meta:
        table_name = "testkit_vendor"

    def __str__(self):
        return self.name


class Gadget(ChangeLogged, db.BaseModel):
    name = peewee.CharField(max_length=50)
    vendor = peewee.ForeignKeyField(Vendor, backref="gadgets", on_delete="RESTRICT")
    serial = peewee.CharField(max_length=20, null=True)
    active = peewee.BooleanField(default=True)
    weight = peewee.IntegerField(null=True)
    color = peewee.CharField(max_length=10, choices=COLORS, default="red")
    created = peewee.DateTimeField(default=db.utcnow)

    class Meta:
        table_name = "testkit_gadget"
        indexes = ((("vendor", "name"), True),)  # a name is unique per vendor

    def __str__(self):
        return self.name

    def clean(self):
        """A model-level rule, as the inventory's: a gadget named "forbidden" is refused."""
        if self.name == "forbidden":
            raise ValueError("Gadgets may not be called \u201cforbidden\u201d.")


register(Vendor, "testkit", search=("name", "slug", "description"), columns=("name", "slug"))
register(Gadget, "testkit", search=("name", "serial"), columns=("name", "vendor", "serial", "active"),
         read_only=("created",))


def create_tables() -> None:
    """Create the two tables in the bound database (they are not part of Jobdeck's migrations)."""
    db.database.create_tables([Vendor, Gadget], safe=True)


@pytest.fixture(name="testkit")
def testkit_fixture(jobdeck):
    """The ``jobdeck`` fixture's database with the two tables; yields its Config.

    Import it into a test module with ``from tests.support.object_models import testkit_fixture  # noqa: F401``.
    """
    create_tables()
    return jobdeck


@pytest.fixture(scope="session")
def testkit_postgres_url():
    """A PostgreSQL database of the session's own (skips without a server, outside CI)."""
    yield from own_postgres_database("testkit")


@pytest.fixture(name="testkit_both", params=["sqlite", "postgres"])
def testkit_both_fixture(request, tmp_path):
    """Like ``testkit``, once on a SQLite file and once on PostgreSQL (emptied for each test).

    Import ``testkit_postgres_url`` into the test module too.
    """
    if request.param == "postgres":
        config = make_config(tmp_path, database_url=request.getfixturevalue("testkit_postgres_url"))
        # Empty for each test: migrations then start from nothing.
        db.bind(config.database_url).execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        config = make_config(tmp_path)
    setup_database(config, sync=False)
    create_tables()
    yield config
    db.database.close()
