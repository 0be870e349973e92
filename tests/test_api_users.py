"""Users, groups and object permissions through the API (app/api/views/users.py, app/api/crud.py).

Every answer is checked against /api/openapi.json by the ApiClient (tests/test_api_support.py).
"""

from __future__ import annotations

from app import create_app
from app.models import Group
from app.models import ObjectPermission
from app.models import Token
from app.models import User
from app.models import UserGroup
from tests.factories import client_login
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

USERS = "/api/users/users/"
GROUPS = "/api/users/groups/"
PERMISSIONS = "/api/users/permissions/"
PASSWORD = "a-long-secret-1"


def admin():
    return User.get(User.username == "admin")


def can_log_in(app, username, password) -> bool:
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


# Users


def test_create_user_hashes_the_password_like_the_admin_page(api, admin_key, jobdeck):
    team = Group.create(name="team")
    response = api.post(USERS, admin_key, json={"username": "ada", "password": PASSWORD, "email": "ada@example.com",
                                                "first_name": "Ada", "groups": [team.id]})
    assert response.status_code == 201, response.json
    body = response.json
    assert "password" not in body and "password_hash" not in body
    assert body["username"] == "ada" and body["email"] == "ada@example.com" and body["is_active"] is True
    assert body["is_superuser"] is False and body["is_staff"] is False
    assert body["url"] == f"http://localhost/api/users/users/{body['id']}/"
    assert body["groups"] == [{"id": str(team.id), "object_type": "users.group", "display": "team",
                               "url": f"http://localhost/api/users/groups/{team.id}/"}]
    stored = User.get(User.username == "ada")
    assert stored.password_hash != PASSWORD and stored.check_password(PASSWORD)
    assert can_log_in(create_app(jobdeck), "ada", PASSWORD)


def test_create_user_validation_is_the_admin_forms(api, admin_key):
    make_user("taken")
    response = api.post(USERS, admin_key, json={"username": "taken", "password": "short", "email": "nope"})
    assert response.status_code == 400
    assert set(response.json) == {"username", "password", "email"}  # the messages are the admin form's
    assert response.json["username"] == ["A user with this username already exists."]
    assert "8" in response.json["password"][0]
    missing = api.post(USERS, admin_key, json={})
    assert missing.status_code == 400
    assert missing.json == {"username": ["This field is required."], "password": ["This field is required."]}
    typed = api.post(USERS, admin_key, json={"username": 7, "password": PASSWORD, "is_active": "yes",
                                             "groups": ["staff"], "shoe_size": 9})
    assert typed.status_code == 400
    assert typed.json == {"username": ["Not a valid string."], "is_active": ["Must be a valid boolean."],
                          "groups": ["\u201cstaff\u201d is not an id."], "shoe_size": ["Unknown field."]}
    unknown_group = api.post(USERS, admin_key, json={"username": "bob", "password": PASSWORD, "groups": [999]})
    assert unknown_group.status_code == 400 and list(unknown_group.json) == ["groups"]
    bad_name = api.post(USERS, admin_key, json={"username": "two words", "password": PASSWORD})
    assert bad_name.json == {"username": ["Letters, digits and @ . + - _ only."]}
    assert User.select().where(User.username.in_(["bob", "two words"])).count() == 0


def test_list_detail_and_filters(api, admin_key):
    ada = make_user("ada", email="ada@example.com")
    make_user("old", is_active=False)
    body = api.get(USERS, admin_key).json
    assert [item["username"] for item in body["results"]] == ["ada", "admin", "old"]
    assert [item["username"] for item in api.get(f"{USERS}?is_active=false", admin_key).json["results"]] == ["old"]
    assert api.get(f"{USERS}{ada.id}/", admin_key).json["email"] == "ada@example.com"
    assert api.get(f"{USERS}9999/", admin_key).json == {"detail": "No User matches the given query."}


def test_patch_changes_fields_groups_and_password(api, admin_key, jobdeck):
    ada = make_user("ada")
    ada.set_password(PASSWORD)
    ada.save()
    team, other = Group.create(name="team"), Group.create(name="other")
    UserGroup.create(user=ada, group=other)
    response = api.patch(f"{USERS}{ada.id}/", admin_key, json={"last_name": "Lovelace", "groups": [team.id]})
    assert response.status_code == 200, response.json
    assert response.json["last_name"] == "Lovelace" and response.json["username"] == "ada"
    assert [group["display"] for group in response.json["groups"]] == ["team"]
    assert User.get_by_id(ada.id).check_password(PASSWORD)  # no password given: kept

    assert api.patch(f"{USERS}{ada.id}/", admin_key, json={"password": "new-password-2"}).status_code == 200
    app = create_app(jobdeck)
    assert can_log_in(app, "ada", "new-password-2") and not can_log_in(app, "ada", PASSWORD)

    assert api.patch(f"{USERS}{ada.id}/", admin_key, json={"is_active": False}).json["is_active"] is False
    assert not can_log_in(app, "ada", "new-password-2")


