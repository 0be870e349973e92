"""Plugins: installed Python packages that add models, jobs, migrations and templates to Jobdeck.

A plugin package declares an entry point in the group ``jobdeck.plugins`` naming its config::

    # pyproject.toml of the plugin
    [project.entry-points."jobdeck.plugins"]
    jobdeck_demo = "jobdeck_demo:config"

    # jobdeck_demo/__init__.py
    from app.plugins import PluginConfig

    class DemoConfig(PluginConfig):
        name = "jobdeck_demo"
        verbose_name = "Demo"
        version = "1.0"
        jobs = "jobdeck_demo.jobs"          # a module path, or a list of them
        models = "jobdeck_demo.models"      # a module whose import calls register(), or a callable
        migrations = [create_tables]        # callables(db), or (name, {"sqlite": [...], "postgresql": [...]})
        templates = "templates"             # a folder (relative to the package) added to the page templates

    config = DemoConfig

Only the plugins listed in ``JOBDECK_PLUGINS`` load (as Nautobot's ``PLUGINS``): installing a package
changes nothing until an administrator lists it, and a listed plugin that is not installed stops
every process at start-up with a sentence naming it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path

from app.config import get_config

__all__ = ["ENTRY_POINT_GROUP", "PluginConfig", "PluginError", "init_app", "load_plugins", "loaded_plugins",
           "template_folders"]

ENTRY_POINT_GROUP = "jobdeck.plugins"


class PluginError(Exception):
    """A listed plugin cannot be loaded; ``str(exc)`` says which and why."""


class PluginConfig:
    """What a plugin declares; subclass it and set the attributes (all but ``name`` optional)."""

    name: str = ""
    verbose_name: str = ""
    version: str = ""
    description: str = ""
    jobs: str | list[str] | tuple[str, ...] = ()
    models = None  # a module path, or a callable that registers the models
    migrations: list | tuple = ()
    templates: str | None = None

    @classmethod
    def job_modules(cls) -> list[str]:
        return [cls.jobs] if isinstance(cls.jobs, str) else list(cls.jobs or ())

    @classmethod
    def package_folder(cls) -> Path:
        return Path(importlib.import_module(cls.__module__).__file__).resolve().parent

    @classmethod
    def template_folder(cls) -> Path | None:
        if not cls.templates:
            return None
        folder = Path(cls.templates)
        return folder if folder.is_absolute() else cls.package_folder() / folder


_loaded: dict[str, type[PluginConfig]] = {}


def _entry_points() -> dict:
    return {entry.name: entry for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _load_one(name: str, entry) -> type[PluginConfig]:
    try:
        config = entry.load()
    except Exception as exc:  # noqa: BLE001 - any import error of the plugin becomes one sentence
        raise PluginError(f"The plugin \u201c{name}\u201d could not be imported: {type(exc).__name__}: {exc}") from exc
    if isinstance(config, PluginConfig):
        config = type(config)
    if not (isinstance(config, type) and issubclass(config, PluginConfig)):
        raise PluginError(f"The plugin \u201c{name}\u201d names {config!r} in its entry point, "
                          "not a PluginConfig class.")
    if not config.name:
        config.name = name
    models = config.models
    try:
        if callable(models):
            models()
        elif models:
            importlib.import_module(models)
    except Exception as exc:  # noqa: BLE001
        raise PluginError(f"The models of the plugin \u201c{name}\u201d could not be registered: "
                          f"{type(exc).__name__}: {exc}") from exc
    return config


def load_plugins(names=None) -> list[type[PluginConfig]]:
    """Load the plugins listed in ``JOBDECK_PLUGINS`` (or ``names``) once per process; return them in order."""
    names = list(get_config().plugins if names is None else names)
    missing = [name for name in names if name not in _loaded]
    if missing:
        available = _entry_points()
        absent = [name for name in missing if name not in available]
        if absent:
            installed = ", ".join(sorted(available)) or "none"
            raise PluginError(f"JOBDECK_PLUGINS lists {', '.join(absent)}, but no installed package provides "
                              f"{'it' if len(absent) == 1 else 'them'} (entry point group {ENTRY_POINT_GROUP}; "
                              f"installed plugins: {installed}).")
        for name in missing:
            _loaded[name] = _load_one(name, available[name])
    return [_loaded[name] for name in names]


def loaded_plugins() -> list[type[PluginConfig]]:
    """The plugins this process has loaded."""
    return list(_loaded.values())


def template_folders() -> list[Path]:
    return [folder for plugin in loaded_plugins() if (folder := plugin.template_folder()) is not None]


def init_app(app) -> None:
    """Load the listed plugins into the web application: their models, and their templates after Jobdeck's own."""
    import jinja2

    load_plugins()
    folders = [str(folder) for folder in template_folders()]
    if folders:
        app.jinja_env.loader = jinja2.ChoiceLoader([app.jinja_env.loader, jinja2.FileSystemLoader(folders)])
