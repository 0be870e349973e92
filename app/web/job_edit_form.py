"""The job edit form: ``enabled`` and each overridable field next to its ``<field>_override`` flag."""

from __future__ import annotations

import math

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import FloatField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from app.models.jobs import OVERRIDABLE_FIELDS
from app.models.queues import JobQueue
from app.web.admin_forms import split_names

TIME_LIMIT_FIELDS = ("soft_time_limit", "time_limit")


class QueueNamesField(StringField):
    """A list of queue names typed as ``"default, reports"``."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist):
        self.data = split_names(valuelist[0]) if valuelist else []


def _finite(form, field):
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("Enter a finite number of seconds.")


def _queue_names(form, field):
    refusal = JobQueue.refusal(field.data or [])
    if refusal:
        raise ValidationError(refusal)


class JobEditForm(FlaskForm):
    enabled = BooleanField(
        "Enabled", description="Only enabled (and installed) jobs can be run."
    )

    grouping = StringField("Grouping", [Length(max=255)])
    name = StringField("Name", [DataRequired(), Length(max=100)])
    description = TextAreaField("Description", description="Markdown.", render_kw={"rows": 6})
    approval_required = BooleanField("Approval required")
    dryrun_default = BooleanField("Dry run by default")
    has_sensitive_variables = BooleanField("Has sensitive variables")
    hidden = BooleanField("Hidden")
    is_singleton = BooleanField("Singleton")
    read_only = BooleanField("Read only")
    soft_time_limit = FloatField(
        "Soft time limit (s)", [Optional(), NumberRange(min=0), _finite], description="0: the server default."
    )
    time_limit = FloatField(
        "Time limit (s)", [Optional(), NumberRange(min=0), _finite], description="0: the server default."
    )
    task_queues = QueueNamesField(
        "Task queues", [_queue_names], description="Comma-separated job queue names; the first is the default."
    )
    # The "<field>_override" flags are added below the class, one per OVERRIDABLE_FIELDS entry.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_queues.description = (f"Comma-separated, the first is the default; among the job queues: "
                                        f"{', '.join(JobQueue.names())}.")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # A value whose flag is clear is discarded on save, so its errors are moot.
        for field in OVERRIDABLE_FIELDS:
            if not self[f"{field}_override"].data:
                self[field].errors = []
        return not any(field.errors for field in self)

    def rows(self):
        """(value field, override field) pairs in OVERRIDABLE_FIELDS order."""
        return [(self[field], self[f"{field}_override"]) for field in OVERRIDABLE_FIELDS]

    def overridden_values(self) -> dict:
        """``{field: (override flag, cleaned value)}`` for every overridable field."""
        values = {}
        for field in OVERRIDABLE_FIELDS:
            value = self[field].data
            if field in TIME_LIMIT_FIELDS:
                value = float(value or 0.0)
            elif field in ("grouping", "name"):
                value = (value or "").strip()
            elif field == "description":
                value = value or ""
            values[field] = (bool(self[f"{field}_override"].data), value)
        return values


# One "<field>_override" flag per overridable field, made from the list so none can be missing.
for _field in OVERRIDABLE_FIELDS:
    setattr(JobEditForm, f"{_field}_override", BooleanField("Override"))
del _field
