"""Variables whose values are database objects: ``ObjectVar`` and ``MultiObjectVar``."""

from __future__ import annotations

from app.jobs import fields
from app.jobs.vars import ScriptVariable

__all__ = ["MultiObjectVar", "ObjectVar"]


class ObjectVar(ScriptVariable):
    """One database object of ``model``.

    Options: ``display_field`` (attribute shown in the drop-down, dotted paths allowed),
    ``query_params`` (filters; ``"$other_var"`` refers to another input) and ``null_option`` (label of
    an empty choice). The API takes a primary key or a dict of field lookups::

        job = ObjectVar(model=JobRecord, display_field="name", query_params={"enabled": True})
    """

    multiple = False

    def __init__(self, model=None, display_field=None, query_params=None, null_option=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.display_field = display_field
        self.query_params = query_params or {}
        self.null_option = null_option

    def form_field(self, **kwargs):
        """The WTForms field: a choice of rows of ``model``."""
        return fields.ModelChoiceField(
            model=self.model,
            multiple=self.multiple,
            display_field=self.display_field,
            query_params=self.query_params,
            null_option=self.null_option,
            **kwargs,
        )

    def api_values(self, value):
        return [value]

    def serialize(self, value):
        return None if value is None else value.get_id()

    def deserialize(self, value):
        if value is None:
            return None
        return self.model.get_by_id(value)


class MultiObjectVar(ObjectVar):
    """Several database objects of ``model``; the API takes a list of primary keys or lookups::

        jobs = MultiObjectVar(model=JobRecord, required=False)
    """

    multiple = True

    def api_values(self, value):
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def serialize(self, value):
        return [row.get_id() for row in value or []]

    def deserialize(self, value):
        if not value:
            return []
        key = self.model._meta.primary_key
        rows = {str(row.get_id()): row for row in self.model.select().where(key.in_(value))}
        return [rows[str(pk)] for pk in value if str(pk) in rows]
