"""One validation path: the same variables accept or refuse the same input from form and API."""

from __future__ import annotations

import io
import json
import re

import netaddr
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict

from app.jobs import BooleanVar
from app.jobs import ChoiceVar
from app.jobs import DryRunVar
from app.jobs import FileVar
from app.jobs import IntegerVar
from app.jobs import IPAddressVar
from app.jobs import IPAddressWithMaskVar
from app.jobs import IPNetworkVar
from app.jobs import Job
from app.jobs import JSONVar
from app.jobs import MultiChoiceVar
from app.jobs import MultiObjectVar
from app.jobs import ObjectVar
from app.jobs import StringVar
from app.jobs.forms import JobDataError
from app.jobs.forms import bind_form
from app.jobs.forms import job_form_class
from app.jobs.forms import validate_data
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from tests.conftest import config_environment
from tests.conftest import enable
from tests.factories import grant


class Everything(Job):
    class Meta:
        field_order = ["count", "text"]

    text = StringVar(min_length=2, max_length=5, regex=r"^[a-z]+$")
    count = IntegerVar(min_value=0, max_value=10)
    flag = BooleanVar(default=True)
    dry = DryRunVar()
    color = ChoiceVar(choices=[("r", "Red"), ("g", "Green")], required=False)
    colors = MultiChoiceVar(choices=[("r", "Red"), ("g", "Green")], required=False)
    payload = JSONVar(required=False)
    address = IPAddressVar(required=False)
    interface = IPAddressWithMaskVar(required=False)
    network = IPNetworkVar(min_prefix_length=16, max_prefix_length=24, required=False)
    owner = ObjectVar(model=User, required=False)
    owners = MultiObjectVar(model=User, required=False)
    upload = FileVar(required=False)

    def run(self, **data):
        return data


def errors_of(data, files=None):
    with pytest.raises(JobDataError) as caught:
        validate_data(Everything, data, files)
    return caught.value.errors


def test_field_order_then_definition_order():
    assert list(job_form_class(Everything)()._fields)[:3] == ["count", "text", "flag"]


def test_zero_is_a_value_not_a_missing_input():
    cleaned = validate_data(Everything, {"text": "ab", "count": 0})
    assert cleaned["count"] == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"count": 1}, "text", "This field is required."),
        ({"text": "a", "count": 1}, "text", "between 2 and 5"),
        ({"text": "abcdef", "count": 1}, "text", "between 2 and 5"),
        ({"text": "AB", "count": 1}, "text", "matching"),
        ({"text": "ab", "count": 11}, "count", "between 0 and 10"),
        ({"text": "ab", "count": 1.5}, "count", "whole number"),
        ({"text": "ab", "count": "x"}, "count", "whole number"),
        ({"text": "ab", "count": 1, "color": "b"}, "color", "Select one of: r (Red), g (Green)."),
        ({"text": "ab", "count": 1, "color": ["r"]}, "color", "Select one of: r (Red), g (Green)."),
        ({"text": "ab", "count": 1, "colors": ["r", "b"]}, "colors",
         "'b' is not one of the choices. Select from: r (Red), g (Green)."),
        ({"text": "ab", "count": 1, "payload": "{bad"}, "payload", "valid JSON"),
        ({"text": "ab", "count": 1, "address": "10.0.0.1/24"}, "address", "without a mask, e.g. 192.0.2.1"),
        ({"text": "ab", "count": 1, "address": "10.0.0"}, "address", "Enter an IPv4 or IPv6 address, e.g. 192.0.2.1."),
        ({"text": "ab", "count": 1, "address": "gateway"}, "address", "Enter an IPv4 or IPv6 address, e.g. 192.0.2.1."),
        ({"text": "ab", "count": 1, "interface": "10.0.0.1"}, "interface", "with a mask, e.g. 192.0.2.1/24"),
        ({"text": "ab", "count": 1, "interface": "10.0.0.1/33"}, "interface", "with a mask, e.g. 192.0.2.1/24"),
        ({"text": "ab", "count": 1, "network": "lan"}, "network", "Enter an IPv4 or IPv6 network, e.g. 192.0.2.0/24."),
        ({"text": "ab", "count": 1, "network": "10.0.0.0"}, "network", "e.g. 192.0.2.0/24"),
        ({"text": "ab", "count": 1, "network": "10.0.0.0/8"}, "network",
         "The prefix length must be at least 16 (allowed: /16 to /24); this network is /8."),
        ({"text": "ab", "count": 1, "network": "10.0.0.0/28"}, "network",
         "The prefix length must be at most 24 (allowed: /16 to /24); this network is /28."),
        ({"text": "ab", "count": 1, "owner": 999}, "owner", "Select a valid User: 999 is not one of the available"),
        ({"text": "ab", "count": 1, "upload": "text"}, "upload", "multipart"),
        ({"text": "ab", "count": 1, "nope": 1}, "nope", "unknown property"),
    ],
)
def test_bad_input_gets_a_message_on_its_field(jobdeck, data, field, message):
    assert message in " ".join(errors_of(data)[field])


