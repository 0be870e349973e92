"""Nautobot-style filters for any model (app/objects/filtering.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from app.objects.filtering import FilterError
from app.objects.filtering import filter_queryset
from tests.support.object_models import Gadget
from tests.support.object_models import Vendor
from tests.support.object_models import testkit_both_fixture  # noqa: F401
from tests.support.object_models import testkit_postgres_url  # noqa: F401

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture
def gadgets(testkit_both):
    acme = Vendor.create(name="Acme", slug="acme")
    globex = Vendor.create(name="Globex", slug="globex", description="Big")
    Gadget.create(name="widget", vendor=acme, serial="S1", active=True, weight=5, color="red", created=T0)
    Gadget.create(name="Gizmo", vendor=acme, serial=None, active=False, weight=None, color="green",
                  created=T0 + datetime.timedelta(hours=1))
    Gadget.create(name="sprocket", vendor=globex, serial="S2-x", active=True, weight=10, color="blue",
                  created=T0 + datetime.timedelta(hours=2))
    return acme, globex


def names(params, model=Gadget) -> list[str]:
    return sorted(row.name for row in filter_queryset(model, params))


def errors(params, model=Gadget) -> dict:
    with pytest.raises(FilterError) as caught:
        filter_queryset(model, params)
    return caught.value.errors


def test_exact_and_repeated_values(gadgets):
    assert names([("name", "widget")]) == ["widget"]
    assert names([("name", "widget"), ("name", "sprocket")]) == ["sprocket", "widget"]
    assert names(MultiDict([("color", "red"), ("color", "blue")])) == ["sprocket", "widget"]
    assert names({"weight": [5, 10]}) == ["sprocket", "widget"]
    assert names([("name", "widget"), ("active", "false")]) == []  # different parameters: all must hold
    assert names([("active", "false")]) == ["Gizmo"]
    assert names([("name", "WIDGET")]) == []  # exact is case-sensitive, as Nautobot's


@pytest.mark.parametrize(("param", "expected"), [
    ("name__n=widget", ["Gizmo", "sprocket"]),
    ("name__ic=IDG", ["widget"]),
    ("name__nic=idg", ["Gizmo", "sprocket"]),
    ("name__isw=GI", ["Gizmo"]),
    ("name__nisw=gi", ["sprocket", "widget"]),
    ("name__iew=KET", ["sprocket"]),
    ("name__niew=ket", ["Gizmo", "widget"]),
    ("name__ie=GIZMO", ["Gizmo"]),
    ("name__nie=gizmo", ["sprocket", "widget"]),
    ("weight__gt=5", ["sprocket"]),
    ("weight__gte=5", ["sprocket", "widget"]),
    ("weight__lt=10", ["widget"]),
    ("weight__lte=10", ["sprocket", "widget"]),
    ("created__gte=2026-01-01T13:00:00Z", ["Gizmo", "sprocket"]),
    ("created__lt=2026-01-01T13:00:00", ["widget"]),
    ("serial__isnull=true", ["Gizmo"]),
    ("serial__isnull=false", ["sprocket", "widget"]),
    ("serial=null", ["Gizmo"]),
    ("serial__n=null", ["sprocket", "widget"]),
    ("serial__n=S1", ["Gizmo", "sprocket"]),  # as Django's exclude(): an empty value is not S1
    ("color__n=red&color__n=blue", ["Gizmo"]),
    ("name__ic=i&name__ic=o", ["Gizmo", "sprocket", "widget"]),
])
def test_every_suffix(gadgets, param, expected):
    pairs = [tuple(part.split("=", 1)) for part in param.split("&")]
    assert names(pairs) == expected


def test_foreign_key_by_pk_name_and_id(gadgets):
    acme, globex = gadgets
    assert names([("vendor", str(acme.id))]) == ["Gizmo", "widget"]
    assert names([("vendor", "Globex")]) == ["sprocket"]
    assert names([("vendor", "Globex"), ("vendor", str(acme.id))]) == ["Gizmo", "sprocket", "widget"]
    assert names([("vendor_id", str(globex.id))]) == ["sprocket"]
    assert names([("vendor__n", "Acme")]) == ["sprocket"]
    assert names({"vendor": acme}) == ["Gizmo", "widget"]  # an ObjectVar's query_params may hold rows
    assert names([("vendor", "Nobody")]) == []
    assert errors([("vendor_id", "Acme")]) == {"vendor_id": ["\u201cAcme\u201d is not a whole number."]}


def test_q_searches_the_registered_fields(gadgets):
    assert names([("q", "s2")]) == ["sprocket"]  # serial
    assert names([("q", "GIZ")]) == ["Gizmo"]  # name
    assert names([("q", "big")], Vendor) == ["Globex"]  # a vendor's description
    assert names([("q", "")]) == ["Gizmo", "sprocket", "widget"]


def test_paging_and_output_options_are_not_filters(gadgets):
    assert names([("limit", "1"), ("offset", "5"), ("depth", "1"), ("name", "widget")]) == ["widget"]


def test_unknown_parameters_are_refused(gadgets):
    assert errors([("shoe_size", "9")]) == {"shoe_size": ["Unknown filter field"]}
    assert errors([("name__regex", "w")]) == {"name__regex": ["Unknown filter field"]}
    assert errors([("vendor__name", "Acme")]) == {"vendor__name": ["Unknown filter field"]}  # no traversal
    assert errors([("weight__ic", "5")]) == {"weight__ic": ["Unknown filter field"]}  # text lookup on a number
    assert errors([("name__gt", "a")]) == {"name__gt": ["Unknown filter field"]}
    assert errors([("active__lt", "true")]) == {"active__lt": ["Unknown filter field"]}


def test_bad_values_are_sentences(gadgets):
    assert errors([("weight", "heavy"), ("active", "maybe"), ("created__gt", "yesterday"), ("x", "1")]) == {
        "weight": ["\u201cheavy\u201d is not a whole number."],
        "active": ["\u201cmaybe\u201d is not a valid boolean; use true or false."],
        "created__gt": ["\u201cyesterday\u201d is not a valid ISO 8601 date or time."],
        "x": ["Unknown filter field"],
    }
    assert errors([("color", "pink")]) == {"color": ["Select a valid choice. pink is not one of the available "
                                                     "choices."]}
    assert errors([("serial__isnull", "perhaps")]) == {
        "serial__isnull": ["\u201cperhaps\u201d is not a valid boolean; use true or false."]}
