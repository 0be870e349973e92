"""The change log on PostgreSQL: migration 0007, recording, rollback, and who sees which changes
(the per-object visibility compares keys in SQL, differently per dialect). Skips as tests/test_postgres.py."""

from __future__ import annotations

from app import db
from app.models import ObjectChange
from app.objects.change_access import visible_changes
from tests.support.change_models import Gadget
from tests.support.change_models import Widget
from tests.support.change_models import create_widget_table
from tests.test_api_support import grant
from tests.test_api_support import make_user
from tests.test_postgres import postgres  # noqa: F401  (the fixture)


def test_changes_are_recorded_and_filtered_by_permission_on_postgres(postgres):  # noqa: F811
    db.migrate()
    create_widget_table()
    widget = Widget.create(name="alpha", size=1)
    widget.size = 2
    widget.save()
    Widget.create(name="beta")
    kept = Gadget.create(name="kept")
    Gadget.create(name="hidden")
    with db.database.atomic() as transaction:
        Widget.create(name="rolled back")
        transaction.rollback()

    update = ObjectChange.get(ObjectChange.action == "update")
    assert (update.object_data_before["size"], update.object_data["size"]) == (1, 2)
    assert ObjectChange.select().count() == 5

    viewer = make_user("viewer")
    grant(viewer, ["view"], ["extras.objectchange"])
    grant(viewer, ["view"], ["testing.widget"], {"name": "alpha"})
    grant(viewer, ["view"], ["testing.gadget"], {"name": "kept"})
    seen = sorted((change.object_repr, change.action) for change in visible_changes(viewer))
    assert seen == [("alpha", "create"), ("alpha", "update"), ("kept", "create")]
    assert ObjectChange.get(ObjectChange.object_repr == "kept").changed_object_id == str(kept.id)