def test_patch_ignores_what_get_answered(api, admin_key):
    ada = make_user("ada")
    read = api.get(f"{USERS}{ada.id}/", admin_key).json
    response = api.patch(f"{USERS}{ada.id}/", admin_key, json={**read, "first_name": "Ada", "id": "1"})
    assert response.status_code == 200, response.json
    assert response.json["first_name"] == "Ada" and response.json["id"] == str(ada.id)


def test_put_needs_the_required_fields(api, admin_key):
    ada = make_user("ada", email="ada@example.com")
    missing = api.put(f"{USERS}{ada.id}/", admin_key, json={"email": "x@example.com"})
    assert missing.status_code == 400 and missing.json == {"username": ["This field is required."]}
    response = api.put(f"{USERS}{ada.id}/", admin_key, json={"username": "ada2", "email": "x@example.com"})
    assert response.status_code == 200, response.json
    assert (response.json["username"], response.json["email"]) == ("ada2", "x@example.com")


def test_delete_user_and_not_yourself(api, admin_key):
    ada = make_user("ada")
    key_for(ada)
    response = api.delete(f"{USERS}{ada.id}/", admin_key)
    assert response.status_code == 204 and response.data == b""
    assert User.get_or_none(User.id == ada.id) is None and Token.select().count() == 1
    assert api.delete(f"{USERS}{ada.id}/", admin_key).status_code == 404
    myself = api.delete(f"{USERS}{admin().id}/", admin_key)
    assert myself.status_code == 403
    assert myself.json == {"detail": "You cannot delete your own account."}


def test_you_cannot_lock_yourself_out(api, admin_key):
    me = admin()
    response = api.patch(f"{USERS}{me.id}/", admin_key, json={"is_active": False, "is_superuser": False})
    assert response.status_code == 400
    assert response.json == {"is_active": ["You cannot deactivate your own account."],
                             "is_superuser": ["You cannot remove your own superuser status."]}
    assert User.get_by_id(me.id).is_active


def test_permissions_are_checked(api):
    ada = make_user("ada")
    viewer = make_user("viewer")
    grant(viewer, ["view"], ["users.user"])
    key = key_for(viewer)
    assert api.get(USERS, key).json["count"] == 2
    assert api.post(USERS, key, json={"username": "x", "password": PASSWORD}).json == {
        "detail": "You do not have permission to add users."}
    assert api.patch(f"{USERS}{ada.id}/", key, json={"first_name": "A"}).status_code == 403
    assert api.delete(f"{USERS}{ada.id}/", key).status_code == 403
    nobody = key_for(make_user("nobody"))
    assert api.get(USERS, nobody).json["count"] == 0
    assert api.get(f"{USERS}{ada.id}/", nobody).status_code == 404
    assert User.get_by_id(ada.id).first_name == ""


def test_user_administrator_without_superuser_powers(api):
    manager = make_user("manager")
    grant(manager, ["view", "add", "change", "delete"], ["users.user"])
    key = key_for(manager)
    created = api.post(USERS, key, json={"username": "new", "password": PASSWORD})
    assert created.status_code == 201, created.json
    promoted = api.post(USERS, key, json={"username": "boss", "password": PASSWORD, "is_superuser": True})
    assert promoted.status_code == 403
    assert "Only a superuser" in promoted.json["detail"]
    assert api.patch(f"{USERS}{created.json['id']}/", key, json={"is_staff": True}).status_code == 403
    root = make_user("root", is_superuser=True)
    assert api.patch(f"{USERS}{root.id}/", key, json={"password": "taken-over-123"}).json == {
        "detail": "Only a superuser may change or delete a superuser."}
    assert api.delete(f"{USERS}{root.id}/", key).status_code == 403
    assert User.get_or_none(User.username == "boss") is None and not User.get_by_id(root.id).password_hash


def test_constrained_change_cannot_move_a_user_out_of_reach(api):
    manager = make_user("manager")
    grant(manager, ["view", "change"], ["users.user"], {"email__icontains": "@example.com"})
    ada = make_user("ada", email="ada@example.com")
    outsider = make_user("out", email="out@elsewhere.org")
    key = key_for(manager)
    assert api.patch(f"{USERS}{ada.id}/", key, json={"first_name": "Ada"}).status_code == 200
    assert api.patch(f"{USERS}{outsider.id}/", key, json={"first_name": "X"}).status_code == 404
    moved = api.patch(f"{USERS}{ada.id}/", key, json={"email": "ada@elsewhere.org"})
    assert moved.status_code == 403
    assert User.get_by_id(ada.id).email == "ada@example.com"  # rolled back


# Groups


