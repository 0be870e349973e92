"""Plugins' migrations: each plugin's steps run in order, once, recorded in ``jobdeck_migrations``.

A step is a callable taking the database (recorded under its ``__name__``), or a ``(name, step)`` pair
where step is such a callable or frozen SQL per dialect (``{"sqlite": [...], "postgresql": [...]}``).
Recorded as ``plugin:<plugin name>:<step name>``: steps may be appended, never renamed or reordered.
"""

from __future__ import annotations

import functools

from app.db import MigrationHistory
from app.db import database
from app.db import run_for_dialect
from app.plugins import PluginError
from app.plugins import load_plugins

__all__ = ["migrate_plugins", "plugin_steps"]


def _run_sql(statements: dict, db) -> None:
    run_for_dialect(db, statements)


def plugin_steps(plugin) -> list[tuple[str, object]]:
    """(recorded name, callable) of one plugin's steps, in order."""
    steps, seen = [], set()
    for step in plugin.migrations or ():
        name, action = step if isinstance(step, tuple) else (getattr(step, "__name__", ""), step)
        if isinstance(action, dict):
            action = functools.partial(_run_sql, action)
        if not name or not callable(action):
            raise PluginError(f"The plugin \u201c{plugin.name}\u201d has a migration step {step!r} that is neither "
                              "a named callable nor a (name, SQL per dialect) pair.")
        if name in seen:
            raise PluginError(f"The plugin \u201c{plugin.name}\u201d names two migration steps \u201c{name}\u201d.")
        seen.add(name)
        steps.append((f"plugin:{plugin.name}:{name}", action))
    return steps


def migrate_plugins(plugins=None) -> list[str]:
    """Apply the steps of the loaded plugins (the listed ones by default) not yet recorded; return their names."""
    plugins = load_plugins() if plugins is None else plugins
    db = database.obj
    applied_now = []
    with db.connection_context():
        MigrationHistory.create_table(safe=True)
        applied = {row.name for row in MigrationHistory.select(MigrationHistory.name)}
        for plugin in plugins:
            for name, action in plugin_steps(plugin):
                if name in applied:
                    continue
                with db.atomic():
                    action(db)
                    MigrationHistory.create(name=name)
                applied_now.append(name)
    return applied_now
