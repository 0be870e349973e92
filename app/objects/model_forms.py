"""WTForms forms generated from a registered model's Peewee fields, for the pages and the API.

A converter table maps each Peewee field type to a WTForms field (as wtf-peewee does); the class is
built once per model and cached::

    form_class = model_form_class(Device)                  # or a kind, or "dcim.device"
    form = form_class(request.form, instance=device)       # a page: browser strings
    form = bind_values(Device, {"name": "sw1"}, device)    # the API: typed JSON values, no request
    if form.validate():
        form.save()

Validation covers types, lengths, choices, required values (``0`` and ``False`` count as given),
foreign keys (the related row must exist, and be among ``meta.restrict_rows`` when given), unique
fields and unique indexes, then the model's own ``clean()``: a ValueError there, or a Django-style
error carrying a ``{field: message}`` dict, becomes the form's error. Fields the kind lists as
``read_only``, auto and primary key fields and the ``created``/``last_updated`` timestamps are not in
the form.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

import peewee
import wtforms
from wtforms.fields.choices import Choice
from wtforms.fields.choices import SelectChoice

from app.db import JSONField
from app.jobs.fields import FlexibleBooleanField
from app.jobs.fields import JSONTextField
from app.jobs.fields import ModelChoiceField
from app.jobs.fields import OptionalValue
from app.jobs.fields import Required
from app.jobs.fields import SelectField
from app.jobs.fields import StrictIntegerField
from app.jobs.fields import TextAreaField
from app.jobs.fields import TextField
from app.jobs.fields import is_blank
from app.objects.registry import kind_of
from app.objects.registry import kinds
from app.objects.values import parse_date
from app.objects.values import parse_datetime
from app.objects.values import parse_decimal
from app.objects.values import parse_float
from app.objects.values import parse_uuid

__all__ = ["ModelForm", "RelatedField", "bind_values", "form_field_names", "model_form_class"]

NON_FIELD_ERRORS = "non_field_errors"  # DRF's key for errors that concern several fields
# Names WTForms forms use themselves: a model field so named could not be a form field.
_RESERVED = frozenset(dir(wtforms.Form)) | {"instance", "save", "populate"}
# Set by the database, as Django's auto_now fields: shown, never edited.
TIMESTAMPS = frozenset({"created", "last_updated"})


class ParsedField(TextField):
    """Text turned into a value by ``parse`` (which raises ValueError with a sentence); typed values
    of the right type (a JSON body's, an instance's) are kept."""

    def __init__(self, *args, parse=str, python_type=object, **kwargs):
        super().__init__(*args, **kwargs)
        self.parse = parse
        self.python_type = python_type

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], self.python_type) and not isinstance(valuelist[0], str):
            self.data = valuelist[0]
            return
        super().process_formdata(valuelist)
        text = (self.data or "").strip()
        self.data = self.parse(text) if text else None

    def _value(self):
        if self.raw_data and isinstance(self.raw_data[0], str):
            return self.raw_data[0]
        if self.data is None:
            return ""
        return self.data.isoformat() if hasattr(self.data, "isoformat") else str(self.data)


class NullBooleanField(SelectField):
    """A nullable boolean: blank (unknown), true or false, so False is never mistaken for blank."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[SelectChoice("", "---------"), SelectChoice("true", "Yes"),
                                          SelectChoice("false", "No")], **kwargs)

    def process_data(self, value):
        self.data = value

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else None
        if isinstance(value, bool) or value is None:
            self.data = value
            return
        text = str(value).strip().lower()
        if text not in ("", "true", "false", "1", "0"):
            raise ValueError("Must be a valid boolean.")
        self.data = None if text == "" else text in ("true", "1")

    def pre_validate(self, form):
        pass

    def _value(self):
        return "" if self.data is None else ("true" if self.data else "false")

    def iter_choices(self):
        for choice in self.choices:
            yield Choice(choice.value, choice.label, choice.value == self._value(), {})


class ChoiceField(SelectField):
    """A field with choices; also takes back the ``{"value", "label"}`` object the API answers."""

    def process_formdata(self, valuelist):
        super().process_formdata([item.get("value") if isinstance(item, dict) else item for item in valuelist])


class RelatedField(ModelChoiceField):
    """A foreign key: the related row, given by primary key, by a dict of field lookups, or by the
    nested object the API answers (``{"id": ..., "url": ...}``).

    Which rows are offered (``iter_choices``) is separate from how a value is read, so the pages may
    swap the select for a search widget without changing what the server accepts.
    """

    def process_formdata(self, valuelist):
        super().process_formdata([item["id"] if isinstance(item, dict) and "id" in item else item
                                  for item in valuelist])


