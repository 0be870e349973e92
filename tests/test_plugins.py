"""Plugins: a real package built in a temporary folder, found through its ``jobdeck.plugins`` entry
point (a ``*.dist-info/entry_points.txt`` on the path, no pip), loaded only when listed in
JOBDECK_PLUGINS; its models are registered, its migrations run once, its jobs sync and run on a worker,
and its templates are found (app/plugins/, app/sources/plugins.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from app import db
from app import plugins
from app.catalog import sync_plugins
from app.execution.submit import submit
from app.models import JobRecord
from app.models import ObjectChange
from app.objects.registry import kind_at
from app.plugins.migrations import migrate_plugins
from tests.conftest import REPO
from tests.conftest import config_environment
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import text
from tests.support.worker import wait_for_result

PLUGIN = "jobdeck_demo"
FILES = {
    "jobdeck_demo/__init__.py": '''
        from app.plugins import PluginConfig

        def create_tables(db):
            db.execute_sql('CREATE TABLE "demo_gizmo" ("id" INTEGER NOT NULL PRIMARY KEY, '
                           '"name" VARCHAR(100) NOT NULL)')
            db.execute_sql('CREATE TABLE "demo_marker" ("note" VARCHAR(100) NOT NULL)')

        class DemoConfig(PluginConfig):
            name = "jobdeck_demo"
            verbose_name = "Demo"
            version = "1.0"
            description = "Gizmos, and a job that makes them."
            jobs = "jobdeck_demo.jobs"
            models = "jobdeck_demo.models"
            migrations = [
                create_tables,
                ("mark", {"sqlite": ["INSERT INTO demo_marker VALUES ('migrated')"],
                          "postgresql": ["INSERT INTO demo_marker VALUES ('migrated')"]}),
            ]
            templates = "templates"

        config = DemoConfig
    ''',
    "jobdeck_demo/models.py": '''
        import peewee

        from app.db import BaseModel
        from app.objects.changes import ChangeLogged
        from app.objects.registry import register

        class Gizmo(ChangeLogged, BaseModel):
            name = peewee.CharField(max_length=100)

            class Meta:
                table_name = "demo_gizmo"

            def __str__(self):
                return self.name

        register(Gizmo, "demo")
    ''',
    "jobdeck_demo/jobs.py": '''
        from app.jobs import Job, StringVar, register_jobs
        from jobdeck_demo.models import Gizmo

        class MakeGizmo(Job):
            gizmo_name = StringVar()

            class Meta:
                name = "Make a gizmo"

            def run(self, gizmo_name):
                Gizmo.create(name=gizmo_name)
                self.logger.info("Made %s", gizmo_name)

        register_jobs(MakeGizmo)
    ''',
    "jobdeck_demo/templates/jobdeck_demo/hello.html": "Hello from {{ who }}, a plugin template.",
    "jobdeck_demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: jobdeck-demo\nVersion: 1.0\n",
    "jobdeck_demo-1.0.dist-info/entry_points.txt": "[jobdeck.plugins]\njobdeck_demo = jobdeck_demo:config\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The plugin installed in a folder on sys.path (and on the PYTHONPATH of the subprocesses)."""
    folder = tmp_path_factory.mktemp("site")
    for name, content in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content))
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name == PLUGIN or name.startswith(PLUGIN + ".")]:
        del sys.modules[name]
    plugins._loaded.pop(PLUGIN, None)


@pytest.fixture
def deck(site, tmp_path):
    config = make_config(tmp_path, plugins=(PLUGIN,))
    setup_database(config)
    yield config
    db.database.close()


