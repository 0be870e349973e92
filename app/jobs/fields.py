"""WTForms fields and validators behind job variables.

The same fields validate the web form, the REST API and the CLI, so they accept both the strings a
browser posts and the typed values a JSON body carries.
"""

from __future__ import annotations

import io
import json

import netaddr
import wtforms
from wtforms import validators
from wtforms.fields.choices import Choice
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from app import json_input


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return len(value) == 0
    if hasattr(value, "filename"):  # an upload field left empty
        return not value.filename
    return False


class Required:
    """Like InputRequired, but ``0`` and ``False`` count as given (WTForms' own check drops them)."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        raw = field.raw_data
        if not raw or all(is_blank(value) for value in raw):
            field.errors[:] = []
            raise StopValidation("This field is required.")


class OptionalValue:
    """Stops validation of an empty optional field, whatever the type of its raw value."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        raw = field.raw_data
        if not raw or all(is_blank(value) for value in raw):
            field.errors[:] = []
            raise StopValidation()


class StrictIntegerField(wtforms.IntegerField):
    """Refuses 1.5, True and "1e3" instead of quietly truncating them."""

    def process_formdata(self, valuelist):
        if not valuelist or is_blank(valuelist[0]):
            self.data = None
            return
        value = valuelist[0]
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self.data = None
            raise ValueError(self.gettext("Enter a whole number."))
        try:
            self.data = int(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            self.data = None
            raise ValueError(self.gettext("Enter a whole number.")) from None


class TextField(wtforms.StringField):
    """A string field that turns typed JSON scalars into text."""

    def process_formdata(self, valuelist):
        if valuelist:
            value = valuelist[0]
            if isinstance(value, (dict, list)):
                raise ValueError("Enter text, not a list or an object.")
            self.data = "" if value is None else str(value)
        elif self.data is None:
            self.data = ""


class TextAreaField(TextField):
    widget = wtforms.widgets.TextArea()


class JSONTextField(wtforms.TextAreaField):
    """Accepts JSON text (form) or an already-parsed value (API); its data is the Python value."""

    def process_formdata(self, valuelist):
        if not valuelist or is_blank(valuelist[0]):
            self.data = None
            return
        value = valuelist[0]
        if isinstance(value, str):
            try:
                self.data = json_input.loads(value)
            except json.JSONDecodeError as exc:
                self.data = None
                raise ValueError(f"Enter valid JSON ({exc.msg} at line {exc.lineno}).") from None
        else:
            self.data = value

    def _value(self):
        if self.raw_data and isinstance(self.raw_data[0], str):
            return self.raw_data[0]
        return "" if self.data is None else json.dumps(self.data, indent=2)


class FlexibleBooleanField(wtforms.BooleanField):
    """Unchecked means False; "false", "0", "off", "no" and JSON false all mean False."""

    false_values = (False, "false", "False", "FALSE", "0", 0, "off", "no", "n", "")

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = False
            return
        value = valuelist[0]
        self.data = value not in self.false_values and value is not None


MAX_LISTED_CHOICES = 20


def describe_choices(choices) -> str:
    """``r (Red), g (Green)``: the values a person or an API client may send, with their labels."""
    listed = [
        str(choice.value) if str(choice.label) == str(choice.value) else f"{choice.value} ({choice.label})"
        for choice in choices
        if not is_blank(choice.value)
    ]
    if len(listed) > MAX_LISTED_CHOICES:
        listed = [*listed[:MAX_LISTED_CHOICES], f"and {len(listed) - MAX_LISTED_CHOICES} more"]
    return ", ".join(listed)


class SelectField(wtforms.SelectField):
    """A choice whose error lists the valid values (WTForms only says "Not a valid choice")."""

    def _invalid(self) -> str:
        return f"Select one of: {describe_choices(self._choices_from_input(self.choices) or [])}."

    def pre_validate(self, form):
        if self.data is None or self.data == "" or self.process_errors:
            return
        if not any(choice.selected for choice in self.iter_choices()):
            raise ValidationError(self._invalid())

    def process_formdata(self, valuelist):
        if valuelist and not isinstance(valuelist[0], (str, int, float)):
            raise ValueError(self._invalid())
        super().process_formdata([str(value) for value in valuelist])


class SelectMultipleField(wtforms.SelectMultipleField):
    def pre_validate(self, form):
        if not self.data or self.process_errors:
            return
        choices = self._choices_from_input(self.choices) or []
        known = {str(choice.value) for choice in choices}
        unknown = [value for value in self.data if value not in known]
        if unknown:
            quoted = ", ".join(f"'{value}'" for value in unknown)
            verb = "is not one of the choices" if len(unknown) == 1 else "are not among the choices"
            raise ValidationError(f"{quoted} {verb}. Select from: {describe_choices(choices)}.")

    def process_formdata(self, valuelist):
        flattened = []
        for value in valuelist:
            flattened.extend(value if isinstance(value, (list, tuple)) else [value])
        super().process_formdata([str(value) for value in flattened if not is_blank(value)])


class InMemoryFile(io.BytesIO):
    """An uploaded file held in memory: ``.read()``, ``.name``, ``.size``, ``.content_type``."""

    def __init__(self, content: bytes, name: str, content_type: str = "application/octet-stream"):
        super().__init__(content)
        self.name = name
        self.size = len(content)
        self.content_type = content_type

    def chunks(self, chunk_size: int = 64 * 1024):
        self.seek(0)
        while chunk := self.read(chunk_size):
            yield chunk

    def __repr__(self):
        return f"<InMemoryFile {self.name!r} ({self.size} bytes)>"


class UploadField(wtforms.FileField):
    """Reads an upload (werkzeug FileStorage or InMemoryFile) into an InMemoryFile."""

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else None
        if is_blank(value):
            self.data = None
        elif isinstance(value, InMemoryFile):
            self.data = value
        elif hasattr(value, "read") and hasattr(value, "filename"):
            self.data = InMemoryFile(value.read(), value.filename, getattr(value, "mimetype", None) or "")
        else:
            self.data = None
            raise ValueError("Upload a file (send the request as multipart/form-data).")

    def _value(self):
        return ""


class NetaddrField(TextField):
    """Text parsed into a netaddr value by ``parse``; its data is the parsed value."""

    def __init__(self, *args, parse=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parse = parse

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        text = (self.data or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = self.parse(text)
        except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
            self.data = None
            raise ValueError(str(exc) or "Enter a valid address.") from None

    def _value(self):
        if self.raw_data and isinstance(self.raw_data[0], str):
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class NumberRange(validators.NumberRange):
    """NumberRange that stays quiet when the value could not be parsed (that error is already shown)."""

    def __call__(self, form, field):
        if field.data is not None:
            super().__call__(form, field)


class PrefixLength:
    """Refuses a network whose prefix length is outside ``min_length``..``max_length``."""

    def __init__(self, min_length=None, max_length=None):
        self.min_length = min_length
        self.max_length = max_length

    def __call__(self, form, field):
        if field.data is None:
            return
        length = field.data.prefixlen
        if self.min_length is not None and length < self.min_length:
            limit = f"at least {self.min_length}"
        elif self.max_length is not None and length > self.max_length:
            limit = f"at most {self.max_length}"
        else:
            return
        allowed = ""
        if self.min_length is not None and self.max_length is not None:
            allowed = f" (allowed: /{self.min_length} to /{self.max_length})"
        raise ValidationError(f"The prefix length must be {limit}{allowed}; this network is /{length}.")


class ModelChoiceField(wtforms.Field):
    """One or several rows of a Peewee model, given by primary key or (from the API) a dict of lookups.

    The rows offered and accepted are ``model``'s, narrowed by ``query_params`` and by the form's
    ``meta.restrict_rows`` (a callable taking and returning a query): the caller's say on which
    rows its user may pick. An optional field starts on a blank choice labelled ``null_option``;
    a required one without a value starts on a placeholder that cannot be picked, so nothing is
    chosen for the user.
    """

    widget = wtforms.widgets.Select()
    BLANK_LABEL = "---------"

    def __init__(self, label=None, validators=None, model=None, multiple=False, display_field=None,
                 query_params=None, null_option=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.model = model
        self.multiple = multiple
        self.display_field = display_field
        self.query_params = query_params or {}
        self.null_option = null_option
        if multiple:
            self.widget = wtforms.widgets.Select(multiple=True)

    def _static_filters(self):
        # "$field" values depend on other inputs and are applied by the dynamic UI, not here.
        return {
            key: value
            for key, value in self.query_params.items()
            if not (isinstance(value, str) and value.startswith("$")) and key in self.model._meta.fields
        }

    def queryset(self):
        query = self.model.select()
        for key, value in self._static_filters().items():
            field = self.model._meta.fields[key]
            query = query.where(field.in_(value) if isinstance(value, (list, tuple)) else field == value)
        restrict_rows = getattr(self.meta, "restrict_rows", None)
        return restrict_rows(query) if restrict_rows is not None else query

    def _unavailable(self, value) -> str:
        # One message for "no such row" and "not yours to pick", so a refusal reveals nothing.
        return f"Select a valid {self.model.__name__}: {value!r} is not one of the available choices."

    def _lookup(self, value):
        query = self.queryset()
        if isinstance(value, dict):
            for key, wanted in value.items():
                field = self.model._meta.fields.get(key)
                if field is None:
                    raise ValueError(f"{self.model.__name__} has no field {key!r}.")
                query = query.where(field == wanted)
            matches = list(query.limit(2))
            if len(matches) != 1:
                raise ValueError(
                    f"{len(matches)} {self.model.__name__} objects match {json.dumps(value)}."
                    if matches else f"No {self.model.__name__} matches {json.dumps(value)}."
                )
            return matches[0]
        try:
            row = query.where(self.model._meta.primary_key == value).first()
        except (ValueError, TypeError):
            row = None
        if row is None:
            raise ValueError(self._unavailable(value))
        return row

    def process_formdata(self, valuelist):
        values = []
        for value in valuelist:
            values.extend(value if isinstance(value, (list, tuple)) else [value])
        values = [value for value in values if not (is_blank(value) or self._is_null_choice(value))]
        if self.multiple:
            self.data = [self._lookup(value) for value in values]
        else:
            self.data = self._lookup(values[0]) if values else None

    def _is_null_choice(self, value) -> bool:
        # Nautobot's forms send "null" for the null_option choice; its API clients may too.
        return self.null_option is not None and value == "null"

    def display(self, row) -> str:
        if self.display_field:
            value = row
            for part in self.display_field.split("."):
                value = getattr(value, part, None)
            if value is not None:
                return str(value)
        return str(row)

    def _key(self, value) -> str:
        # A default may be given as a row or as its primary key.
        return str(value.get_id()) if isinstance(value, self.model) else str(value)

    def _selected_keys(self) -> set[str]:
        selected = (self.data or []) if self.multiple else [self.data]
        return {self._key(value) for value in selected if value is not None}

    def iter_choices(self):
        selected_keys = self._selected_keys()
        if not self.flags.required:
            blank_selected = not selected_keys and not self.multiple
            yield Choice("", self.null_option or self.BLANK_LABEL, blank_selected, {})
        elif not selected_keys and not self.multiple:
            yield Choice("", self.BLANK_LABEL, True, {"disabled": True})
        for row in self.queryset().limit(1000):
            key = str(row.get_id())
            yield Choice(key, self.display(row), key in selected_keys, {})

    def _iter_choices_normalized(self):
        # What WTForms' Select widget iterates (it is defined on SelectFieldBase, not on Field).
        return self.iter_choices()

    def has_groups(self):
        return False

    def _value(self):
        return "" if self.data is None or self.multiple else self._key(self.data)
