"""The REST API of registered models (app/objects/api.py, serializers.py), on the testkit models.

Every answer is checked against /api/openapi.json by the ApiClient (tests/test_api_support.py). The
list and filter tests run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import peewee
import pytest
from openapi_spec_validator import validate

from app import create_app
from app import db
from app.objects import registry
from app.objects.changes import ChangeLogged
from app.objects.registry import register
from tests import test_api_support as support
from tests.support.object_models import Gadget
from tests.support.object_models import Vendor
from tests.support.object_models import testkit_both_fixture  # noqa: F401
from tests.support.object_models import testkit_fixture  # noqa: F401
from tests.support.object_models import testkit_postgres_url  # noqa: F401
from tests.test_api_support import ApiClient
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

GADGETS = "/api/testkit/gadgets/"
VENDORS = "/api/testkit/vendors/"


@pytest.fixture
def api(testkit):
    return ApiClient(create_app(testkit))


@pytest.fixture
def admin_key(testkit):
    return key_for(make_user("admin", is_superuser=True))


@pytest.fixture
def acme(testkit):
    return Vendor.create(name="Acme", slug="acme")


def url(path: str) -> str:
    return f"http://localhost{path}"


# --- reading ------------------------------------------------------------------------------------


def test_detail_in_nautobots_shape(api, admin_key, acme):
    gadget = Gadget.create(name="widget", vendor=acme, serial="S1", weight=3)
    body = api.get(f"{GADGETS}{gadget.id}/", admin_key).json
    assert body == {
        "id": str(gadget.id), "object_type": "testkit.gadget", "display": "widget",
        "url": url(f"{GADGETS}{gadget.id}/"), "name": "widget",
        "vendor": {"id": str(acme.id), "object_type": "testkit.vendor", "url": url(f"{VENDORS}{acme.id}/")},
        "serial": "S1", "active": True, "weight": 3, "color": {"value": "red", "label": "Red"},
        "created": gadget.created.isoformat() + "Z",
    }


def test_depth_nests_related_objects(api, admin_key, acme):
    gadget = Gadget.create(name="widget", vendor=acme)
    vendor = api.get(f"{GADGETS}{gadget.id}/?depth=1", admin_key).json["vendor"]
    assert vendor == {"id": str(acme.id), "object_type": "testkit.vendor", "display": "Acme",
                      "url": url(f"{VENDORS}{acme.id}/"), "name": "Acme", "slug": "acme", "description": ""}
    listed = api.get(f"{GADGETS}?depth=2", admin_key).json["results"][0]["vendor"]
    assert listed["name"] == "Acme"
    for bad in ("3", "-1", "deep"):
        response = api.get(f"{GADGETS}?depth={bad}", admin_key)
        assert response.status_code == 400 and list(response.json) == ["depth"]


def test_a_page_of_fifty_is_a_handful_of_queries(api, admin_key, monkeypatch):
    vendors = [Vendor.create(name=f"v{number}") for number in range(5)]
    for number in range(60):
        Gadget.create(name=f"g{number:02}", vendor=vendors[number % 5])
    # A display that follows a relation, as a device type's ("Cisco C9300") does.
    monkeypatch.setattr(Gadget, "__str__", lambda self: f"{self.vendor.name} {self.name}")
    statements = []
    execute = db.database.obj.execute_sql

    def counting(sql, *args, **kwargs):
        statements.append(sql)
        return execute(sql, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", counting)
    for depth, expected in ((1, 3), (0, 4)):  # count, page, its vendors (at depth 0: the first, then the rest)
        statements.clear()
        body = api.get(f"{GADGETS}?depth={depth}", admin_key).json
        assert len(body["results"]) == 50 and body["results"][1]["display"] == "v1 g01"
        assert {item["vendor"]["id"] for item in body["results"]} == {str(vendor.id) for vendor in vendors}
        testkit_statements = [sql for sql in statements if "testkit" in sql]
        assert len(testkit_statements) == expected, testkit_statements


def test_pagination_links(api, admin_key, acme):
    for number in range(5):
        Gadget.create(name=f"g{number}", vendor=acme)
    page = api.get(f"{GADGETS}?limit=2&offset=2&vendor=Acme", admin_key).json
    assert page["count"] == 5 and [item["name"] for item in page["results"]] == ["g2", "g3"]
    assert page["next"] == url(f"{GADGETS}?vendor=Acme&limit=2&offset=4")
    assert page["previous"] == url(f"{GADGETS}?vendor=Acme&limit=2")


def test_not_found(api, admin_key):
    for path in (f"{GADGETS}999/", f"{GADGETS}abc/"):
        response = api.get(path, admin_key)
        assert response.status_code == 404 and response.json == {"detail": "No Gadget matches the given query."}
    assert api.get("/api/testkit/nothings/", admin_key).status_code == 404


def test_credentials_are_needed(api, acme):
    assert api.get(GADGETS).status_code == 403
    assert api.post(GADGETS, json={"name": "x", "vendor": acme.id}).status_code == 403


# --- filters, on both databases --------------------------------------------------------------------


@pytest.fixture
def both(testkit_both):
    api = ApiClient(create_app(testkit_both))
    key = key_for(make_user("admin", is_superuser=True))
    acme, globex = Vendor.create(name="Acme"), Vendor.create(name="Globex")
    Gadget.create(name="widget", vendor=acme, serial="S1", weight=5)
    Gadget.create(name="gizmo", vendor=acme, active=False)
    Gadget.create(name="sprocket", vendor=globex, serial="S2", weight=10)
    return api, key, acme, globex


def listed(api, key, query: str) -> list[str]:
    response = api.get(f"{GADGETS}?{query}", key)
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["results"]]


def test_list_filters(both):
    api, key, acme, globex = both
    assert listed(api, key, "") == ["gizmo", "sprocket", "widget"]  # the kind's order: by name
    assert listed(api, key, "name=widget&name=gizmo") == ["gizmo", "widget"]
    assert listed(api, key, f"vendor={acme.id}") == ["gizmo", "widget"]
    assert listed(api, key, "vendor=Globex") == ["sprocket"]
    assert listed(api, key, f"vendor_id={globex.id}&vendor_id={acme.id}&active=false") == ["gizmo"]
    assert listed(api, key, "q=s2") == ["sprocket"]
    assert listed(api, key, "weight__gte=5&serial__isnull=false") == ["sprocket", "widget"]
    assert listed(api, key, "serial=null") == ["gizmo"]
    assert listed(api, key, "name__nic=Z&limit=10&offset=0") == ["sprocket", "widget"]


def test_bad_filters_are_400(both):
    api, key, _, _ = both
    response = api.get(f"{GADGETS}?shoe_size=9&weight=heavy", key)
    assert response.status_code == 400
    assert response.json == {"shoe_size": ["Unknown filter field"],
                             "weight": ["\u201cheavy\u201d is not a whole number."]}


# --- writing ------------------------------------------------------------------------------------


def test_create(api, admin_key, acme):
    response = api.post(GADGETS, admin_key, json={"name": "widget", "vendor": acme.id, "weight": 0})
    assert response.status_code == 201, response.json
    stored = Gadget.get(Gadget.name == "widget")
    assert response.json["id"] == str(stored.id) and response.json["weight"] == 0
    assert (stored.vendor_id, stored.active, stored.color) == (acme.id, True, "red")
    nested = api.post(GADGETS, admin_key, json={"name": "gizmo", "vendor": {"id": acme.id}})
    assert nested.status_code == 201 and nested.json["vendor"]["id"] == str(acme.id)
    by_name = api.post(GADGETS, admin_key, json={"name": "sprocket", "vendor": {"name": "Acme"}})
    assert by_name.status_code == 201


def test_create_refusals_are_field_sentences(api, admin_key, acme):
    Gadget.create(name="widget", vendor=acme)
    cases = [
        ({}, {"name": ["This field is required."], "vendor": ["This field is required."]}),
        ({"name": "x", "vendor": 999, "weight": "heavy", "shoe_size": 9},
         {"shoe_size": ["Unknown field."]}),
        ({"name": "x", "vendor": 999, "weight": "heavy"},
         {"vendor": ["Select a valid Vendor: 999 is not one of the available choices."],
          "weight": ["Enter a whole number."]}),
        ({"name": "widget", "vendor": acme.id},
         {"non_field_errors": ["A Gadget with this vendor and name already exists."]}),
        ({"name": "forbidden", "vendor": acme.id}, {"non_field_errors": ["Gadgets may not be called "
                                                                         "\u201cforbidden\u201d."]}),
    ]
    for body, errors in cases:
        response = api.post(GADGETS, admin_key, json=body)
        assert (response.status_code, response.json) == (400, errors), body
    assert Gadget.select().count() == 1


def test_update_replace_and_delete(api, admin_key, acme):
    gadget = Gadget.create(name="widget", vendor=acme, serial="S1", weight=5)
    read = api.get(f"{GADGETS}{gadget.id}/", admin_key).json
    patched = api.patch(f"{GADGETS}{gadget.id}/", admin_key, json={**read, "weight": 7, "active": False})
    assert patched.status_code == 200, patched.json
    assert (patched.json["weight"], patched.json["active"], patched.json["serial"]) == (7, False, "S1")
    missing = api.put(f"{GADGETS}{gadget.id}/", admin_key, json={"serial": "S9"})
    assert missing.status_code == 400 and set(missing.json) == {"name", "vendor"}
    replaced = api.put(f"{GADGETS}{gadget.id}/", admin_key, json={"name": "widget 2", "vendor": acme.id})
    assert replaced.status_code == 200 and replaced.json["name"] == "widget 2"
    assert api.delete(f"{GADGETS}{gadget.id}/", admin_key).status_code == 204
    assert not Gadget.select().exists()


def test_delete_refused_while_referenced_is_409(api, admin_key, acme):
    Gadget.create(name="widget", vendor=acme)
    response = api.delete(f"{VENDORS}{acme.id}/", admin_key)
    assert response.status_code == 409
    assert response.json == {"detail": "Could not delete the vendor \u201cAcme\u201d: other records still refer to it."}
    assert Vendor.select().count() == 1


# --- permissions ----------------------------------------------------------------------------------


@pytest.fixture
def acme_only(testkit, acme):
    """A user whose grants on gadgets are constrained to Acme's active ones; may view every vendor."""
    user = make_user("ada")
    grant(user, ["view", "add", "change", "delete"], ["testkit.gadget"], {"vendor__name": "Acme", "active": True})
    grant(user, ["view"], ["testkit.vendor"])
    globex = Vendor.create(name="Globex")
    mine = Gadget.create(name="mine", vendor=acme)
    theirs = Gadget.create(name="theirs", vendor=globex)
    return key_for(user), mine, theirs, globex