def jobdeck(config, site, *args, plugins_setting=PLUGIN):
    env = {**os.environ, **config_environment(config), "JOBDECK_PLUGINS": plugins_setting,
           "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_listed_plugin_registers_its_models_and_its_migrations_run_once(deck, site):
    first = jobdeck(deck, site, "migrate")
    assert first.returncode == 0, first.stderr
    assert "Applied plugin:jobdeck_demo:create_tables" in first.stdout
    assert "Applied plugin:jobdeck_demo:mark" in first.stdout
    again = jobdeck(deck, site, "migrate")
    assert again.returncode == 0 and again.stdout.strip() == "No migrations to apply."
    assert db.database.execute_sql("SELECT COUNT(*) FROM demo_marker").fetchone() == (1,)

    (plugin,) = plugins.load_plugins()
    assert (plugin.verbose_name, plugin.version) == ("Demo", "1.0")
    kind = kind_at("demo", "gizmos")
    assert kind is not None and kind.object_type == "demo.gizmo"
    kind.model.create(name="first")
    assert [gizmo.name for gizmo in kind.model.select()] == ["first"]


def test_an_installed_plugin_that_is_not_listed_is_left_alone(deck, site):
    result = jobdeck(deck, site, "migrate", plugins_setting="")
    assert result.returncode == 0 and "plugin:" not in result.stdout
    sync = jobdeck(deck, site, "sync", plugins_setting="")
    assert "jobdeck_demo" not in sync.stdout
    assert not JobRecord.select().where(JobRecord.source == "plugins").exists()


def test_a_listed_plugin_that_is_not_installed_is_a_clear_error(deck, site):
    result = jobdeck(deck, site, "migrate", plugins_setting="jobdeck_demo, nowhere_plugin")
    assert result.returncode == 2
    assert "JOBDECK_PLUGINS lists nowhere_plugin, but no installed package provides it" in result.stderr
    assert "jobdeck_demo" in result.stderr  # the installed ones are named
    assert "Traceback" not in result.stderr
    worker = jobdeck(deck, site, "worker", plugins_setting="nowhere_plugin")
    assert worker.returncode == 2 and "JOBDECK_PLUGINS lists nowhere_plugin" in worker.stderr
    with pytest.raises(plugins.PluginError, match="JOBDECK_PLUGINS lists nowhere_plugin"):
        make_app(deck.replace(plugins=("nowhere_plugin",)))


def test_its_jobs_sync_as_plugins_and_run_on_a_worker(deck, site, worker_factory):
    migrate_plugins()
    sync = jobdeck(deck, site, "sync")
    assert sync.returncode == 0, sync.stdout + sync.stderr
    assert "new (disabled until enabled): jobdeck_demo.jobs.MakeGizmo" in sync.stdout
    record = JobRecord.get_for_class_path("plugins/jobdeck_demo.jobs/MakeGizmo")
    assert (record.source, record.class_path, record.name) == ("plugins", "jobdeck_demo.jobs.MakeGizmo",
                                                               "Make a gizmo")
    assert record.legacy_class_path == "plugins/jobdeck_demo.jobs/MakeGizmo"
    assert [report.created for report in sync_plugins()] == [[]]  # in-process sync finds the same record

    record.enabled = True
    record.save()
    worker_factory(env={"JOBDECK_PLUGINS": PLUGIN, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    user = make_user("plugger", superuser=True)
    result = wait_for_result(submit(record, user, {"gizmo_name": "sprocket"}).id)
    assert result.status == "SUCCESS", result.traceback
    change = ObjectChange.get(ObjectChange.job_result == result.id)
    assert (change.changed_object_type, change.object_repr, change.user_name) == ("demo.gizmo", "sprocket", "plugger")


def test_a_worker_without_the_plugin_listed_refuses_its_job_with_a_sentence(deck, site, worker_factory):
    migrate_plugins()
    sync_plugins()
    record = JobRecord.get_for_class_path("jobdeck_demo.jobs.MakeGizmo")
    record.enabled = True
    record.save()
    worker_factory(env={"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    result = wait_for_result(submit(record, None, {"gizmo_name": "nope"}).id)
    assert result.status == "ERRORED"
    assert "no plugin listed in JOBDECK_PLUGINS provides the module jobdeck_demo.jobs" in result.traceback


def test_its_templates_are_found_by_the_pages(deck, site):
    app = make_app(deck)
    with app.app_context():
        assert app.jinja_env.get_template("jobdeck_demo/hello.html").render(who="Ada") == (
            "Hello from Ada, a plugin template.")
        assert app.jinja_env.get_template("base.html")  # Jobdeck's own still come first


def test_its_job_has_a_page_and_a_form(deck, site):
    migrate_plugins()
    sync_plugins()
    record = JobRecord.get_for_class_path("jobdeck_demo.jobs.MakeGizmo")
    client = login_as(make_app(deck), make_user("pageviewer", superuser=True))
    page = client.get(f"/jobs/{record.id}/")
    assert page.status_code == 200 and "Make a gizmo" in text(page) and 'name="gizmo_name"' in text(page)
