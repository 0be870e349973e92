"""Conditions (``Q``, ``job_record__name__icontains=...``) translated into Peewee expressions.

The manager (``app.objects.manager``) is the public face; this module resolves names against a
model's fields, joins forward foreign keys once per path, turns reverse relations into subqueries
and builds each lookup's SQL the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import functools
import operator

import peewee

from app.objects.exceptions import FieldError
from app.objects.exceptions import NotSupportedError

LOOKUPS = ("exact", "iexact", "in", "contains", "icontains", "startswith", "istartswith", "endswith",
           "iendswith", "gt", "gte", "lt", "lte", "isnull", "range")


class Q:
    """Conditions combined with ``&``, ``|`` and ``~``, as Django's ``Q``: ``Q(a=1) | ~Q(b__in=[2])``."""

    AND = "AND"
    OR = "OR"

    def __init__(self, *args, _connector: str = AND, _negated: bool = False, **kwargs):
        self.children = [*args, *sorted(kwargs.items())]
        self.connector = _connector
        self.negated = _negated

    def _combine(self, other, connector: str) -> "Q":
        if not isinstance(other, Q):
            raise TypeError(f"cannot combine a Q with {type(other).__name__}")
        if not other.children:
            return self
        if not self.children:
            return other
        return Q(self, other, _connector=connector)

    def __and__(self, other):
        return self._combine(other, self.AND)

    def __or__(self, other):
        return self._combine(other, self.OR)

    def __invert__(self):
        return Q(self, _negated=True)

    def __repr__(self):
        inner = f" {self.connector} ".join(repr(child) for child in self.children)
        return f"<Q: {'NOT ' if self.negated else ''}({inner})>"


class F:
    """A field of the row itself, as Django's ``F``: ``filter(time_limit__gt=F("soft_time_limit"))``,
    ``update(log_count=F("log_count") + 1)``. Combines with ``+ - * /``; follows ``__`` paths in filters.
    """

    _OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

    def __init__(self, name: str | None = None, *, _operation=None):
        self.name = name
        self.operation = _operation  # (symbol, left, right) for a combination

    def _combine(self, symbol: str, left, right) -> "F":
        return F(_operation=(symbol, left, right))

    def __add__(self, other):
        return self._combine("+", self, other)

    def __radd__(self, other):
        return self._combine("+", other, self)

    def __sub__(self, other):
        return self._combine("-", self, other)

    def __rsub__(self, other):
        return self._combine("-", other, self)

    def __mul__(self, other):
        return self._combine("*", self, other)

    def __rmul__(self, other):
        return self._combine("*", other, self)

    def __truediv__(self, other):
        return self._combine("/", self, other)

    def __rtruediv__(self, other):
        return self._combine("/", other, self)

    def __repr__(self):
        if self.operation is None:
            return f"F({self.name!r})"
        symbol, left, right = self.operation
        return f"({left!r} {symbol} {right!r})"


def field_named(model, name: str):
    """The model's field called ``name`` (``pk`` and ``<fk>_id`` included), else None."""
    meta = model._meta
    if name == "pk":
        return meta.primary_key
    if name in meta.fields:
        return meta.fields[name]
    for field in meta.refs:
        if field.object_id_name == name:
            return field
    return None


def backref_named(model, name: str):
    """The foreign key (on another model) whose backref on ``model`` is ``name``, else None."""
    for field in model._meta.backrefs:
        if field.backref == name:
            return field
    return None


def field_choices(model) -> list[str]:
    backrefs = [field.backref for field in model._meta.backrefs if field.backref and field.backref != "+"]
    return sorted(set(model._meta.fields) | {"pk"} | set(backrefs))


def unknown_field(model, name: str) -> FieldError:
    return FieldError(f"Cannot resolve keyword {name!r} into field of {model.__name__}. "
                      f"Choices are: {', '.join(field_choices(model))}.")


def _is_sqlite(model) -> bool:
    database = model._meta.database
    database = getattr(database, "obj", database)  # a DatabaseProxy
    return isinstance(database, peewee.SqliteDatabase)


class Reverse:
    """A path that crosses a reverse relation: ``fk`` (on another model) points back; ``rest`` follows."""

    def __init__(self, source, fk, rest):
        self.source, self.fk, self.rest = source, fk, rest


