"""Change logging for registered models: every create, update and delete leaves an ObjectChange.

Models opt in by inheriting ``ChangeLogged`` (the built-in inventory and plugin models do); saves and
deletes made anywhere (a page, the API, a job, the shell) then go through ``record_change``.
"""

from __future__ import annotations

__all__ = ["ChangeLogged", "record_change"]


def record_change(instance, action: str, before: dict | None) -> None:
    """Store one ObjectChange for ``instance`` (action: create, update or delete)."""
    # The ObjectChange model and the who/when/which-job context land with the change log itself.


class ChangeLogged:
    """Mixin for a Peewee model whose saves and deletes are recorded as ObjectChanges."""

    def save(self, *args, **kwargs):
        creating = self._pk is None or kwargs.get("force_insert", False)
        result = super().save(*args, **kwargs)
        record_change(self, "create" if creating else "update", None)
        return result

    def delete_instance(self, *args, **kwargs):
        result = super().delete_instance(*args, **kwargs)
        record_change(self, "delete", None)
        return result
