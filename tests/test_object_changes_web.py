"""The change log's pages: the global list with filters and pages, a change as a diff, an object's
recent changes (objects/_changes.html) and a run's changes on its result page (app/web/object_changes.py)."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_login import login_user

from app.execution.submit import run_in_process
from app.models import ObjectChange
from app.objects.change_context import change_context
from tests.conftest import enable
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import text
from tests.support.change_models import Gadget
from tests.support.change_models import Widget
from tests.support.change_models import create_widget_table
from tests.test_object_changes import CHANGE_JOBS

LIST = "/extras/object-changes/"


@pytest.fixture
def app(tmp_path):
    from app import db

    config = make_config(tmp_path, CHANGE_JOBS)
    setup_database(config)
    create_widget_table()
    yield make_app(config)
    db.database.close()


@pytest.fixture
def admin(app):
    return login_as(app, make_user("admin", superuser=True))


def test_the_list_shows_changes_newest_first_with_filters(app, admin):
    ada = make_user("ada")
    with change_context(lambda: ada):
        widget = Widget.create(name="alpha")
    widget.size = 4
    widget.save()
    Gadget.create(name="gizmo")

    page = text(admin.get(LIST))
    assert page.index("gizmo") < page.index("alpha")
    assert 'href="/extras/object-changes/"' in page  # the top bar's link
    only_widgets = text(admin.get(f"{LIST}?changed_object_type=testing.widget"))
    assert "alpha" in only_widgets and "gizmo" not in only_widgets
    by_ada = text(admin.get(f"{LIST}?user=ada"))
    assert by_ada.count("<tr>") == 1 + 1 and "Create" in by_ada  # header + one row
    assert "gizmo" not in text(admin.get(f"{LIST}?action=update"))


def test_an_unusable_filter_is_a_sentence_not_an_error_page(app, admin):
    Widget.create(name="alpha")
    response = admin.get(f"{LIST}?action=rename&request_id=nope")
    assert response.status_code == 200
    page = text(response)
    assert "rename is not one of the available choices" in page and "not a valid UUID" in page.replace("“", "")
    assert "alpha" not in page


def test_pages_of_fifty_go_back_in_time(app, admin):
    for number in range(53):
        Widget.create(name=f"widget-{number:02d}")
    first = text(admin.get(LIST))
    assert "widget-52" in first and "widget-02" not in first and "Older" in first
    older = first.split('rel="next" href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = text(admin.get(f"{LIST}?{older}"))
    assert "widget-02" in second and "widget-00" in second and "widget-03" not in second
    assert "Newest" in second and "Older" not in second


def test_the_detail_shows_before_and_after(app, admin):
    widget = Widget.create(name="alpha", size=1, api_token="hidden-value")
    widget.size = 9
    widget.save()
    update = ObjectChange.get(ObjectChange.action == "update")
    page = text(admin.get(f"{LIST}{update.id}/"))
    assert '<tr class="diff-changed">' in page
    changed = page.split('<tr class="diff-changed">', 1)[1].split("</tr>", 1)[0]
    assert ">size<" in changed and ">1<" in changed and ">9<" in changed
    assert "hidden-value" not in page and "********" in page
    assert "nobody (a shell or system task)" in page


def test_without_permission_the_pages_refuse_and_the_link_is_gone(app):
    Widget.create(name="alpha")
    change = ObjectChange.get()
    viewer = make_user("viewer")
    client = login_as(app, viewer)
    refused = client.get(LIST)
    assert refused.status_code == 403 and "You do not have permission to view object changes." in text(refused)
    assert client.get(f"{LIST}{change.id}/").status_code == 403
    assert 'href="/extras/object-changes/"' not in text(client.get("/jobs/"))

    grant(viewer, ["extras.objectchange"], ["view"])
    assert "alpha" not in text(client.get(LIST))  # may see the log, not widgets
    assert client.get(f"{LIST}{change.id}/").status_code == 404
    grant(viewer, ["testing.widget"], ["view"])
    assert "alpha" in text(client.get(LIST)) and client.get(f"{LIST}{change.id}/").status_code == 200


def test_an_objects_partial_lists_its_recent_changes_and_links_to_all(app):
    widget = Widget.create(name="alpha")
    widget.size = 2
    widget.save()
    Widget.create(name="other")
    user = make_user("partial", superuser=True)
    with app.test_request_context("/"):
        login_user(user)
        html = render_template_string('{% include "objects/_changes.html" %}', obj=widget)
    assert html.count("<tr>") == 1 + 2 and "Update" in html and "Create" in html
    assert f"changed_object_type=testing.widget&amp;changed_object_id={widget.id}" in html
    with app.test_request_context("/"):
        login_user(make_user("nobody"))
        assert render_template_string('{% include "objects/_changes.html" %}', obj=widget).strip() == ""


def test_the_result_page_lists_the_changes_its_run_made(app, admin):
    result = run_in_process(enable("widgets.MakeWidgets"), None, {"count": 2})
    page = text(admin.get(f"/results/{result.id}/"))
    assert "Changes made (4)" in page
    assert f"job_result={result.id}" in page
    listed = text(admin.get(f"{LIST}?job_result={result.id}"))
    assert listed.count("widget-") == 4


def test_the_permission_form_offers_the_change_log(app, admin):
    assert 'value="extras.objectchange"' in text(admin.get("/admin/permissions/add/"))
