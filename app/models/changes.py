"""Object changes: one row per create, update or delete of a change-logged object (Nautobot's ObjectChange)."""

from __future__ import annotations

import enum
import uuid

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow
from app.models.results import JobResult
from app.models.users import User
from app.security.object_types import register_object_type


class ChangeAction(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    def __str__(self):
        return self.value


class ObjectChange(BaseModel):
    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    time = peewee.DateTimeField(default=utcnow)
    # The user row may go; the name stays so the log still says who.
    user = peewee.ForeignKeyField(User, null=True, backref="object_changes", on_delete="SET NULL")
    user_name = peewee.CharField(max_length=150, default="")
    request_id = peewee.UUIDField()
    action = peewee.CharField(max_length=16)
    changed_object_type = peewee.CharField(max_length=100)
    changed_object_id = peewee.CharField(max_length=64)
    object_repr = peewee.CharField(max_length=200)
    object_data = JSONField(null=True)  # after the change (null for a delete)
    object_data_before = JSONField(null=True)  # before it (null for a create)
    job_result = peewee.ForeignKeyField(JobResult, null=True, backref="object_changes", on_delete="SET NULL")

    class Meta:
        indexes = (
            (("changed_object_type", "changed_object_id", "time"), False),
            (("time", "id"), False),
            (("request_id",), False),
        )

    def __str__(self):
        return f"{self.changed_object_type} {self.object_repr} {self.action}"

    @property
    def display(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        return f"/extras/object-changes/{self.id}/"


register_object_type(ObjectChange, "extras.objectchange", "object change", "object changes")
