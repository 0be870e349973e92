"""Forms of the admin pages (users, groups, object permissions, tokens) and of /profile/tokens/."""

from __future__ import annotations

import json
import re

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import StopValidation

from app import json_input
from app.db import utcnow
from app.models.users import Group
from app.models.users import ObjectPermission
from app.models.users import User
from app.security import ACTIONS


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def user_choices() -> list[SelectChoice]:
    return choices((user.id, user.username) for user in User.select().order_by(User.username))


def group_choices() -> list[SelectChoice]:
    return choices((group.id, group.name) for group in Group.select().order_by(Group.name))


# The object types the permission form offers as checkboxes; others (a plugin's) go in a text field.
OBJECT_TYPES = (
    ("extras.job", "Job"),
    ("extras.jobresult", "Job result"),
    ("extras.joblogentry", "Job log entry"),
    ("extras.gitrepository", "Git repository"),
    ("extras.scheduledjob", "Scheduled job"),
    ("extras.jobqueue", "Job queue"),
    ("extras.worker", "Worker"),
    ("extras.objectchange", "Object change"),
    ("users.user", "User"),
    ("users.group", "Group"),
    ("users.objectpermission", "Object permission"),
    ("users.token", "API token"),
    ("users.failedlogin", "Failed login"),
)
KNOWN_OBJECT_TYPES = frozenset(value for value, _ in OBJECT_TYPES)
_OBJECT_TYPE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z0-9_]+$")


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice rendered as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """A delete confirmation: nothing but the CSRF token."""


class InstanceForm(FlaskForm):
    """A form that adds an object (``instance=None``) or changes ``instance``."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance


class Unique:
    """A validator for InstanceForm: no other row may hold the value in ``column``."""

    def __init__(self, column, message: str):
        self.column = column
        self.message = message

    def __call__(self, form, field):
        model = self.column.model
        query = model.select().where(self.column == field.data)
        if form.instance is not None:
            query = query.where(model.id != form.instance.id)
        if query.exists():
            raise ValidationError(self.message)


PASSWORD_LENGTH = Length(min=8, max=128, message="Use at least 8 characters (128 at most).")


class PasswordRequiredWhenAdding:
    """A user being added needs a password; left blank on an existing user, it stays unchanged."""

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation("This field is required." if form.instance is None else "")


class UserForm(InstanceForm):
    username = StringField(
        "Username",
        [
            DataRequired(),
            Length(max=150),
            Regexp(r"^[\w.@+-]+$", message="Letters, digits and @ . + - _ only."),
            Unique(User.username, "A user with this username already exists."),
        ],
    )
    email = StringField(
        "Email", [Optional(), Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+$", message="Not an email address.")]
    )
    first_name = StringField("First name", [Length(max=150)])
    last_name = StringField("Last name", [Length(max=150)])
    password = PasswordField(
        "Password",
        [PasswordRequiredWhenAdding(), PASSWORD_LENGTH],
        description="Leave blank to keep the current password. Changing it logs the user out everywhere.",
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        "Confirm password",
        [EqualTo("password", message="Passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
    is_active = BooleanField(
        "Active", default=True, description="Inactive users cannot log in or use tokens."
    )
    is_staff = BooleanField("Staff")
    is_superuser = BooleanField("Superuser", description="Has every permission without explicit grants.")
    groups = MultiCheckboxField("Groups", coerce=int)


class UserAddForm(UserForm):
    """UserForm for a new user: same fields in the same order, the password required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, instance=None, **kwargs)
        self.password.description = ""
        self.password.flags.required = True


class PasswordChangeForm(FlaskForm):
    """A user's own password change; the view checks the current password (throttled)."""

    current_password = PasswordField(
        "Current password", [DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        "New password", [DataRequired(), PASSWORD_LENGTH], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        "Confirm new password",
        [DataRequired(), EqualTo("new_password", message="The two new passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


class GroupForm(InstanceForm):
    name = StringField(
        "Name",
        [DataRequired(), Length(max=150), Unique(Group.name, "A group with this name already exists.")],
    )
    members = MultiCheckboxField("Members", coerce=int)


def parse_constraints(text: str | None):
    """The constraints JSON as stored: None when blank; raises ValueError with a readable reason."""
    if text is None or not text.strip():
        return None
    try:
        value = json_input.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    raise ValueError("Constraints must be a JSON object or a list of JSON objects.")


def format_constraints(value) -> str:
    return "" if value is None else json.dumps(value, indent=2, sort_keys=True)


def split_names(text: str | None) -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: comma-separated names, blanks and repeats dropped."""
    names = []
    for part in (text or "").split(","):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names


class PermissionForm(InstanceForm):
    name = StringField(
        "Name",
        [
            DataRequired(),
            Length(max=100),
            Unique(ObjectPermission.name, "A permission with this name already exists."),
        ],
    )
    description = StringField("Description", [Length(max=200)])
    enabled = BooleanField("Enabled", default=True)
    object_types = MultiCheckboxField("Object types", choices=choices(OBJECT_TYPES))
    other_object_types = StringField(
        "Other object types",
        description="Comma-separated app_label.model names, e.g. a plugin's dcim.device.",
    )
    actions = MultiCheckboxField(
        "Actions", choices=choices((action, action.capitalize()) for action in ACTIONS)
    )
    constraints = TextAreaField(
        "Constraints",
        description='Optional JSON filter: an object such as {"grouping": "Reports"}, or a list of objects '
        '(any may match). {"user": "$user"} means the requesting user. Blank: every object.',
        render_kw={"rows": 6, "spellcheck": "false", "class": "monospace"},
    )
    users = MultiCheckboxField("Users", coerce=int)
    groups = MultiCheckboxField("Groups", coerce=int)

    def validate_other_object_types(self, field):
        bad = [name for name in split_names(field.data) if not _OBJECT_TYPE.match(name)]
        if bad:
            raise ValidationError(f"Not an app_label.model name: {', '.join(bad)}.")

    def validate_actions(self, field):
        if not field.data:
            raise ValidationError("Choose at least one action.")

    def validate_constraints(self, field):
        try:
            parse_constraints(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.object_types.data and not split_names(self.other_object_types.data):
            self.object_types.errors = [*self.object_types.errors, "Choose at least one object type."]
            valid = False
        return valid

    def all_object_types(self) -> list[str]:
        chosen = list(self.object_types.data or [])
        return chosen + [name for name in split_names(self.other_object_types.data) if name not in chosen]


class TokenForm(FlaskForm):
    description = StringField("Description", [Length(max=200)])
    expires = DateTimeLocalField(
        "Expires (UTC)",
        [Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description="Leave blank for a token that never expires.",
    )
    write_enabled = BooleanField(
        "Write enabled", default=True, description="Without it the token may only read (GET, HEAD, OPTIONS)."
    )

    def validate_expires(self, field):
        if field.data is not None and field.data <= utcnow():
            raise ValidationError("The expiry must be in the future.")


class AdminTokenForm(TokenForm):
    user = SelectField("User", coerce=int, validators=[DataRequired(message="Choose a user.")])


__all__ = [
    "KNOWN_OBJECT_TYPES",
    "OBJECT_TYPES",
    "AdminTokenForm",
    "ConfirmForm",
    "GroupForm",
    "InstanceForm",
    "PasswordChangeForm",
    "PermissionForm",
    "TokenForm",
    "UserAddForm",
    "Unique",
    "UserForm",
    "choices",
    "format_constraints",
    "group_choices",
    "parse_constraints",
    "split_names",
    "user_choices",
]