class Resolver:
    """Resolves paths from one model, adding each forward join once (LEFT OUTER, shared by path)."""

    def __init__(self, model):
        self.model = model
        self.joins: dict[tuple, list] = {}  # path -> [source, fk, alias, selected]

    def join(self, path: tuple, source, fk, selected: bool = False):
        entry = self.joins.get(path)
        if entry is None:
            entry = self.joins[path] = [source, fk, fk.rel_model.alias(), selected]
        entry[3] = entry[3] or selected
        return entry[2]

    def apply_joins(self, query):
        for source, fk, alias, selected in self.joins.values():
            on = getattr(source, fk.name) == getattr(alias, fk.rel_field.name)
            query = query.join_from(source, alias, peewee.JOIN.LEFT_OUTER, on=on,
                                    attr=fk.name if selected else None)
        return query

    def selected_aliases(self) -> list:
        return [alias for _, _, alias, selected in self.joins.values() if selected]

    # --- what a QuerySet asks for ---------------------------------------------------------------

    def condition(self, condition: Q, negated: bool = False):
        """The Peewee expression for ``condition``, or None when it is empty (matches everything).

        As Django, the conditions of one ``filter()`` call (one Q's AND-ed keywords) that cross the
        same reverse relation must hold for the same related row: they share one subquery.
        """
        negated = negated or condition.negated
        parts, shared = [], {}
        for child in condition.children:
            if isinstance(child, Q):
                parts.append(self.condition(child, negated))
                continue
            if not (isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str)):
                raise TypeError(f"filter() takes keyword lookups or Q objects, not {child!r}")
            key, value = child
            resolved = self.resolve(key.split("__"))
            if not isinstance(resolved, Reverse):
                parts.append(self._leaf(resolved, value, negated))
            elif condition.connector == Q.AND and resolved.rest and resolved.rest[0] not in LOOKUPS:
                group = (id(resolved.source), id(resolved.fk))
                if group not in shared:
                    shared[group] = (len(parts), resolved, [])
                    parts.append(None)  # filled below, where the group's first condition stood
                shared[group][2].append(("__".join(resolved.rest), value))
            else:
                rest = resolved.rest if resolved.rest and resolved.rest[0] not in LOOKUPS else ["pk", *resolved.rest]
                parts.append(self._reverse_leaf(resolved, [("__".join(rest), value)]))
        for index, reverse, conditions in shared.values():
            parts[index] = self._reverse_leaf(reverse, conditions)
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        combine = operator.and_ if condition.connector == Q.AND else operator.or_
        expression = functools.reduce(combine, parts)
        return ~expression if condition.negated else expression

    def _leaf(self, resolved, value, negated: bool):
        column, field, lookup, nullable = resolved
        as_subquery = getattr(value, "as_subquery", None)  # a QuerySet
        if lookup == "in" and as_subquery is not None:
            value = as_subquery()
        elif isinstance(value, F) or (lookup == "range" and any(isinstance(item, F) for item in value)):
            if lookup not in _F_LOOKUPS:
                raise NotSupportedError(f"F() is not supported with the {lookup!r} lookup; use one of: "
                                        f"{', '.join(_F_LOOKUPS)}.")
            value = [self.value(item) for item in value] if lookup == "range" else self.value(value)
        elif isinstance(field, peewee.DateTimeField):
            value = [naive_utc(item) for item in value] if lookup in ("in", "range") else naive_utc(value)
        expression = lookup_expression(self.model, column, field, lookup, value)
        if negated and nullable and lookup != "isnull" and not (lookup == "exact" and value is None):
            # As Django's exclude(): a NULL column is "not equal", so NOT must not drop its row.
            expression = expression & column.is_null(False)
        return expression

    def _reverse_leaf(self, reverse: Reverse, conditions: list[tuple[str, object]]):
        """Conditions on one related row, across a reverse relation: ``pk IN (SELECT fk FROM related ...)``."""
        fk = reverse.fk
        column = getattr(reverse.source, fk.rel_field.name)
        pointer = getattr(fk.model, fk.name)
        matching = fk.model.select(pointer).where(pointer.is_null(False))  # NOT IN must never meet a NULL
        if conditions[0][0] == "pk__isnull":
            return ~column.in_(matching) if conditions[0][1] else column.in_(matching)
        related = Resolver(fk.model)
        where = related.condition(Q(*conditions))
        return column.in_(related.apply_joins(matching).where(where))

    def value(self, value):
        """A plain value unchanged; an ``F`` as the column (or arithmetic on columns) it names."""
        if not isinstance(value, F):
            return value
        if value.operation is None:
            return self.column(value.name)
        symbol, left, right = value.operation
        return F._OPERATORS[symbol](self.value(left), self.value(right))

    def ordering(self, name: str):
        """``"name"``, ``"-job_record__name"`` or ``"?"`` -> an ORDER BY term."""
        if name == "?":
            return peewee.fn.RANDOM()
        resolved = self.resolve(name.lstrip("-").split("__"), lookups=False)
        if isinstance(resolved, Reverse):
            raise NotSupportedError(f"order_by({name!r}): ordering across a reverse relation is not supported.")
        column = resolved[0]
        return column.desc() if name.startswith("-") else column.asc()

    def column(self, name: str):
        """The column a values()/values_list() name reads."""
        resolved = self.resolve(name.split("__"), lookups=False)
        if isinstance(resolved, Reverse):
            raise NotSupportedError(f"values({name!r}): values across a reverse relation are not supported.")
        return resolved[0]

    def select_related(self, path: str) -> None:
        """Join every foreign key along ``path`` and load its rows with the query's own."""
        source, model, walked = self.model, self.model, ()
        for name in path.split("__"):
            field = field_named(model, name)
            if field is None and backref_named(model, name):
                raise FieldError(f"select_related({path!r}): {name!r} is a reverse relation; "
                                 f"use prefetch_related().")
            if field is None:
                raise unknown_field(model, name)
            if not isinstance(field, peewee.ForeignKeyField):
                raise FieldError(f"select_related({path!r}): {model.__name__}.{name} is not a foreign key.")
            walked += (name,)
            source = self.join(walked, source, field, selected=True)
            model = field.rel_model

    # --- paths ------------------------------------------------------------------------------------

    def resolve(self, parts: list[str], *, lookups: bool = True):
        """-> (column, field, lookup, nullable) or a Reverse. ``lookups=False``: the path names a field."""
        model, source, path, nullable = self.model, self.model, (), False
        index = 0
        while True:
            name = parts[index]
            rest = parts[index + 1:]
            field = field_named(model, name)
            if field is None:
                fk = backref_named(model, name)
                if fk is None:
                    raise unknown_field(model, name)
                return Reverse(source, fk, rest)
            follows = (isinstance(field, peewee.ForeignKeyField) and rest and name != field.object_id_name
                       and not (lookups and rest[0] in LOOKUPS))
            if follows:
                target = rest[0]
                if field_named(field.rel_model, target) is field.rel_field and (
                        len(rest) == 1 or (lookups and len(rest) == 2 and rest[1] in LOOKUPS)):
                    # ``fk__pk`` / ``fk__id`` is the foreign key's own column: no join needed.
                    return self._final(model, source, field, rest[1:], nullable, lookups)
                path += (name,)
                nullable = nullable or field.null
                source = self.join(path, source, field)
                model = field.rel_model
                index += 1
                continue
            return self._final(model, source, field, rest, nullable or field.null, lookups)

    def _final(self, model, source, field, rest, nullable, lookups):
        if lookups and len(rest) <= 1 and (not rest or rest[0] in LOOKUPS):
            return getattr(source, field.name), field, rest[0] if rest else "exact", nullable
        if not rest:
            return getattr(source, field.name), field, None, nullable
        if not lookups:
            raise FieldError(f"{model.__name__}.{field.name} is a {type(field).__name__}, not a relation: "
                             f"cannot follow it to {'__'.join(rest)!r}.")
        raise FieldError(f"Unsupported lookup {'__'.join(rest)!r} for {type(field).__name__} "
                         f"{model.__name__}.{field.name}. Supported lookups are: {', '.join(LOOKUPS)}.")