def test_constrained_user_sees_only_matching_rows(api, acme_only):
    key, mine, theirs, _ = acme_only
    assert [item["name"] for item in api.get(GADGETS, key).json["results"]] == ["mine"]
    assert api.get(f"{GADGETS}{theirs.id}/", key).status_code == 404
    assert api.patch(f"{GADGETS}{theirs.id}/", key, json={"weight": 1}).status_code == 404
    assert api.delete(f"{GADGETS}{theirs.id}/", key).status_code == 404
    assert api.get(f"{GADGETS}{mine.id}/", key).status_code == 200


def test_a_write_leaving_the_scope_is_refused_and_rolled_back(api, acme, acme_only):
    key, mine, _, globex = acme_only
    moved = api.patch(f"{GADGETS}{mine.id}/", key, json={"vendor": globex.id, "weight": 9})
    assert moved.status_code == 403
    assert moved.json == {"detail": "You do not have permission to change the gadget \u201cmine\u201d."}
    stored = Gadget.get_by_id(mine.id)
    assert (stored.vendor_id, stored.weight) == (acme.id, None)
    created = api.post(GADGETS, key, json={"name": "new", "vendor": globex.id})
    assert created.status_code == 403 and not Gadget.select().where(Gadget.name == "new").exists()
    assert api.post(GADGETS, key, json={"name": "new", "vendor": acme.id}).status_code == 201
    assert api.patch(f"{GADGETS}{mine.id}/", key, json={"weight": 9}).json["weight"] == 9


