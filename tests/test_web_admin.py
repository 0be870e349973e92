"""Admin pages (users, groups, permissions, tokens) and /profile/tokens/ through the Flask test client."""

from __future__ import annotations

import re

import pytest

from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import PermissionGroup
from app.models.users import PermissionUser
from app.models.users import Token
from app.models.users import User
from app.models.users import UserGroup
from tests.factories import PASSWORD
from tests.factories import client_login
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text

# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def app(jobdeck):
    return make_app(jobdeck)


@pytest.fixture
def admin(app):
    make_user("root", superuser=True)
    return client_login(app.test_client(), "root")


@pytest.fixture
def alice(app):
    """A logged-in client for a user with no permissions."""
    make_user("alice")
    return client_login(app.test_client(), "alice")


# --- access --------------------------------------------------------------------------------------

ADMIN_PAGES = [
    "/admin/",
    "/admin/users/",
    "/admin/users/add/",
    "/admin/groups/",
    "/admin/groups/add/",
    "/admin/permissions/",
    "/admin/permissions/add/",
    "/admin/tokens/",
    "/admin/tokens/add/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_superuser_sees_every_admin_page(admin, url):
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_user_without_permissions_gets_403(alice, url):
    assert alice.get(url).status_code == 403


def test_anonymous_is_sent_to_login(app):
    response = app.test_client().get("/admin/users/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_permission_opens_only_its_section(app):
    clerk = make_user("clerk")
    grant(clerk, ["users.group"], ["view", "add"])
    client = client_login(app.test_client(), "clerk")
    index = text(client.get("/admin/"))
    assert "/admin/groups/" in index and "/admin/users/" not in index
    assert client.get("/admin/groups/").status_code == 200
    assert client.post("/admin/groups/add/", data={"name": "ops"}).status_code == 302
    assert Group.get(Group.name == "ops")
    assert client.get("/admin/users/").status_code == 403
    group = Group.get(Group.name == "ops")
    assert client.post(f"/admin/groups/{group.id}/", data={"name": "x"}).status_code == 403  # no change


def test_admin_link_is_shown_to_whoever_may_view_an_admin_section(app, admin, alice):
    clerk = make_user("clerk")
    grant(clerk, ["users.token"], ["view"])
    staff = make_user("staff", is_staff=True)
    assert 'href="/admin/"' in text(admin.get("/"))
    assert 'href="/admin/"' in text(login_as(app, clerk).get("/"))
    assert 'href="/admin/"' not in text(alice.get("/"))
    assert 'href="/admin/"' not in text(login_as(app, staff).get("/"))  # staff alone grants nothing


def test_csrf_is_enforced(jobdeck):
    app = make_app(jobdeck, csrf=True)
    make_user("root", superuser=True)
    client = client_login(app.test_client(), "root")
    data = {"username": "bob", "password": PASSWORD, "password_confirm": PASSWORD, "is_active": "y"}
    assert client.post("/admin/users/add/", data=data).status_code == 400
    assert not User.select().where(User.username == "bob").exists()
    data["csrf_token"] = page_csrf(client, "/admin/users/add/")
    assert client.post("/admin/users/add/", data=data).status_code == 302
    assert User.select().where(User.username == "bob").exists()


# --- users ---------------------------------------------------------------------------------------


def test_user_crud(admin):
    staff = Group.create(name="staff")
    response = admin.post(
        "/admin/users/add/",
        data={
            "username": "bob",
            "email": "bob@example.com",
            "first_name": "Bob",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "is_active": "y",
            "is_staff": "y",
            "groups": [str(staff.id)],
        },
    )
    assert response.status_code == 302
    bob = User.get(User.username == "bob")
    assert PASSWORD not in bob.password_hash and bob.check_password(PASSWORD)
    assert (bob.email, bob.is_active, bob.is_staff, bob.is_superuser) == (
        "bob@example.com",
        True,
        True,
        False,
    )
    assert [link.group.name for link in bob.group_links] == ["staff"]
    assert "bob@example.com" in text(admin.get("/admin/users/"))

    edit = text(admin.get(f"/admin/users/{bob.id}/"))
    assert 'value="bob@example.com"' in edit and "correct-horse" not in edit

    # Blank password keeps the old one; groups can be emptied.
    response = admin.post(f"/admin/users/{bob.id}/", data={"username": "bob", "email": "b@example.com"})
    assert response.status_code == 302
    bob = User.get_by_id(bob.id)
    assert bob.email == "b@example.com" and not bob.is_active and bob.check_password(PASSWORD)
    assert not UserGroup.select().where(UserGroup.user == bob).exists()

    admin.post(
        f"/admin/users/{bob.id}/",
        data={
            "username": "bob",
            "password": "new-password-1",
            "password_confirm": "new-password-1",
            "is_active": "y",
        },
    )
    assert User.get_by_id(bob.id).check_password("new-password-1")

    confirm = admin.get(f"/admin/users/{bob.id}/delete/")
    assert confirm.status_code == 200 and "Delete user" in text(confirm)
    assert User.get_or_none(User.id == bob.id) is not None  # a GET never deletes
    assert admin.post(f"/admin/users/{bob.id}/delete/").status_code == 302
    assert User.get_or_none(User.id == bob.id) is None


def test_user_form_errors_are_inline(admin):
    make_user("taken")
    response = admin.post(
        "/admin/users/add/",
        data={
            "username": "taken",
            "password": PASSWORD,
            "password_confirm": "something-else",
        },
    )
    body = text(response)
    assert response.status_code == 200
    assert "already exists" in body and "Passwords do not match" in body
    assert User.select().count() == 2


def test_cannot_lock_yourself_out(admin):
    root = User.get(User.username == "root")
    response = admin.post(f"/admin/users/{root.id}/", data={"username": "root"})
    assert "cannot deactivate your own account" in text(response)
    assert User.get_by_id(root.id).is_active and User.get_by_id(root.id).is_superuser
    assert admin.post(f"/admin/users/{root.id}/delete/").status_code == 403


def test_delegated_user_admin_cannot_touch_superusers(app):
    helper = make_user("helper")
    grant(helper, ["users.user"], ["view", "add", "change", "delete"])
    boss = make_user("boss", superuser=True)
    client = client_login(app.test_client(), "helper")
    assert client.get(f"/admin/users/{boss.id}/").status_code == 403
    assert client.post(f"/admin/users/{boss.id}/delete/").status_code == 403
    # Nor make anyone a superuser: the flag is not offered and is ignored when posted.
    assert 'name="is_superuser"' not in text(client.get("/admin/users/add/"))
    client.post(
        "/admin/users/add/",
        data={
            "username": "sneaky",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "is_active": "y",
            "is_superuser": "y",
        },
    )
    assert User.get(User.username == "sneaky").is_superuser is False


# --- groups --------------------------------------------------------------------------------------


def test_group_crud(admin):
    bob, carol = make_user("bob"), make_user("carol")
    response = admin.post("/admin/groups/add/", data={"name": "ops", "members": [str(bob.id), str(carol.id)]})
    assert response.status_code == 302
    ops = Group.get(Group.name == "ops")
    assert {link.user.username for link in ops.user_links} == {"bob", "carol"}

    response = admin.post(f"/admin/groups/{ops.id}/", data={"name": "operations", "members": [str(carol.id)]})
    assert response.status_code == 302
    ops = Group.get_by_id(ops.id)
    assert ops.name == "operations" and [link.user.username for link in ops.user_links] == ["carol"]
    assert "operations" in text(admin.get("/admin/groups/"))

    duplicate = admin.post("/admin/groups/add/", data={"name": "operations"})
    assert "already exists" in text(duplicate) and Group.select().count() == 1

    assert admin.get(f"/admin/groups/{ops.id}/delete/").status_code == 200
    assert admin.post(f"/admin/groups/{ops.id}/delete/").status_code == 302
    assert Group.select().count() == 0 and User.select().count() == 3


# --- permissions ---------------------------------------------------------------------------------


def permission_data(**changes):
    data = {
        "name": "run reports",
        "description": "Reports team",
        "enabled": "y",
        "object_types": ["extras.job"],
        "actions": ["view", "run"],
        "constraints": '{"grouping": "Reports"}',
    }
    data.update(changes)
    return data


def test_permission_crud(admin):
    bob, team = make_user("bob"), Group.create(name="team")
    response = admin.post(
        "/admin/permissions/add/",
        data=permission_data(
            users=[str(bob.id)],
            groups=[str(team.id)],
            other_object_types="dcim.device",
        ),
    )
    assert response.status_code == 302
    permission = ObjectPermission.get(ObjectPermission.name == "run reports")
    assert permission.object_types == ["extras.job", "dcim.device"]
    assert permission.actions == ["view", "run"]
    assert permission.constraints == {"grouping": "Reports"}
    assert [link.user.username for link in permission.user_links] == ["bob"]
    assert [link.group.name for link in permission.group_links] == ["team"]

    edit = text(admin.get(f"/admin/permissions/{permission.id}/"))
    assert "&#34;grouping&#34;: &#34;Reports&#34;" in edit and 'value="dcim.device"' in edit

    response = admin.post(
        f"/admin/permissions/{permission.id}/",
        data=permission_data(
            enabled="",
            constraints="",
            actions=["change"],
            object_types=["extras.job", "users.token"],
        ),
    )
    assert response.status_code == 302
    permission = ObjectPermission.get_by_id(permission.id)
    assert (permission.enabled, permission.constraints, permission.actions) == (False, None, ["change"])
    assert permission.object_types == ["extras.job", "users.token"]
    assert not PermissionUser.select().exists() and not PermissionGroup.select().exists()

    assert admin.post(f"/admin/permissions/{permission.id}/delete/").status_code == 302
    assert ObjectPermission.select().count() == 0


@pytest.mark.parametrize(
    "constraints, message",
    [
        ('{"grouping": ', "Invalid JSON"),
        ('"Reports"', "must be a JSON object or a list of JSON objects"),
        ('[{"grouping": "Reports"}, 3]', "must be a JSON object or a list of JSON objects"),
        ("null", "must be a JSON object or a list of JSON objects"),
    ],
)
def test_invalid_constraints_show_an_error_and_save_nothing(admin, constraints, message):
    response = admin.post("/admin/permissions/add/", data=permission_data(constraints=constraints))
    assert response.status_code == 200
    assert message in text(response)
    assert ObjectPermission.select().count() == 0


def test_list_of_constraint_objects_is_accepted(admin):
    admin.post(
        "/admin/permissions/add/", data=permission_data(constraints='[{"grouping": "A"}, {"id": [1]}]')
    )
    assert ObjectPermission.get().constraints == [{"grouping": "A"}, {"id": [1]}]


def test_permission_needs_an_action_and_an_object_type(admin):
    body = text(admin.post("/admin/permissions/add/", data=permission_data(actions=[], object_types=[])))
    assert "Choose at least one action" in body and "Choose at least one object type" in body
    assert ObjectPermission.select().count() == 0


def test_saved_permission_takes_effect(app, admin):
    bob = make_user("bob")
    admin.post(
        "/admin/permissions/add/",
        data=permission_data(
            object_types=["users.group"],
            actions=["view"],
            constraints="",
            users=[str(bob.id)],
        ),
    )
    client = client_login(app.test_client(), "bob")
    assert client.get("/admin/groups/").status_code == 200
    assert client.get("/admin/permissions/").status_code == 403


# --- tokens --------------------------------------------------------------------------------------


def created_key(response) -> str:
    match = re.search(r'id="token-key"[^>]*value="([0-9a-f]{40})"', text(response))
    assert match, text(response)
    return match.group(1)


def test_admin_token_key_is_shown_once_and_stored_hashed(jobdeck, admin):
    bob = make_user("bob")
    response = admin.post(
        "/admin/tokens/add/",
        data={
            "user": str(bob.id),
            "description": "CI",
            "expires": "2999-01-01T00:00",
        },
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    key = created_key(response)
    token = Token.lookup(key)
    assert token is not None and token.user_id == bob.id and token.description == "CI"
    assert token.write_enabled is False  # the checkbox was not posted
    assert token.expires.year == 2999

    from app import db

    rows = db.database.execute_sql('SELECT * FROM "token"').fetchall()
    assert key not in repr(rows)
    listing = text(admin.get("/admin/tokens/"))
    assert key not in listing and f"{key[:8]}…" in listing and "bob" in listing and "CI" in listing

    assert admin.get(f"/admin/tokens/{token.id}/delete/").status_code == 200
    assert Token.lookup(key) is not None
    assert admin.post(f"/admin/tokens/{token.id}/delete/").status_code == 302
    assert Token.lookup(key) is None


def test_token_form_validation(admin):
    bob = make_user("bob")
    body = text(admin.post("/admin/tokens/add/", data={"user": "0"}))
    assert "Choose a user" in body
    body = text(admin.post("/admin/tokens/add/", data={"user": str(bob.id), "expires": "2001-01-01T00:00"}))
    assert "must be in the future" in body
    assert Token.select().count() == 0


def test_delegated_token_admin_cannot_issue_for_a_superuser(app):
    helper = make_user("helper")
    grant(helper, ["users.token", "users.user"], ["view", "add"])
    boss = make_user("boss", superuser=True)
    client = client_login(app.test_client(), "helper")
    assert ">boss<" not in text(client.get("/admin/tokens/add/"))
    response = client.post("/admin/tokens/add/", data={"user": str(boss.id), "write_enabled": "y"})
    assert response.status_code == 200 and "Not a valid choice" in text(response)
    assert Token.select().count() == 0


def test_profile_tokens_are_the_users_own(app, alice):
    bob = make_user("bob")
    _, bob_key = Token.issue(bob, description="bob's")
    response = alice.post("/profile/tokens/add/", data={"description": "laptop", "write_enabled": "y"})
    key = created_key(response)
    token = Token.lookup(key)
    assert token.user.username == "alice" and token.write_enabled

    listing = text(alice.get("/profile/tokens/"))
    assert "laptop" in listing and "bob&#39;s" not in listing and key not in listing

    bob_token = Token.lookup(bob_key)
    assert alice.post(f"/profile/tokens/{bob_token.id}/delete/").status_code == 404
    assert Token.lookup(bob_key) is not None
    assert alice.post(f"/profile/tokens/{token.id}/delete/").status_code == 302
    assert Token.lookup(key) is None


# --- user form layout ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/users/add/", "edit"])
def test_user_form_asks_for_the_password_before_its_confirmation(admin, url):
    if url == "edit":
        url = f"/admin/users/{make_user('bob').id}/"
    body = text(admin.get(url))
    assert body.index('name="password"') < body.index('name="password_confirm"') < body.index('name="is_active"')


def test_user_form_without_groups_has_no_groups_box_but_a_hint(admin):
    body = text(admin.get("/admin/users/add/"))
    assert 'name="groups"' not in body
    assert "No groups yet" in body and 'href="/admin/groups/add/"' in body
    # Creating a user still works without the field.
    response = admin.post("/admin/users/add/", data={"username": "bob", "password": PASSWORD,
                                                      "password_confirm": PASSWORD, "is_active": "y"})
    assert response.status_code == 302 and User.get(User.username == "bob").check_password(PASSWORD)
    Group.create(name="staff")
    assert 'name="groups"' in text(admin.get("/admin/users/add/"))


def test_user_add_still_requires_a_password(admin):
    response = admin.post("/admin/users/add/", data={"username": "bob", "is_active": "y"})
    assert response.status_code == 200 and "This field is required." in text(response)
    assert not User.select().where(User.username == "bob").exists()


# --- failed logins -------------------------------------------------------------------------------


def failed_login(client, username, address="192.0.2.50"):
    client.post("/login", data={"username": username, "password": "not-it-123"}, environ_base={"REMOTE_ADDR": address})


def test_failed_logins_are_listed_newest_first_for_a_superuser(app, admin):
    anonymous = app.test_client()
    failed_login(anonymous, "first-try")
    failed_login(anonymous, "second-try", "2001:db8::7")
    page = admin.get("/admin/failed-logins/")
    assert page.status_code == 200
    body = text(page)
    assert "Failed logins" in body
    assert body.index("second-try") < body.index("first-try")
    assert "2001:db8::7" in body and "Unknown username." in body
    assert 'href="/admin/failed-logins/"' in text(admin.get("/admin/"))


def test_failed_logins_page_pages(app, admin):
    from app.models import FailedLogin
    from app.web.admin import failed_logins

    FailedLogin.insert_many(
        [{"username": f"u{index:03d}", "address": "192.0.2.1", "reason": "Wrong password."}
         for index in range(failed_logins.PAGE_SIZE + 5)]
    ).execute()
    first = text(admin.get("/admin/failed-logins/"))
    newest, oldest_shown = f"u{failed_logins.PAGE_SIZE + 4:03d}", "u005"
    assert newest in first and oldest_shown in first and "u004" not in first
    older = re.search(r'href="\?(older_than=\d+)"', first)
    assert older, "no link to older failed logins"
    second = text(admin.get(f"/admin/failed-logins/?{older.group(1)}"))
    assert "u004" in second and "u000" in second and newest not in second
    assert 'rel="prev"' in second


def test_failed_logins_need_view_permission(app, alice):
    assert alice.get("/admin/failed-logins/").status_code == 403
    viewer = make_user("viewer")
    grant(viewer, ["users.failedlogin"], ["view"])
    client = client_login(app.test_client(), "viewer")
    assert client.get("/admin/failed-logins/").status_code == 200
    assert client.get("/admin/users/").status_code == 403
    assert 'href="/admin/"' in text(client.get("/"))  # the top bar links to Admin


def test_the_user_list_shows_last_logins_with_their_zone(admin):
    import datetime

    user = make_user("carol")
    user.last_login = datetime.datetime(2026, 3, 4, 5, 6, 7)
    user.save()
    page = text(admin.get("/admin/users/"))
    assert "2026-03-04 05:06:07 UTC" in page  # a bare "2026-03-04 05:06" leaves the zone to guess


def test_the_permission_form_hides_an_empty_groups_box(admin):
    page = text(admin.get("/admin/permissions/add/"))
    assert 'name="groups"' not in page  # no group exists: an empty box helps nobody
    assert "Create a group" in page
    admin.post("/admin/permissions/add/", data=permission_data(users=[]))
    assert ObjectPermission.get(ObjectPermission.name == "run reports").name == "run reports"
    Group.create(name="team")
    assert 'name="groups"' in text(admin.get("/admin/permissions/add/"))
