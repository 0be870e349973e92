"""Job input variables.

Declare them as class attributes of a Job; each becomes one form field, one REST API input and one
keyword argument of ``run()``::

    class Greet(Job):
        person = StringVar(description="Who to greet", default="world", max_length=50)
        times = IntegerVar(default=1, min_value=1)

        def run(self, *, person, times):
            ...

This module holds the base class and the text, number, flag, choice and file variables;
``object_vars`` and ``network_vars`` hold the rest. Job files import them all from ``app.jobs``.
"""

from __future__ import annotations

import itertools
import re

import wtforms
from wtforms import validators
from wtforms.fields.choices import SelectChoice

from app.jobs import fields
from app.jobs.widgets import resolve_widget

__all__ = [
    "BooleanVar", "ChoiceVar", "DryRunVar", "FileVar", "IntegerVar", "JSONVar", "MultiChoiceVar",
    "ScriptVariable", "StringVar", "TextVar", "is_valid_variable_name",
]  # fmt: skip

_creation_counter = itertools.count()


class ScriptVariable:
    """Base of every variable.

    Options shared by all variables:

    * ``default``: the initial value in the form, and the value used when the API omits the key;
    * ``description``: help text shown under the field;
    * ``label``: the field's label (default: the variable name, humanized);
    * ``required``: whether a value must be given (default True);
    * ``widget``: a WTForms widget, or a Django widget from ``app.jobs.widgets`` (or its name)::

        comment = StringVar(label="Comment", description="Shown in the log", required=False,
                            default="", widget=Textarea)
    """

    form_field = fields.TextField

    def __init__(self, label="", description="", default=None, required=True, widget=None):
        self.creation_order = next(_creation_counter)
        self.name = ""
        self.label = label
        self.description = description
        self.default = default
        self.required = required
        self.widget_error = None
        try:
            self.widget = resolve_widget(widget)
        except TypeError as exc:
            # Reported with the job's and variable's names when the job registers.
            self.widget, self.widget_error = None, str(exc)

    def __set_name__(self, owner, name):
        self.name = name

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    # -- forms ------------------------------------------------------------------------------------

    def field_validators(self) -> list:
        """Validators for the variable's options (lengths, ranges, ...), after the presence check."""
        return []

    def field_kwargs(self) -> dict:
        """Extra keyword arguments for the WTForms field (choices, render_kw, ...)."""
        return {}

    def initial(self, record=None):
        """The value the form starts with."""
        return self.default

    def make_field(self, record=None) -> wtforms.Field:
        """An unbound WTForms field for this variable."""
        presence = fields.Required() if self.required else fields.OptionalValue()
        kwargs = {
            "label": self.label or self.name.replace("_", " ").capitalize(),
            "description": self.description,
            "default": self.initial(record),
            "validators": [presence, *self.field_validators()],
            **self.field_kwargs(),
        }
        if self.widget is not None:
            kwargs["widget"] = self.widget
        return self.form_field(**kwargs)

    def api_values(self, value) -> list:
        """The raw value list a typed (JSON) input gives the form field."""
        return list(value) if isinstance(value, (list, tuple)) else [value]

    # -- queue payload ----------------------------------------------------------------------------

    def serialize(self, value):
        """A JSON-safe form of a validated value (what is queued and stored)."""
        return value

    def deserialize(self, value):
        """The value ``run()`` receives, from its serialized form."""
        return value


