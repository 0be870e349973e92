"""The change log's recording: one ObjectChange per create, update and delete, in the write's
transaction, with who, which request and which job run (app/objects/changes.py, change_context.py)."""

from __future__ import annotations

import pytest

from app.db import database
from app.execution.submit import run_in_process
from app.execution.submit import submit
from app.models import ObjectChange
from app.objects.change_context import change_context
from tests.conftest import enable
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.factories import make_user
from tests.support.change_models import Widget
from tests.support.change_models import create_widget_table
from tests.support.worker import wait_for_result

CHANGE_JOBS = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "change_jobs"


@pytest.fixture
def widgets(tmp_path):
    """A migrated database with the widget table and tests/fixtures/change_jobs synced."""
    config = make_config(tmp_path, CHANGE_JOBS)
    setup_database(config)
    create_widget_table()
    yield config
    database.close()


def changes():
    return list(ObjectChange.select().order_by(ObjectChange.time, ObjectChange.id))


def test_create_update_delete_each_record_one_change_with_before_and_after(widgets):
    widget = Widget.create(name="alpha", size=1)
    widget.size = 2
    widget.save()
    widget.delete_instance()

    create, update, delete = changes()
    assert [create.action, update.action, delete.action] == ["create", "update", "delete"]
    assert {change.changed_object_type for change in (create, update, delete)} == {"testing.widget"}
    assert {change.changed_object_id for change in (create, update, delete)} == {str(widget.id)}
    assert create.object_repr == "alpha"
    assert create.object_data_before is None and create.object_data["size"] == 1
    assert update.object_data_before["size"] == 1 and update.object_data["size"] == 2
    assert delete.object_data_before["size"] == 2 and delete.object_data is None
    assert create.user is None and create.user_name == "" and create.job_result is None  # the shell


def test_the_django_style_manager_is_logged_except_its_bulk_queries(widgets):
    widget, created = Widget.objects.get_or_create(name="managed", defaults={"size": 1})
    Widget.objects.update_or_create(name="managed", defaults={"size": 2})
    assert created and [(change.action, change.object_data["size"]) for change in changes()] == [
        ("create", 1), ("update", 2)]
    Widget.objects.filter(name="managed").update(size=3)  # one UPDATE query: not logged (README)
    Widget.objects.filter(name="managed").delete()
    assert len(changes()) == 2


def test_the_before_side_is_what_the_database_held_not_what_the_instance_was_loaded_with(widgets):
    Widget.create(name="beta", size=1)
    stale = Widget.get(Widget.name == "beta")
    Widget.get(Widget.name == "beta").save()  # no change: nothing recorded
    fresh = Widget.get(Widget.name == "beta")
    fresh.size = 5
    fresh.save()
    stale.name = "renamed"
    stale.save()  # writes size=1 back as well

    last = changes()[-1]
    assert len(changes()) == 3
    assert last.object_data_before == {**last.object_data_before, "name": "beta", "size": 5}
    assert last.object_data["name"] == "renamed" and last.object_data["size"] == 1


def test_secret_looking_fields_are_masked(widgets):
    Widget.create(name="gamma", api_token="s3cr3t-value")
    data = changes()[0].object_data
    assert data["api_token"] == "********"
    assert "s3cr3t-value" not in str(ObjectChange.select(ObjectChange.object_data).tuples()[:])


def test_a_changed_secret_is_logged_as_changed_without_its_value(widgets):
    widget = Widget.create(name="gamma", api_token="first-secret")
    widget.api_token = "second-secret"
    widget.save()
    widget.save()  # nothing changed this time
    update = changes()[-1]
    assert len(changes()) == 2 and update.action == "update"
    assert update.object_data_before["api_token"] == "********"
    assert update.object_data["api_token"] == "******** (changed)"
    assert "secret" not in str(ObjectChange.select(ObjectChange.object_data, ObjectChange.object_data_before)
                               .tuples()[:])


def test_a_rolled_back_write_leaves_no_change(widgets):
    with database.atomic() as transaction:
        Widget.create(name="delta")
        transaction.rollback()
    assert Widget.select().count() == 0
    assert changes() == []


def test_changes_of_one_context_share_its_user_and_request_id(widgets):
    user = make_user("ada")
    with change_context(lambda: user):
        Widget.create(name="one")
        Widget.create(name="two")
    Widget.create(name="three")

    first, second, third = changes()
    assert first.user_id == second.user_id == user.id and first.user_name == "ada"
    assert first.request_id == second.request_id != third.request_id
    assert third.user is None


def test_the_user_name_stays_when_the_user_is_deleted(widgets):
    user = make_user("grace")
    with change_context(lambda: user):
        Widget.create(name="kept")
    user.delete_instance()
    change = changes()[0]
    assert change.user is None and change.user_name == "grace"


def _assert_run_changes(result, user):
    made = list(ObjectChange.select().where(ObjectChange.job_result == result.id)
                .order_by(ObjectChange.time, ObjectChange.id))
    assert [change.action for change in made] == ["create", "create", "create", "update", "delete"]
    assert {change.request_id for change in made} == {result.id}
    assert {(change.user_id, change.user_name) for change in made} == {(user.id, user.username)}
    assert ObjectChange.select().count() == 5


def test_a_job_run_in_process_links_its_changes_to_its_result(widgets):
    user = make_user("runner", superuser=True)
    result = run_in_process(enable("widgets.MakeWidgets"), user, {"count": 3})
    assert result.status == "SUCCESS", result.traceback
    _assert_run_changes(result, user)


def test_a_job_run_by_a_worker_links_its_changes_to_its_result(widgets, worker):
    user = make_user("queued", superuser=True)
    result = wait_for_result(submit(enable("widgets.MakeWidgets"), user, {"count": 3}).id)
    assert result.status == "SUCCESS", result.traceback
    _assert_run_changes(result, user)