def _text(field, options):
    if getattr(field, "max_length", None):
        options["validators"].append(wtforms.validators.Length(max=field.max_length))
    return TextField(**options)


def _parsed(parse, python_type):
    return lambda field, options: ParsedField(parse=parse, python_type=python_type, **options)


def _boolean(field, options):
    if field.null:
        return NullBooleanField(**options)
    options["validators"] = []  # an unchecked box is False, never "missing"
    return FlexibleBooleanField(**options)


def _foreign_key(field, options):
    return RelatedField(model=field.rel_model, **options)


# Peewee field type -> field builder; the most specific class along the field's MRO wins.
CONVERTERS = {
    peewee.CharField: _text,
    peewee.TextField: lambda field, options: TextAreaField(**options),
    peewee.BooleanField: _boolean,
    peewee.IntegerField: lambda field, options: StrictIntegerField(**options),
    peewee.FloatField: _parsed(parse_float, (int, float)),
    peewee.DecimalField: _parsed(parse_decimal, (int, decimal.Decimal)),
    peewee.DateTimeField: _parsed(parse_datetime, datetime.datetime),
    peewee.DateField: _parsed(parse_date, datetime.date),
    peewee.UUIDField: _parsed(parse_uuid, uuid.UUID),
    peewee.ForeignKeyField: _foreign_key,
    JSONField: lambda field, options: JSONTextField(**options),
}


def _label(field) -> str:
    return field.verbose_name or field.name.replace("_", " ").capitalize()


def is_required(field) -> bool:
    """Not null, no default, not a boolean (a checkbox cannot be left out)."""
    return not field.null and field.default is None and not isinstance(field, peewee.BooleanField)


def _form_field(field):
    options = {"label": _label(field), "description": field.help_text or "",
               "validators": [Required() if is_required(field) else OptionalValue()]}
    if field.choices:
        parse = int if isinstance(field, peewee.IntegerField) else str
        blank = [] if is_required(field) else [SelectChoice("", "---------")]
        return ChoiceField(choices=blank + [SelectChoice(str(value), label) for value, label in field.choices],
                           coerce=lambda value: None if value in ("", None) else parse(value), **options)
    for klass in type(field).__mro__:
        if klass in CONVERTERS:
            return CONVERTERS[klass](field, options)
    return TextField(**options)


def form_field_names(kind_or_model) -> list[str]:
    """The model's writable fields, in declaration order: no primary key, auto, timestamp or read-only field."""
    model, kind = _model_and_kind(kind_or_model)
    read_only = set(kind.read_only if kind else ()) | TIMESTAMPS
    return [field.name for field in model._meta.sorted_fields
            if not field.primary_key and not isinstance(field, peewee.AutoField) and field.name not in read_only]


def _model_and_kind(kind_or_model):
    if isinstance(kind_or_model, str):
        kind = next((kind for kind in kinds() if kind.object_type == kind_or_model), None)
        if kind is None:
            raise LookupError(f"No registered object type {kind_or_model!r}.")
        return kind.model, kind
    if isinstance(kind_or_model, type):
        return kind_or_model, kind_of(kind_or_model)
    return kind_or_model.model, kind_or_model