def test_actions_without_a_grant_are_403(api, acme):
    viewer = make_user("viewer")
    grant(viewer, ["view"], ["testkit.vendor"])
    key = key_for(viewer)
    assert api.get(GADGETS, key).json["count"] == 0  # no view grant: an empty list, as the other lists
    assert api.post(VENDORS, key, json={"name": "New"}).json == {"detail": "You do not have permission to add "
                                                                         "vendors."}
    assert api.patch(f"{VENDORS}{acme.id}/", key, json={"slug": "x"}).status_code == 403
    assert api.delete(f"{VENDORS}{acme.id}/", key).status_code == 403
    assert Vendor.get_by_id(acme.id).slug == "acme"


def test_foreign_keys_accept_only_rows_the_caller_may_view(api, acme):
    user = make_user("bob")
    grant(user, ["view", "add"], ["testkit.gadget"])
    grant(user, ["view"], ["testkit.vendor"], {"name": "Acme"})
    hidden = Vendor.create(name="Hidden")
    response = api.post(GADGETS, key_for(user), json={"name": "g", "vendor": hidden.id})
    assert response.status_code == 400 and list(response.json) == ["vendor"]


# --- routing and the document -------------------------------------------------------------------


def test_hand_written_routes_are_not_shadowed(api, admin_key):
    assert api.get("/api/users/users/", admin_key).status_code == 200
    wrong = api.post("/api/extras/jobs/", admin_key, json={})
    assert wrong.status_code == 405 and "POST" not in wrong.headers["Allow"]
    assert api.delete("/api/users/users/abc/", admin_key).status_code == 404
    assert api.get("/api/nowhere/at-all/", admin_key).json == {"detail": "Not found."}


