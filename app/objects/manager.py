"""A Django-style manager for Peewee models: ``JobRecord.objects.filter(name__icontains="hello")``.

Any model that inherits ``ObjectsMixin`` (every Jobdeck model does, through ``app.db.BaseModel``)
gets ``Model.objects``, a lazy ``QuerySet`` translated onto one Peewee query when it is evaluated,
and a per-model ``MultipleObjectsReturned``. Example::

    from app.models import JobResult
    from app.objects.manager import Q

    failed = JobResult.objects.filter(Q(status="FAILURE") | Q(status="ERRORED"),
                                      job_record__grouping__istartswith="net")
    for result in failed.select_related("job_record").order_by("-date_created")[:10]:
        ...

Import everything from here: ``QuerySet`` lives in ``queryset.py``, ``Q``, ``F`` and the lookup
translation in ``lookups.py``, the exceptions in ``exceptions.py``. Not translated: aggregates,
``annotate``, ``distinct(*fields)``, ``select_for_update``.
"""

from __future__ import annotations

import peewee

from app.objects.exceptions import FieldError
from app.objects.exceptions import MultipleObjectsReturned
from app.objects.exceptions import NotSupportedError
from app.objects.exceptions import ObjectDoesNotExist
from app.objects.lookups import LOOKUPS
from app.objects.lookups import F
from app.objects.lookups import Q
from app.objects.queryset import QuerySet

__all__ = ["F", "FieldError", "LOOKUPS", "Manager", "MultipleObjectsReturned", "NotSupportedError",
           "ObjectDoesNotExist", "ObjectsMixin", "Q", "QuerySet"]


class Manager:
    """``Model.objects``: a fresh QuerySet over the model on every access (from the class only).

    A model with query helpers of its own gives them to a QuerySet subclass; they chain::

        class StatusQuerySet(QuerySet):
            def get_for_model(self, model):
                return self.filter(content_types__model=model.__name__.lower())

        class Status(BaseModel):
            objects = Manager(StatusQuerySet)
    """

    def __init__(self, queryset_class: type[QuerySet] = QuerySet):
        self.queryset_class = queryset_class

    def __get__(self, instance, owner):
        if instance is not None:
            raise AttributeError(f"Manager isn't accessible via {owner.__name__} instances")
        return self.queryset_class(owner)


class _Delete:
    """``Model.delete()`` stays Peewee's query builder; ``obj.delete()`` deletes the row, as Django's.

    Without this, a job's ``device.delete()`` would build a DELETE query and silently run nothing.
    """

    def __get__(self, instance, owner):
        if instance is None:
            return peewee.Model.__dict__["delete"].__get__(None, owner)

        def delete():
            count = instance.delete_instance()
            return count, {owner.__name__: count}

        return delete


class ObjectsMixin:
    """Gives a Peewee model ``objects``, ``obj.pk``, ``obj.delete()``, ``obj.refresh_from_db()`` and
    its own ``MultipleObjectsReturned``::

        class Device(ObjectsMixin, peewee.Model): ...
    """

    objects = Manager()
    MultipleObjectsReturned = MultipleObjectsReturned
    delete = _Delete()

    def refresh_from_db(self) -> None:
        """Reload every field from the database (raises ``DoesNotExist`` if the row is gone)."""
        fresh = type(self).objects.get(pk=self._pk)
        self.__data__.update(fresh.__data__)
        self.__rel__.clear()
        self._dirty.clear()

    @property
    def pk(self):
        """The primary key's value, whatever the field is called (Django's ``obj.pk``)."""
        return self._pk

    @pk.setter
    def pk(self, value):
        self._pk = value

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Subclassing the parent's class, as Django does, so ``except Parent.MultipleObjectsReturned`` works.
        cls.MultipleObjectsReturned = type("MultipleObjectsReturned", (cls.MultipleObjectsReturned,), {
            "__module__": cls.__module__, "__qualname__": f"{cls.__qualname__}.MultipleObjectsReturned"})