class ModelForm:
    """Mixin of every generated form (the base is ``wtforms.Form``, or ``FlaskForm`` on the pages)."""

    _model: type  # underscored: a model may have a field called "model" (DeviceType)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance if instance is not None else self._model()  # a new one has the defaults
        initial = {name: _current(self.instance, self._model._meta.fields[name], typed=True)
                   for name in form_field_names(self._model)}
        super().__init__(*args, data=initial, **kwargs)
        self._form_error_key = NON_FIELD_ERRORS

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self._check_unique()
        if not self.errors:
            self._clean()
        return not self.errors

    def populate(self, instance) -> None:
        """Copy the validated values onto ``instance`` (blank optional values become None or the default)."""
        fields = self._model._meta.fields
        for name in self._model_fields():
            setattr(instance, name, self._value_for(fields[name], self[name].data))

    def save(self):
        """Store the validated values on the instance and save it; returns the instance."""
        self.populate(self.instance)
        self.instance.save()
        return self.instance

    def _model_fields(self):
        return [name for name in self._fields if name in self._model._meta.fields]

    @staticmethod
    def _value_for(field, value):
        if not is_blank(value) or isinstance(field, peewee.BooleanField):
            return value
        if field.null:
            return None
        if field.default is not None:
            return field.default() if callable(field.default) else field.default
        return value

    def _check_unique(self) -> None:
        meta = self._model._meta
        groups = [(field.name,) for field in meta.sorted_fields if field.unique and not field.primary_key]
        groups += [tuple(columns) for columns, unique in meta.indexes if unique]
        present = set(self._model_fields())
        for names in groups:
            if not set(names) <= present:
                continue
            values = [self._value_for(meta.fields[name], self[name].data) for name in names]
            if any(value is None for value in values):
                continue  # NULLs never collide
            query = self._model.select().where(*[meta.fields[name] == value for name, value in zip(names, values,
                                                                                              strict=True)])
            if self.instance.get_id() is not None:
                query = query.where(meta.primary_key != self.instance.get_id())
            if query.exists():
                noun = self._model.__name__
                if len(names) == 1:
                    self[names[0]].errors.append(f"A {noun} with this {self[names[0]].label.text.lower()} "
                                                 "already exists.")
                else:
                    labels = " and ".join(self[name].label.text.lower() for name in names)
                    self.form_errors.append(f"A {noun} with this {labels} already exists.")

    def _clean(self) -> None:
        clean = getattr(self._model, "clean", None)
        if clean is None:
            return
        candidate = self._model(**self.instance.__data__)
        candidate._pk = self.instance.get_id()
        self.populate(candidate)
        try:
            candidate.clean()
        except Exception as exc:  # noqa: BLE001  (a Django-style ValidationError need not be a ValueError)
            messages = _error_messages(exc)
            if messages is None:
                raise
            for name, texts in messages.items():
                target = self[name].errors if name in self._fields else self.form_errors
                target.extend(texts)


def _error_messages(exc) -> dict[str, list[str]] | None:
    """{field or None: [sentences]} from a ValueError or a Django-style ValidationError, else None."""
    detail = getattr(exc, "message_dict", None) or getattr(exc, "error_dict", None)
    if detail is None and exc.args and isinstance(exc.args[0], dict):
        detail = exc.args[0]
    if isinstance(detail, dict):
        return {name: [str(text) for text in (texts if isinstance(texts, (list, tuple)) else [texts])]
                for name, texts in detail.items()}
    if isinstance(exc, ValueError) or type(exc).__name__ == "ValidationError":
        texts = getattr(exc, "messages", None) or [str(exc)]
        return {None: [str(text) for text in texts]}
    return None


_CLASSES: dict[tuple[type, type], type] = {}


def model_form_class(kind_or_model, base: type = wtforms.Form) -> type:
    """The form class of a model (a class, a kind or an object type name), built once per base."""
    model, _ = _model_and_kind(kind_or_model)
    key = (model, base)
    if key not in _CLASSES:
        names = form_field_names(kind_or_model)
        clashes = [name for name in names if name in _RESERVED or name.startswith("_")]
        if clashes:
            raise ValueError(f"{model.__name__} fields {', '.join(clashes)} clash with form attributes; "
                             "list them as read_only when registering the model.")
        attributes = {name: _form_field(model._meta.fields[name]) for name in names}
        _CLASSES[key] = type(f"{model.__name__}Form", (ModelForm, base), {"_model": model, **attributes})
    return _CLASSES[key]


class _TypedFormData(dict):
    """Typed values shaped like request.form (``name -> [values]``)."""

    def getlist(self, key):
        return self.get(key, [])


def _current(instance, field, typed=False):
    """The instance's value of ``field``: a foreign key's id (no query), dates as ISO text unless ``typed``."""
    if isinstance(field, peewee.ForeignKeyField):
        return instance.__data__.get(field.name)
    value = getattr(instance, field.name)
    return value.isoformat() if not typed and isinstance(value, (datetime.date, datetime.datetime)) else value


def bind_values(kind_or_model, values: dict, instance=None, *, meta=None):
    """A form fed typed values (a JSON body's), without a request: fields left out keep the
    instance's values (a new instance's defaults). ``meta`` may carry ``restrict_rows`` to narrow the
    related rows a foreign key accepts."""
    form_class = model_form_class(kind_or_model)
    model = form_class._model
    start = instance if instance is not None else model()
    formdata = _TypedFormData()
    for name in form_field_names(kind_or_model):
        current = _current(start, model._meta.fields[name])
        if name in values:
            formdata[name] = [values[name]]
        elif current is not None:
            formdata[name] = [current]
    return form_class(formdata=formdata, instance=instance, meta={"csrf": False, **(meta or {})})