def test_typed_api_values_become_python_values(jobdeck):
    alice = User.create(username="alice")
    bob = User.create(username="bob")
    cleaned = validate_data(
        Everything,
        {
            "text": "ab", "count": "7", "flag": False, "dry": "true", "colors": ["r", "g"],
            "payload": {"a": [1]}, "address": "2001:db8::1", "interface": "10.0.0.5/24",
            "network": "10.1.0.0/16", "owner": {"username": "alice"}, "owners": [bob.id, alice.id],
        },
    )
    assert cleaned["count"] == 7 and cleaned["flag"] is False and cleaned["dry"] is True
    assert cleaned["payload"] == {"a": [1]}
    assert cleaned["address"] == netaddr.IPAddress("2001:db8::1")
    assert cleaned["interface"] == netaddr.IPNetwork("10.0.0.5/24")
    assert cleaned["owner"] == alice
    assert cleaned["owners"] == [bob, alice]


def test_missing_api_keys_take_defaults_and_booleans_are_never_required(jobdeck):
    cleaned = validate_data(Everything, {"text": "ab", "count": 1})
    assert cleaned["flag"] is True and cleaned["dry"] is False


def test_browser_form_data_with_unchecked_boxes_and_an_upload(jobdeck):
    form = MultiDict({"text": "ab", "count": "3", "payload": '{"k": 1}'})
    files = MultiDict({"upload": FileStorage(io.BytesIO(b"hello"), filename="in.txt")})
    cleaned = validate_data(Everything, form, files, strict=False)
    assert cleaned["flag"] is False  # unchecked in a browser form
    assert cleaned["payload"] == {"k": 1}
    assert cleaned["upload"].name == "in.txt" and cleaned["upload"].read() == b"hello"


# -- ObjectVar choices ----------------------------------------------------------------------------


class Owners(Job):
    owner = ObjectVar(model=User, required=False)
    named = ObjectVar(model=User, required=False, null_option="Nobody")
    boss = ObjectVar(model=User, display_field="username")
    owners = MultiObjectVar(model=User, required=False)
    reviewers = MultiObjectVar(model=User, required=False, null_option="No reviewers")

    def run(self, **data):
        return data


def options_of(html: str) -> list[tuple[str, str, bool, bool]]:
    """(value, label, selected, disabled) of each <option> in rendered HTML."""
    found = []
    for attributes, label in re.findall(r"<option([^>]*)>([^<]*)</option>", html):
        value = re.search(r'value="([^"]*)"', attributes).group(1)
        found.append((value, label, " selected" in attributes, " disabled" in attributes))
    return found


@pytest.fixture
def users(jobdeck):
    return {name: User.create(username=name) for name in ("alice", "bob", "carol")}


def test_optional_object_choice_starts_blank_instead_of_on_the_first_row(users):
    form = job_form_class(Owners)()
    owner = options_of(str(form.owner()))
    assert owner[0] == ("", "---------", True, False)
    assert [label for _, label, _, _ in owner[1:]] == ["alice", "bob", "carol"]
    assert not any(selected for _, _, selected, _ in owner[1:])
    assert options_of(str(form.named()))[0] == ("", "Nobody", True, False)
    assert options_of(str(form.owners()))[0] == ("", "---------", False, False)
    assert options_of(str(form.reviewers()))[0] == ("", "No reviewers", False, False)


def test_required_object_choice_preselects_nothing_and_offers_no_blank_choice(users):
    boss = options_of(str(job_form_class(Owners)().boss()))
    # Like Django's "---------" for a required choice without initial: a placeholder, but not one a
    # user can pick again, so nothing is chosen for them.
    assert boss[0] == ("", "---------", True, True)
    assert not any(selected for _, _, selected, _ in boss[1:])
    with pytest.raises(JobDataError) as caught:
        validate_data(Owners, MultiDict({"owner": ""}), strict=False)
    assert caught.value.errors == {"boss": ["This field is required."]}