def naive_utc(value):
    """Jobdeck stores naive UTC: an aware datetime (Django's ``timezone.now()``) is converted to it."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob_escape(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


_F_LOOKUPS = ("exact", "gt", "gte", "lt", "lte", "range")
_COMPARISONS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_WILDCARDS = {"contains": ("%", "%"), "startswith": ("", "%"), "endswith": ("%", "")}
_GLOBS = {"contains": ("*", "*"), "startswith": ("", "*"), "endswith": ("*", "")}


def text_lookup(model, column, field, lookup: str, value):
    """iexact, (i)contains, (i)startswith, (i)endswith: case-sensitive or not on both databases."""
    sqlite = _is_sqlite(model)
    if not sqlite and not isinstance(field, (peewee.CharField, peewee.TextField)):
        column = column.cast("text")
    text = str(value)
    if lookup == "iexact":
        return peewee.fn.LOWER(column) == peewee.fn.LOWER(peewee.Value(text, unpack=False))
    if lookup.startswith("i"):
        before, after = _WILDCARDS[lookup[1:]]
        pattern = peewee.fn.LOWER(peewee.Value(before + _like_escape(text) + after, unpack=False))
        return peewee.NodeList((peewee.fn.LOWER(column), peewee.SQL("LIKE"), pattern, peewee.SQL("ESCAPE '\\'")),
                               parens=True)
    if sqlite:  # SQLite's LIKE ignores case; GLOB does not
        before, after = _GLOBS[lookup]
        return peewee.NodeList((column, peewee.SQL("GLOB"), peewee.Value(before + _glob_escape(text) + after)),
                               parens=True)
    before, after = _WILDCARDS[lookup]
    pattern = peewee.Value(before + _like_escape(text) + after, unpack=False)
    return peewee.NodeList((column, peewee.SQL("LIKE"), pattern, peewee.SQL("ESCAPE '\\'")), parens=True)


def lookup_expression(model, column, field, lookup: str, value):
    """The Peewee expression for one resolved ``column`` and ``lookup``; ``value`` is already a query for __in."""
    if lookup == "exact":
        return column.is_null(True) if value is None else column == value
    if lookup == "isnull":
        return column.is_null(bool(value))
    if lookup == "in":
        return column.in_(value if isinstance(value, peewee.Node) else list(value))
    if lookup == "range":
        low, high = value
        return column.between(low, high)
    if lookup in _COMPARISONS:
        return _COMPARISONS[lookup](column, value)
    return text_lookup(model, column, field, lookup, value)