class StringVar(ScriptVariable):
    """A single line of text. Options: ``min_length``, ``max_length``, ``regex``::

        hostname = StringVar(min_length=3, max_length=63, regex=r"^[a-z0-9-]+$")
    """

    def __init__(self, min_length=None, max_length=None, regex=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.regex = regex

    def field_validators(self):
        checks = []
        if self.min_length is not None or self.max_length is not None:
            checks.append(validators.Length(min=self.min_length or -1, max=self.max_length or -1))
        if self.regex:
            checks.append(validators.Regexp(self.regex, message=f"Enter a value matching {self.regex}."))
        return checks

    def field_kwargs(self):
        return {"render_kw": {"maxlength": self.max_length}} if self.max_length else {}


class TextVar(ScriptVariable):
    """Free text of any length, shown as a multi-line box::

        notes = TextVar(description="Anything to add?", required=False)
    """

    form_field = fields.TextAreaField


class JSONVar(ScriptVariable):
    """JSON input; ``run()`` receives the parsed Python value (dict, list, ...)::

        var1 = JSONVar(description="Provide a JSON object with a 'key1' field.")
    """

    form_field = fields.JSONTextField

    def api_values(self, value):
        return [value]


class IntegerVar(ScriptVariable):
    """A whole number. Options: ``min_value``, ``max_value``::

        greeting_count = IntegerVar(default=1, min_value=1, max_value=10)
    """

    form_field = fields.StrictIntegerField

    def __init__(self, min_value=None, max_value=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def field_validators(self):
        if self.min_value is None and self.max_value is None:
            return []
        return [fields.NumberRange(min=self.min_value, max=self.max_value)]

    def field_kwargs(self):
        render = {}
        if self.min_value is not None:
            render["min"] = self.min_value
        if self.max_value is not None:
            render["max"] = self.max_value
        return {"render_kw": render} if render else {}


class BooleanVar(ScriptVariable):
    """A true/false flag. Never "required": unchecked (or ``false`` from the API) means False, and a
    missing API key means ``default``::

        verbose = BooleanVar(description="Log every object", default=False)
    """

    form_field = fields.FlexibleBooleanField

    def __init__(self, *args, **kwargs):
        kwargs["required"] = False
        kwargs.setdefault("default", False)
        super().__init__(*args, **kwargs)

    def make_field(self, record=None):
        kwargs = {
            "label": self.label or self.name.replace("_", " ").capitalize(),
            "description": self.description,
            "default": self.initial(record),
        }
        if self.widget is not None:
            kwargs["widget"] = self.widget
        return self.form_field(**kwargs)

    def api_values(self, value):
        return [value]

    def serialize(self, value):
        return bool(value)


class DryRunVar(BooleanVar):
    """A dry-run flag; its initial value (and the value when the API leaves it out) is the job
    record's ``dryrun_default``::

        dryrun = DryRunVar()

        def run(self, *, dryrun):
            if dryrun:
                self.logger.info("Dry run: nothing changed.")
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("description", "Check to perform a dry run (no changes are made).")
        super().__init__(*args, **kwargs)

    def initial(self, record=None):
        return bool(record.dryrun_default) if record is not None else bool(self.default)


class ChoiceVar(ScriptVariable):
    """One value out of ``choices``, a list of ``(value, label)`` pairs::

        direction = ChoiceVar(choices=(("n", "North"), ("s", "South")))
    """

    form_field = fields.SelectField

    def __init__(self, choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = list(choices)

    def field_kwargs(self):
        choices = [SelectChoice(str(value), label) for value, label in self.choices]
        if not self.required:
            choices = [SelectChoice("", "---------"), *choices]
        return {"choices": choices}

    def api_values(self, value):
        return [value]

    def deserialize(self, value):
        # Hand back the declared value itself (an int stays an int).
        for declared, _label in self.choices:
            if str(declared) == value:
                return declared
        return value


class MultiChoiceVar(ChoiceVar):
    """Several values out of ``choices``; ``run()`` receives a list::

        sizes = MultiChoiceVar(choices=(("s", "Small"), ("l", "Large")), required=False)
    """

    form_field = fields.SelectMultipleField

    def field_kwargs(self):
        return {"choices": [SelectChoice(str(value), label) for value, label in self.choices]}

    def api_values(self, value):
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def deserialize(self, value):
        return [ChoiceVar.deserialize(self, item) for item in value or []]


class FileVar(ScriptVariable):
    """An uploaded file; ``run()`` receives an in-memory file with ``.read()`` and ``.name``::

        input_file = FileVar(description="A CSV file")

        def run(self, *, input_file):
            rows = input_file.read().decode("utf-8").splitlines()
    """

    form_field = fields.UploadField

    def api_values(self, value):
        return [value]

    # Serialization of files (to FileProxy rows) is done by the submit path, which owns storage.


_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def is_valid_variable_name(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))
