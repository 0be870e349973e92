"""One validation path: the same variables accept or refuse the same input from form and API."""

from __future__ import annotations

import io

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
from app.jobs.forms import job_form_class
from app.jobs.forms import validate_data
from app.models import User


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
        ({"text": "ab", "count": 1, "color": "b"}, "color", "Not a valid choice"),
        ({"text": "ab", "count": 1, "payload": "{bad"}, "payload", "valid JSON"),
        ({"text": "ab", "count": 1, "address": "10.0.0.1/24"}, "address", "without a mask"),
        ({"text": "ab", "count": 1, "interface": "10.0.0.1"}, "interface", "with a mask"),
        ({"text": "ab", "count": 1, "network": "10.0.0.0/8"}, "network", "at least 16"),
        ({"text": "ab", "count": 1, "owner": 999}, "owner", "valid User"),
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