def test_required_object_choice_with_a_default_has_no_placeholder(users):
    class WithDefault(Job):
        boss = ObjectVar(model=User, default=users["bob"])

    class WithDefaultKey(Job):
        boss = ObjectVar(model=User, default=users["carol"].id)

    boss = options_of(str(job_form_class(WithDefault)().boss()))
    assert [(label, selected) for _, label, selected, _ in boss] == [("alice", False), ("bob", True), ("carol", False)]
    boss = options_of(str(job_form_class(WithDefaultKey)().boss()))
    assert [(label, selected) for _, label, selected, _ in boss] == [("alice", False), ("bob", False), ("carol", True)]
    assert validate_data(WithDefaultKey, {})["boss"] == users["carol"]


def test_blank_object_choices_submit_none_and_an_empty_list(users):
    posted = MultiDict([("owner", ""), ("named", ""), ("boss", str(users["bob"].id)), ("owners", ""),
                        ("reviewers", "")])
    cleaned = validate_data(Owners, posted, strict=False)
    assert cleaned == {"owner": None, "named": None, "boss": users["bob"], "owners": [], "reviewers": []}
    through_api = validate_data(Owners, {"owner": None, "boss": users["bob"].id, "owners": []})
    assert through_api["owner"] is None and through_api["owners"] == []
    # Nautobot's value for the null_option choice, accepted where a null_option is declared.
    assert validate_data(Owners, {"named": "null", "boss": users["bob"].id})["named"] is None
    assert "owner" in errors_of_owners({"owner": "null", "boss": users["bob"].id})


def errors_of_owners(data):
    with pytest.raises(JobDataError) as caught:
        validate_data(Owners, data)
    return caught.value.errors


def only(*names):
    return lambda query: query.where(User.username.in_(names))


def test_object_choices_are_limited_by_the_callers_restriction(users):
    form = job_form_class(Owners)(meta={"restrict_rows": only("alice", "carol")})
    assert [label for _, label, _, _ in options_of(str(form.boss()))[1:]] == ["alice", "carol"]
    assert [label for _, label, _, _ in options_of(str(form.owners()))[1:]] == ["alice", "carol"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"boss": "bob"}, "boss", "is not one of the available choices."),
        ({"boss": {"username": "bob"}}, "boss", 'No User matches {"username": "bob"}.'),
        ({"boss": "alice", "owners": ["alice", "bob"]}, "owners", "is not one of the available choices."),
    ],
)
def test_an_object_outside_the_restriction_is_refused(users, data, field, message):
    def ids(value):
        if isinstance(value, list):
            return [users[name].id for name in value]
        return users[value].id if isinstance(value, str) else value

    data = {key: ids(value) for key, value in data.items()}
    with pytest.raises(JobDataError) as caught:
        validate_data(Owners, data, restrict_rows=only("alice", "carol"))
    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field][0]
    # The same input passes for a trusted caller (no restriction).
    validate_data(Owners, data)


def test_a_restricted_but_allowed_object_is_accepted(users):
    cleaned = validate_data(Owners, {"boss": users["carol"].id, "owners": [users["alice"].id]},
                            restrict_rows=only("alice", "carol"))
    assert cleaned["boss"] == users["carol"] and cleaned["owners"] == [users["alice"]]


def test_cli_with_a_username_offers_only_what_the_user_may_view(jobdeck, monkeypatch, capsys):
    from app.cli import main

    for name, value in config_environment(jobdeck).items():
        monkeypatch.setenv(name, value)
    record = enable("everything.ExampleEverythingJob")
    hello = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    grant(User.create(username="rita"), ["extras.job"], ["view", "run"], {"grouping": "Examples"})
    data = json.dumps({"example_string": "s", "example_choice": "a", "example_job": str(hello.id)})
    argv = ["runjob", "--local", "--data", data, record.class_path]

    assert main([*argv[:1], "--username", "rita", *argv[1:]]) == 2
    assert f"example_job: Select a valid JobRecord: '{hello.id}' is not one of the available" in capsys.readouterr().err
    assert JobResult.select().count() == 0
    assert main(argv) == 0  # the trusted CLI, without a user, may pick any row
    assert JobResult.get().status == "SUCCESS"


def test_rows_of_a_model_without_an_object_type_are_offered_to_superusers_only(jobdeck):
    from app.execution.submit import visible_rows
    from app.models import LoginFailure

    class Workers(Job):
        worker = ObjectVar(model=LoginFailure, required=False)

    LoginFailure.create(key="10.0.0.1", count=1)
    rita = User.create(username="rita")
    boss = User.create(username="boss", is_superuser=True)
    as_rita = bind_form(Workers, restrict_rows=visible_rows(rita))
    assert [label for _, label, _, _ in options_of(str(as_rita.worker()))] == ["---------"]
    assert len(options_of(str(bind_form(Workers, restrict_rows=visible_rows(boss)).worker()))) == 2