def test_group_crud(api, admin_key):
    created = api.post(GROUPS, admin_key, json={"name": "Operators"})
    assert created.status_code == 201, created.json
    group_id = created.json["id"]
    assert created.json == {"id": group_id, "object_type": "users.group", "display": "Operators",
                            "url": f"http://localhost/api/users/groups/{group_id}/", "name": "Operators"}
    ada = make_user("ada")
    UserGroup.create(user=ada, group=int(group_id))
    assert api.post(GROUPS, admin_key, json={"name": "Operators"}).json == {
        "name": ["A group with this name already exists."]}
    assert api.post(GROUPS, admin_key, json={"name": ""}).status_code == 400
    renamed = api.patch(f"{GROUPS}{group_id}/", admin_key, json={"name": "Ops"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Ops"
    assert UserGroup.select().where(UserGroup.group == int(group_id)).count() == 1  # members kept
    assert [item["name"] for item in api.get(f"{GROUPS}?name=Ops", admin_key).json["results"]] == ["Ops"]
    assert api.delete(f"{GROUPS}{group_id}/", admin_key).status_code == 204
    assert Group.select().count() == 0 and User.get_or_none(User.id == ada.id) is not None


def test_group_permissions(api):
    viewer = make_user()
    grant(viewer, ["view"], ["users.group"])
    Group.create(name="team")
    key = key_for(viewer)
    assert api.get(GROUPS, key).json["count"] == 1
    assert api.post(GROUPS, key, json={"name": "mine"}).status_code == 403
    adder = make_user()
    grant(adder, ["add"], ["users.group"])
    created = api.post(GROUPS, key_for(adder), json={"name": "mine"})
    assert created.status_code == 201 and created.json["name"] == "mine"  # answered though not viewable
    assert api.get(f"{GROUPS}{created.json['id']}/", key_for(adder)).status_code == 404


# Object permissions


def test_permission_crud_and_it_takes_effect(api, admin_key):
    ada = make_user("ada")
    team = Group.create(name="team")
    ada_key = key_for(ada)
    assert api.get("/api/extras/jobs/", ada_key).json["count"] == 0
    created = api.post(PERMISSIONS, admin_key, json={
        "name": "Hello jobs", "object_types": ["extras.job", "dcim.device"], "actions": ["view", "run"],
        "constraints": {"grouping": "Hello Jobs"}, "users": [ada.id], "groups": [{"id": team.id}]})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["object_types"] == ["extras.job", "dcim.device"] and body["actions"] == ["view", "run"]
    assert body["constraints"] == {"grouping": "Hello Jobs"} and body["enabled"] is True
    assert [user["display"] for user in body["users"]] == ["ada"]
    assert [group["display"] for group in body["groups"]] == ["team"]
    assert body["url"] == f"http://localhost/api/users/permissions/{body['id']}/"
    jobs = api.get("/api/extras/jobs/", ada_key).json["results"]
    assert [job["name"] for job in jobs] == ["Say Hello"]

    changed = api.patch(f"{PERMISSIONS}{body['id']}/", admin_key, json={"constraints": None, "enabled": False})
    assert changed.status_code == 200, changed.json
    assert changed.json["constraints"] is None and changed.json["enabled"] is False
    assert changed.json["users"] == body["users"]
    assert api.get("/api/extras/jobs/", key_for(User.get_by_id(ada.id))).json["count"] == 0

    assert api.delete(f"{PERMISSIONS}{body['id']}/", admin_key).status_code == 204
    assert ObjectPermission.select().count() == 0


def test_permission_validation(api, admin_key):
    response = api.post(PERMISSIONS, admin_key, json={
        "name": "x", "object_types": ["not a type"], "actions": ["fly"], "constraints": "grouping=Reports"})
    assert response.status_code == 400
    assert set(response.json) == {"object_types", "actions", "constraints"}
    assert response.json["constraints"] == ["Constraints must be a JSON object or a list of JSON objects."]
    assert "not a type" in response.json["object_types"][0]
    empty = api.post(PERMISSIONS, admin_key, json={"name": "x", "object_types": [], "actions": []})
    assert empty.json == {"object_types": ["Choose at least one object type."],
                          "actions": ["Choose at least one action."]}
    assert api.post(PERMISSIONS, admin_key, json={"name": "x"}).json == {
        "object_types": ["This field is required."], "actions": ["This field is required."]}
    assert ObjectPermission.select().count() == 0


def test_permission_needs_permission(api):
    editor = make_user()
    grant(editor, ["view"], ["users.objectpermission"])
    response = api.post(PERMISSIONS, key_for(editor), json={"name": "all", "object_types": ["extras.job"],
                                                            "actions": ["view"]})
    assert response.status_code == 403


def test_token_user_write_needs_a_token_not_a_session(api, jobdeck):
    """A logged-in browser session may only read the API (CSRF), users included."""
    make_user("ada")
    app = api.app
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    root = User.create(username="root", is_superuser=True)
    root.set_password(PASSWORD)
    root.save()
    client = client_login(app.test_client(), "root", PASSWORD)
    assert client.get(USERS).status_code == 200
    assert client.post(USERS, json={"username": "x", "password": PASSWORD}).status_code == 403
