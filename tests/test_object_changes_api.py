"""The change log over HTTP: writes through the API and pages carry their user and request id, and
``/api/extras/object-changes/`` lists them to whoever may see them (app/api/views/object_changes.py)."""

from __future__ import annotations

import datetime

import pytest
from flask import jsonify

from app.models import ObjectChange
from app.objects.change_context import change_context
from tests.factories import client_login
from tests.factories import make_user as make_web_user
from tests.support.change_models import Gadget
from tests.support.change_models import Widget
from tests.support.change_models import create_widget_table
from tests.test_api_support import ApiClient
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

CHANGES = "/api/extras/object-changes/"


def _make_two_widgets():
    Widget.create(name="first")
    Widget.create(name="second")
    return jsonify({"ok": True})


@pytest.fixture
def api(jobdeck):
    from app import create_app

    create_widget_table()
    app = create_app(jobdeck)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    # A write under /api (the api blueprint's token authentication runs) and a page write, standing in
    # for the generic object views.
    app.add_url_rule("/api/testing/make-widgets/", "api.make_widgets", _make_two_widgets, methods=["POST"])
    app.add_url_rule("/testing/make-widgets/", "make_widgets_page", _make_two_widgets, methods=["POST"])
    return ApiClient(app)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["results"]]


def test_an_api_write_is_logged_with_the_token_user_and_one_request_id(api):
    user = make_user("apiwriter", is_superuser=True)
    key = key_for(user)
    assert api.client.post("/api/testing/make-widgets/", headers={"Authorization": f"Token {key}"}).status_code == 200
    first, second = ObjectChange.select().order_by(ObjectChange.time)
    assert (first.user_id, first.user_name) == (user.id, "apiwriter") == (second.user_id, second.user_name)
    assert first.request_id == second.request_id


def test_a_page_write_is_logged_with_the_signed_in_user(api):
    make_web_user("pagewriter", superuser=True)
    client = client_login(api.app.test_client(), "pagewriter")
    assert client.post("/testing/make-widgets/").status_code == 200
    changes = list(ObjectChange.select())
    assert len(changes) == 2 and {change.user_name for change in changes} == {"pagewriter"}
    assert len({change.request_id for change in changes}) == 1


def test_list_detail_and_filters(api, admin_key):
    owner = make_user("owner")
    with change_context(lambda: owner):
        widget = Widget.create(name="alpha", size=1)
        widget.size = 2
        widget.save()
    Widget.create(name="beta")

    body = api.get(CHANGES, admin_key).json
    assert body["count"] == 3
    newest = body["results"][0]
    assert newest["object_repr"] == "beta" and newest["action"] == {"value": "create", "label": "Create"}
    assert newest["user"] is None and newest["job_result"] is None

    update = api.get(f"{CHANGES}?action=update", admin_key).json["results"]
    assert len(update) == 1
    assert update[0]["object_data_before"]["size"] == 1 and update[0]["object_data"]["size"] == 2
    assert update[0]["user"]["display"] == "owner" and update[0]["user_name"] == "owner"
    assert api.get(f"{CHANGES}{update[0]['id']}/", admin_key).json == update[0]

    assert len(ids(api.get(f"{CHANGES}?user=owner", admin_key))) == 2
    assert len(ids(api.get(f"{CHANGES}?user={owner.id}", admin_key))) == 2
    assert len(ids(api.get(f"{CHANGES}?user_name=owner", admin_key))) == 2
    assert len(ids(api.get(f"{CHANGES}?changed_object_type=testing.widget&changed_object_id={widget.id}",
                           admin_key))) == 2
    assert len(ids(api.get(f"{CHANGES}?request_id={update[0]['request_id']}", admin_key))) == 2
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(api.get(f"{CHANGES}?time__gte={later}", admin_key)) == []
    assert len(ids(api.get(f"{CHANGES}?time__lte={later}", admin_key))) == 3


def test_bad_filters_are_refused_with_a_sentence(api, admin_key):
    response = api.get(f"{CHANGES}?action=rename", admin_key)
    assert response.status_code == 400 and "rename" in response.json["action"][0]
    assert api.get(f"{CHANGES}?request_id=nope", admin_key).status_code == 400
    assert api.get(f"{CHANGES}?colour=red", admin_key).json == {"colour": ["Unknown filter field"]}
    assert api.get(f"{CHANGES}00000000-0000-0000-0000-000000000000/", admin_key).status_code == 404


def test_a_user_sees_changes_only_with_both_permissions(api):
    Widget.create(name="alpha")
    Widget.create(name="beta")
    Gadget.create(name="gizmo")
    viewer = make_user("viewer")
    key = key_for(viewer)
    assert ids(api.get(CHANGES, key)) == []  # no permission at all

    grant(viewer, ["view"], ["extras.objectchange"])
    assert ids(api.get(CHANGES, key)) == []  # may view the log, but no object type

    grant(viewer, ["view"], ["testing.widget"])
    listed = api.get(CHANGES, key).json["results"]
    assert sorted(item["object_repr"] for item in listed) == ["alpha", "beta"]
    gadget = ObjectChange.get(ObjectChange.changed_object_type == "testing.gadget")
    assert api.get(f"{CHANGES}{gadget.id}/", key).status_code == 404


def test_a_constrained_grant_shows_the_changes_of_the_objects_it_allows(api):
    alpha = Widget.create(name="alpha")
    beta = Widget.create(name="beta")
    beta.delete_instance()
    alpha.size = 3
    alpha.save()
    viewer = make_user("narrow")
    grant(viewer, ["view"], ["extras.objectchange"])
    grant(viewer, ["view"], ["testing.widget"], {"name": "alpha"})
    listed = api.get(CHANGES, key_for(viewer)).json["results"]
    assert sorted((item["object_repr"], item["action"]["value"]) for item in listed) == [
        ("alpha", "create"), ("alpha", "update")]


def test_a_constrained_grant_works_for_uuid_keys_too(api):
    kept = Gadget.create(name="kept")
    Gadget.create(name="hidden")
    viewer = make_user("gadgeteer")
    grant(viewer, ["view"], ["extras.objectchange"])
    grant(viewer, ["view"], ["testing.gadget"], {"name": "kept"})
    listed = api.get(CHANGES, key_for(viewer)).json["results"]
    assert [(item["object_repr"], item["changed_object_id"]) for item in listed] == [("kept", str(kept.id))]


def test_a_constraint_on_the_log_itself_applies(api):
    me = make_user("me")
    with change_context(lambda: me):
        Widget.create(name="mine")
    Widget.create(name="theirs")
    grant(me, ["view"], ["extras.objectchange"], {"user": "$user"})
    grant(me, ["view"], ["testing.widget"])
    assert [item["object_repr"] for item in api.get(CHANGES, key_for(me)).json["results"]] == ["mine"]
