"""Forms generated from a model's fields (app/objects/model_forms.py), fed as the API feeds them."""

from __future__ import annotations

import datetime
import decimal
import uuid

import peewee
import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app import create_app
from app import db
from app.objects.model_forms import bind_values
from app.objects.model_forms import form_field_names
from app.objects.model_forms import model_form_class
from tests.support.object_models import Gadget
from tests.support.object_models import Vendor
from tests.support.object_models import testkit_fixture  # noqa: F401


class Measurement(db.BaseModel):
    """Field types the testkit models lack (not registered: forms work for any model)."""

    taken_on = peewee.DateField(null=True)
    ratio = peewee.FloatField(null=True)
    price = peewee.DecimalField(max_digits=8, decimal_places=2, null=True)
    token = peewee.UUIDField(null=True)
    checked = peewee.BooleanField(null=True)
    notes = peewee.TextField(default="")
    level = peewee.IntegerField(choices=((1, "Low"), (2, "High")), null=True)
    extra = db.JSONField(null=True)

    class Meta:
        table_name = "testkit_measurement"


@pytest.fixture
def acme(testkit):
    return Vendor.create(name="Acme", slug="acme")


def test_fields_follow_the_model(testkit):
    form = model_form_class(Gadget)()
    kinds = {field.name: (field.type, bool(field.flags.required)) for field in form}
    assert kinds == {
        "name": ("TextField", True), "vendor": ("RelatedField", True), "serial": ("TextField", False),
        "active": ("FlexibleBooleanField", False), "weight": ("StrictIntegerField", False),
        "color": ("ChoiceField", False),
    }
    assert "created" not in form_field_names(Gadget)  # read_only when registered; "id" is auto
    assert model_form_class("testkit.gadget") is model_form_class(Gadget)
    assert model_form_class(Vendor)().description.type == "TextAreaField"


def test_a_new_form_shows_the_model_defaults(testkit):
    form = model_form_class(Gadget)()
    assert form.color.data == "red" and form.active.data is True and form.name.data is None


def test_create_with_typed_values_and_defaults(acme):
    form = bind_values(Gadget, {"name": "widget", "vendor": acme.id, "weight": 0, "active": False})
    assert form.validate(), form.errors
    gadget = form.save()
    stored = Gadget.get_by_id(gadget.id)
    assert (stored.name, stored.vendor_id, stored.weight, stored.active) == ("widget", acme.id, 0, False)
    assert stored.color == "red" and stored.serial is None  # default; blank nullable text is NULL


def test_required_fields_and_zero_and_false_count_as_given(acme):
    form = bind_values(Gadget, {"serial": ""})
    assert not form.validate()
    assert form.errors == {"name": ["This field is required."], "vendor": ["This field is required."]}
    assert bind_values(Gadget, {"name": "0", "vendor": acme.id, "weight": 0}).validate()


def test_type_errors_are_sentences(acme):
    form = bind_values(Gadget, {"name": "x" * 51, "vendor": acme.id, "weight": 1.5, "color": "pink"})
    assert not form.validate()
    assert form.errors == {
        "name": ["Field cannot be longer than 50 characters."],
        "weight": ["Enter a whole number."],
        "color": ["Select one of: red (Red), green (Green), blue (Blue)."],
    }


def test_foreign_key_by_id_nested_object_or_lookups(acme):
    nested = {"id": acme.id, "object_type": "testkit.vendor", "url": "http://x/api/testkit/vendors/1/"}
    for value in (acme.id, str(acme.id), nested, {"name": "Acme"}):
        form = bind_values(Gadget, {"name": "g", "vendor": value})
        assert form.validate(), (value, form.errors)
        assert form.vendor.data.id == acme.id
    missing = bind_values(Gadget, {"name": "g", "vendor": 999})
    assert not missing.validate()
    assert missing.errors == {"vendor": ["Select a valid Vendor: 999 is not one of the available choices."]}
    assert not bind_values(Gadget, {"name": "g", "vendor": {"name": "Nope"}}).validate()


def test_foreign_key_rows_narrowed_by_restrict_rows(acme):
    other = Vendor.create(name="Other")
    only_acme = {"restrict_rows": lambda query: query.where(Vendor.name == "Acme")}
    assert bind_values(Gadget, {"name": "g", "vendor": acme.id}, meta=only_acme).validate()
    form = bind_values(Gadget, {"name": "g", "vendor": other.id}, meta=only_acme)
    assert not form.validate() and list(form.errors) == ["vendor"]
    assert [choice[0] for choice in form.vendor.iter_choices()] == ["", str(acme.id)]


def test_unique_field_and_unique_index(acme):
    duplicate = bind_values(Vendor, {"name": "Acme"})
    assert not duplicate.validate()
    assert duplicate.errors == {"name": ["A Vendor with this name already exists."]}
    assert bind_values(Vendor, {"name": "Acme", "slug": "new"}, acme).validate()  # itself is no duplicate
    Gadget.create(name="widget", vendor=acme)
    twin = bind_values(Gadget, {"name": "widget", "vendor": acme.id})
    assert not twin.validate()
    assert twin.errors == {"non_field_errors": ["A Gadget with this vendor and name already exists."]}
    assert bind_values(Gadget, {"name": "widget", "vendor": Vendor.create(name="B").id}).validate()