def test_root_lists_the_app_sections(api, admin_key):
    root = api.get("/api/", admin_key).json
    assert root["testkit"] == url("/api/testkit/") and root["extras"] == url("/api/extras/")
    assert api.get("/api/testkit/", admin_key).json == {"gadgets": url(GADGETS), "vendors": url(VENDORS)}


def test_document_describes_each_kind(api):
    document = api.get("/api/openapi.json").json
    validate(document)
    paths = document["paths"]
    assert set(paths[GADGETS]) == {"get", "post"}
    assert set(paths["/api/testkit/gadgets/{pk}/"]) == {"get", "patch", "put", "delete"}
    parameters = {item["name"] for item in paths[GADGETS]["get"]["parameters"]}
    assert {"q", "name", "name__ic", "vendor", "vendor_id", "weight__gte", "serial__isnull", "limit"} <= parameters
    schemas = document["components"]["schemas"]
    assert schemas["TestkitGadgetCreate"]["required"] == ["name", "vendor"]
    assert "created" not in schemas["TestkitGadgetCreate"]["properties"]
    assert schemas["TestkitGadget"]["properties"]["object_type"] == {"const": "testkit.gadget"}


def test_a_kind_registered_after_start_up_is_served(api, admin_key, monkeypatch):
    # The registry has no unregister: work on copies, so the kind is gone after this test.
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    monkeypatch.setattr(registry, "_BY_PATH", dict(registry._BY_PATH))
    monkeypatch.setattr(support, "_document", None)  # the cached document predates the new kind

    class Doohickey(ChangeLogged, db.BaseModel):
        name = peewee.CharField(max_length=20)

        class Meta:
            table_name = "latekit_doohickey"

    db.database.create_tables([Doohickey])
    register(Doohickey, "latekit")
    created = api.post("/api/latekit/doohickeys/", admin_key, json={"name": "late"})
    assert created.status_code == 201, created.json
    assert api.get("/api/latekit/doohickeys/?name=late", admin_key).json["count"] == 1
