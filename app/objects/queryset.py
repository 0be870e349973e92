"""QuerySet: a lazy query over one model, evaluated as one Peewee query (see ``app.objects.manager``)."""

from __future__ import annotations

import peewee

from app.objects.exceptions import FieldError
from app.objects.exceptions import MultipleObjectsReturned
from app.objects.exceptions import NotSupportedError
from app.objects.lookups import Q
from app.objects.lookups import Resolver
from app.objects.lookups import backref_named
from app.objects.lookups import field_named
from app.objects.lookups import naive_utc
from app.objects.lookups import unknown_field

__all__ = ["QuerySet"]

# As Django: get() fetches at most this many rows to report how many matched.
MAX_GET_RESULTS = 21
REPR_OUTPUT_SIZE = 20


def _multiple_for(model) -> type:
    return getattr(model, "MultipleObjectsReturned", MultipleObjectsReturned)


class QuerySet:
    """A lazy query over one model. Every method that narrows or reorders returns a new QuerySet."""

    def __init__(self, model):
        self.model = model
        self._where = Q()
        self._order: tuple[str, ...] = ()
        self._low, self._high = 0, None
        self._related: tuple[str, ...] = ()
        self._prefetch: tuple[str, ...] = ()
        self._values = None  # None, or ("dict" | "tuple" | "flat", field names)
        self._empty = False
        self._distinct = False
        self._cache = None

    # --- building ------------------------------------------------------------------------------

    def _clone(self, **changes) -> "QuerySet":
        clone = type(self).__new__(type(self))  # a model's own QuerySet subclass keeps its methods
        clone.__dict__.update(self.__dict__, _cache=None, **changes)
        return clone

    @property
    def _sliced(self) -> bool:
        return bool(self._low) or self._high is not None

    def _refuse_if_sliced(self, action: str) -> None:
        if self._sliced:
            raise TypeError(f"Cannot {action} a query once a slice has been taken.")

    def all(self) -> "QuerySet":
        return self._clone()

    def none(self) -> "QuerySet":
        return self._clone(_empty=True)

    def filter(self, *args, **kwargs) -> "QuerySet":
        return self._narrow(Q(*args, **kwargs))

    def exclude(self, *args, **kwargs) -> "QuerySet":
        return self._narrow(~Q(*args, **kwargs))

    def _narrow(self, condition: Q) -> "QuerySet":
        self._refuse_if_sliced("filter")
        Resolver(self.model).condition(condition)  # unknown fields fail here, not on first use
        return self._clone(_where=self._where & condition)

    def order_by(self, *fields: str) -> "QuerySet":
        self._refuse_if_sliced("reorder")
        resolver = Resolver(self.model)
        for name in fields:
            resolver.ordering(name)
        return self._clone(_order=tuple(fields))

    def reverse(self) -> "QuerySet":
        self._refuse_if_sliced("reverse")
        return self._clone(_order=tuple(_flip(name) for name in self._order or ("pk",)))

    def distinct(self, *fields: str) -> "QuerySet":
        if fields:
            raise NotSupportedError("distinct(*fields) is not supported: use distinct() without field names.")
        return self._clone(_distinct=True)

    def select_related(self, *paths) -> "QuerySet":
        if paths == (None,):
            return self._clone(_related=())
        if not paths:
            paths = tuple(field.name for field in self.model._meta.refs)
        resolver = Resolver(self.model)
        for path in paths:
            resolver.select_related(path)
        return self._clone(_related=self._related + tuple(paths))

    def prefetch_related(self, *names) -> "QuerySet":
        """Accepted for Django compatibility; related rows load when first used, as without it."""
        if names == (None,):
            return self._clone(_prefetch=())
        for name in names:
            first = name.split("__", 1)[0]
            if not isinstance(field_named(self.model, first), peewee.ForeignKeyField) and not backref_named(
                    self.model, first):
                raise FieldError(f"Cannot find {first!r} on {self.model.__name__} to prefetch_related(): "
                                 f"it is not a relation.")
        return self._clone(_prefetch=self._prefetch + tuple(names))

    def only(self, *fields) -> "QuerySet":
        """Accepted for Django compatibility: every column is loaded anyway."""
        return self._clone()

    defer = only

    def values(self, *fields: str) -> "QuerySet":
        return self._clone(_values=("dict", self._value_fields(fields, ids=True)))

    def values_list(self, *fields: str, flat: bool = False) -> "QuerySet":
        if flat and len(fields) > 1:
            raise TypeError("'flat' is not valid when values_list is called with more than one field.")
        return self._clone(_values=("flat" if flat else "tuple", self._value_fields(fields, ids=False)))

    def _value_fields(self, fields, ids: bool) -> tuple[str, ...]:
        if not fields:
            meta = self.model._meta
            return tuple(field.object_id_name if ids and isinstance(field, peewee.ForeignKeyField) else field.name
                         for field in meta.sorted_fields)
        resolver = Resolver(self.model)
        for name in fields:
            resolver.column(name)
        return tuple(fields)

    def annotate(self, *args, **kwargs):
        raise NotSupportedError("annotate() is not supported: iterate and compute in Python, or use Peewee.")

    def aggregate(self, *args, **kwargs):
        raise NotSupportedError("aggregate() is not supported: use count(), or a Peewee query with fn.SUM etc.")

    def select_for_update(self, *args, **kwargs):
        raise NotSupportedError("select_for_update() is not supported.")

    # --- translation onto Peewee ---------------------------------------------------------------

    def _query(self, columns=None) -> peewee.ModelSelect:
        """The Peewee query: whole rows (with select_related ones), or just ``columns`` (names)."""
        resolver = Resolver(self.model)
        where = resolver.condition(self._where)
        order = [resolver.ordering(name) for name in self._order]
        if columns is None:
            for path in self._related:
                resolver.select_related(path)
            query = self.model.select(self.model, *resolver.selected_aliases())
        else:
            query = self.model.select(*[resolver.column(name) for name in columns])
        query = resolver.apply_joins(query)
        if where is not None:
            query = query.where(where)
        if order:
            query = query.order_by(*order)
        if self._distinct:
            query = query.distinct()
        if self._sliced:
            query = query.offset(self._low or None).limit(None if self._high is None else self._high - self._low)
        return query

    def to_select(self) -> peewee.ModelSelect:
        """This QuerySet as a Peewee select of whole rows, for code that narrows Peewee queries
        (``app.security.restrict``, paging)."""
        query = self._query()
        return query.where(peewee.SQL("1 = 0")) if self._empty else query

    def as_subquery(self, column: str | None = None) -> peewee.ModelSelect:
        """One column (``column``, the values_list field, else the primary key) for ``__in`` lookups."""
        if column is None:
            if self._values and len(self._values[1]) == 1:
                column = self._values[1][0]
            elif self._values:
                raise TypeError("A values() or values_list() query used in __in must name exactly one field.")
            else:
                column = "pk"
        query = self._query([column])
        return query.where(peewee.SQL("1 = 0")) if self._empty else query

    # --- evaluation ----------------------------------------------------------------------------

    def _fetch(self) -> list:
        if self._cache is not None:
            return self._cache
        if self._empty or (self._high is not None and self._high <= self._low):
            self._cache = []
            return self._cache
        if self._values is None:
            self._cache = list(self._query())
            return self._cache
        kind, names = self._values
        rows = list(self._query(names).tuples())
        if kind == "dict":
            self._cache = [dict(zip(names, row, strict=True)) for row in rows]
        elif kind == "flat":
            self._cache = [row[0] for row in rows]
        else:
            self._cache = rows
        return self._cache

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __bool__(self):
        return bool(self._fetch())

    def __repr__(self):
        rows = list(self[:REPR_OUTPUT_SIZE + 1]) if self._cache is None else self._cache
        shown = ", ".join(repr(row) for row in rows[:REPR_OUTPUT_SIZE])
        return f"<QuerySet [{shown}{', ...(remaining elements truncated)...' if len(rows) > REPR_OUTPUT_SIZE else ''}]>"

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            if self._cache is not None:
                return self._cache[key]
            rows = self._slice(key, key + 1)._fetch()
            if not rows:
                raise IndexError(f"{self.model.__name__} query index {key} out of range")
            return rows[0]
        if not isinstance(key, slice):
            raise TypeError(f"QuerySet indices must be integers or slices, not {type(key).__name__}.")
        if (key.start or 0) < 0 or (key.stop is not None and key.stop < 0):
            raise ValueError("Negative indexing is not supported.")
        if self._cache is not None:
            return self._cache[key]
        sliced = self._slice(key.start or 0, key.stop)
        return list(sliced)[::key.step] if key.step else sliced

    def _slice(self, start: int, stop: int | None) -> "QuerySet":
        low = self._low + start
        high = self._high if stop is None else self._low + stop
        if self._high is not None and high is not None:
            high = min(high, self._high)
        return self._clone(_low=low, _high=high if high is None else max(high, low))

    def count(self) -> int:
        if self._cache is not None:
            return len(self._cache)
        if self._empty:
            return 0
        return self._clone(_related=(), _order=())._query().count()

    def exists(self) -> bool:
        if self._cache is not None:
            return bool(self._cache)
        return not self._empty and self._clone(_related=())._query().exists()

    def get(self, *args, **kwargs):
        query = self.filter(*args, **kwargs) if args or kwargs else self
        if not query._sliced:
            query = query._clone(_order=())[:MAX_GET_RESULTS]
        rows = query._fetch()
        if not rows:
            raise self.model.DoesNotExist(f"{self.model.__name__} matching query does not exist.")
        if len(rows) > 1:
            many = len(rows) if len(rows) < MAX_GET_RESULTS else f"more than {MAX_GET_RESULTS - 1}"
            raise _multiple_for(self.model)(
                f"get() returned more than one {self.model.__name__} -- it returned {many}!")
        return rows[0]

    def first(self):
        if self._sliced:
            rows = self._fetch()
        else:
            rows = (self if self._order else self.order_by("pk"))[:1]._fetch()
        return rows[0] if rows else None

    def last(self):
        self._refuse_if_sliced("reverse")
        rows = self.reverse()[:1]._fetch()
        return rows[0] if rows else None

    def in_bulk(self, id_list=None, *, field_name: str = "pk") -> dict:
        if id_list is None:
            return {getattr(row, field_name): row for row in self}
        id_list = list(id_list)
        if not id_list:
            return {}
        return {getattr(row, field_name): row for row in self.filter(**{f"{field_name}__in": id_list})}

    # --- writing -------------------------------------------------------------------------------

    def _columns(self, fields: dict) -> dict:
        """``{name: value}`` -> ``{field: value}``; a name that is not a field raises FieldError.

        Peewee would keep an unknown keyword as a plain attribute, never saved.
        """
        columns = {}
        for name, value in fields.items():
            field = field_named(self.model, name)
            if field is None:
                raise unknown_field(self.model, name)
            columns[field] = naive_utc(value) if isinstance(field, peewee.DateTimeField) else value
        return columns

    def create(self, **fields):
        return self.model.create(**{field.name: value for field, value in self._columns(fields).items()})

    def get_or_create(self, defaults=None, **lookups):
        """(object, created): the one row matching ``lookups``, else a new one with ``defaults`` too."""
        try:
            return self.get(**lookups), False
        except self.model.DoesNotExist:
            pass
        fields = {key: value for key, value in lookups.items() if "__" not in key}
        fields.update({key: value() if callable(value) else value for key, value in (defaults or {}).items()})
        try:
            with self.model._meta.database.atomic():
                return self.create(**fields), True
        except peewee.IntegrityError as error:
            try:  # another process created it between our get() and create()
                return self.get(**lookups), False
            except self.model.DoesNotExist:
                raise error from None

    def update_or_create(self, defaults=None, **lookups):
        """(object, created): update the row matching ``lookups`` with ``defaults``, else create it."""
        defaults = {key: value() if callable(value) else value for key, value in (defaults or {}).items()}
        columns = self._columns(defaults)
        with self.model._meta.database.atomic():
            try:
                row = self.get(**lookups)
            except self.model.DoesNotExist:
                return self.get_or_create(defaults, **lookups)
            for field, value in columns.items():
                setattr(row, field.name, value)
            row.save()
            return row, False

    def _rows_where(self):
        """A WHERE clause for UPDATE/DELETE: joins are not allowed there, so joined filters use pk IN."""
        resolver = Resolver(self.model)
        where = resolver.condition(self._where)
        if resolver.joins:
            pk = self.model._meta.primary_key
            return pk.in_(self._clone(_order=(), _values=None).as_subquery("pk"))
        return where

    def update(self, **fields) -> int:
        """Set ``fields`` on every matching row in one UPDATE; returns the number of rows."""
        self._refuse_if_sliced("update")
        columns = self._columns(fields)
        if self._empty or not columns:
            return 0
        resolver = Resolver(self.model)
        columns = {field: resolver.value(value) for field, value in columns.items()}
        if resolver.joins:
            raise FieldError("update() cannot set a field from a related model's field (F across a relation).")
        query = self.model.update(columns)
        where = self._rows_where()
        return (query.where(where) if where is not None else query).execute()

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete every matching row; the database's ON DELETE rules cascade. -> (count, {model: count})."""
        self._refuse_if_sliced("delete")
        if self._empty:
            return 0, {}
        query = self.model.delete()
        where = self._rows_where()
        count = (query.where(where) if where is not None else query).execute()
        return count, {self.model.__name__: count}


def _flip(name: str) -> str:
    if name == "?":
        return name
    return name[1:] if name.startswith("-") else f"-{name}"