def test_model_clean_is_called_without_touching_the_instance(acme):
    gadget = Gadget.create(name="widget", vendor=acme)
    form = bind_values(Gadget, {"name": "forbidden"}, gadget)
    assert not form.validate()
    assert form.errors == {"non_field_errors": ["Gadgets may not be called \u201cforbidden\u201d."]}
    assert gadget.name == "widget" and Gadget.get_by_id(gadget.id).name == "widget"


def test_clean_with_a_field_dict_marks_the_field(acme, monkeypatch):
    class ValidationError(Exception):  # Django's shape: a dict of field -> messages
        def __init__(self, message_dict):
            super().__init__(message_dict)
            self.message_dict = message_dict

    def clean(self):
        if self.weight and self.weight > 100:
            raise ValidationError({"weight": ["Too heavy."]})

    monkeypatch.setattr(Gadget, "clean", clean)
    form = bind_values(Gadget, {"name": "g", "vendor": acme.id, "weight": 101})
    assert not form.validate() and form.errors == {"weight": ["Too heavy."]}


def test_partial_values_keep_the_instance_values(acme):
    gadget = Gadget.create(name="widget", vendor=acme, serial="S1", weight=5, active=True)
    form = bind_values(Gadget, {"active": False}, gadget)
    assert form.validate(), form.errors
    form.save()
    stored = Gadget.get_by_id(gadget.id)
    assert (stored.name, stored.serial, stored.weight, stored.active) == ("widget", "S1", 5, False)


def test_browser_form_strings(acme):
    form_class = model_form_class(Gadget)
    form = form_class(MultiDict({"name": "widget", "vendor": str(acme.id), "weight": "", "color": "blue"}))
    assert form.validate(), form.errors
    gadget = form.save()
    assert gadget.active is False and gadget.weight is None and gadget.color == "blue"  # unchecked box


def test_other_field_types(testkit):
    db.database.create_tables([Measurement])
    form = bind_values(Measurement, {"taken_on": "2026-03-01", "ratio": "0.5", "price": "9.99",
                                     "token": "12345678-1234-5678-1234-567812345678", "checked": False,
                                     "level": "2", "extra": {"rack": [1, 2]}})
    assert form.validate(), form.errors
    row = Measurement.get_by_id(form.save().id)
    assert row.taken_on == datetime.date(2026, 3, 1) and row.ratio == 0.5 and row.price == decimal.Decimal("9.99")
    assert row.token == uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert row.checked is False and row.level == 2  # False is not blank: a nullable boolean keeps it
    assert row.extra == {"rack": [1, 2]}
    assert Measurement.get_by_id(bind_values(Measurement, {"checked": ""}).save().id).checked is None
    bad = bind_values(Measurement, {"taken_on": "March", "ratio": "x", "token": "nope", "checked": "maybe",
                                    "level": "3", "extra": "{nope"})
    assert not bad.validate()
    assert bad.errors == {
        "taken_on": ["\u201cMarch\u201d is not a valid date (YYYY-MM-DD)."],
        "ratio": ["\u201cx\u201d is not a number."],
        "token": ["\u201cnope\u201d is not a valid UUID."],
        "checked": ["Must be a valid boolean."],
        "level": ["Select one of: 1 (Low), 2 (High)."],
        "extra": ["Enter valid JSON (Expecting property name enclosed in double quotes at line 1)."],
    }


def test_datetime_field_reads_iso_text_and_shows_it_back(acme):
    class Stamped(db.BaseModel):
        at = peewee.DateTimeField()

        class Meta:
            table_name = "testkit_stamped"

    db.database.create_tables([Stamped])
    form = bind_values(Stamped, {"at": "2026-03-01T10:00:00Z"})
    assert form.validate(), form.errors
    row = form.save()
    shown = model_form_class(Stamped)(instance=row).at._value()
    assert shown == "2026-03-01T10:00:00"
    assert bind_values(Stamped, {}, row).validate()  # its own value goes back in unchanged


def test_a_flask_form_base_reads_the_request(testkit, acme):
    app = create_app(testkit)
    app.config["WTF_CSRF_ENABLED"] = False
    form_class = model_form_class(Gadget, base=FlaskForm)
    assert form_class is not model_form_class(Gadget) and issubclass(form_class, FlaskForm)
    with app.test_request_context(method="POST", data={"name": "widget", "vendor": str(acme.id)}):
        form = form_class()
        assert form.validate(), form.errors
        assert form.save().vendor_id == acme.id


def test_a_field_called_model_and_timestamps(testkit):
    class Kit(db.BaseModel):
        model = peewee.CharField(max_length=20)  # as DeviceType's
        created = peewee.DateTimeField(default=db.utcnow)
        last_updated = peewee.DateTimeField(default=db.utcnow)

        class Meta:
            table_name = "testkit_kit"

    db.database.create_tables([Kit])
    assert form_field_names(Kit) == ["model"]  # the timestamps are set by the database, never edited
    form = bind_values(Kit, {"model": "C9300"})
    assert form.validate(), form.errors
    assert Kit.get_by_id(form.save().id).model == "C9300"
