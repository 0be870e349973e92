"""A tiny change-logged model for the change log's tests (its table is made by ``create_widget_table``)."""

from __future__ import annotations

import uuid

import peewee

from app.db import BaseModel
from app.objects.changes import ChangeLogged
from app.objects.registry import register


class Widget(ChangeLogged, BaseModel):
    name = peewee.CharField(max_length=100, unique=True)
    size = peewee.IntegerField(default=0)
    api_token = peewee.CharField(max_length=100, default="")

    class Meta:
        table_name = "testing_widget"

    def __str__(self):
        return self.name


class Gadget(ChangeLogged, BaseModel):
    """A second type (with a UUID key), for "sees only the changes of types they may view"."""

    id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
    name = peewee.CharField(max_length=100)

    class Meta:
        table_name = "testing_gadget"

    def __str__(self):
        return self.name


register(Widget, "testing", search=("name",))
register(Gadget, "testing", search=("name",))


def create_widget_table() -> None:
    Widget.create_table(safe=True)
    Gadget.create_table(safe=True)
