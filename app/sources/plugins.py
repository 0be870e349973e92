"""Jobs of plugins: the modules a plugin's config names, imported as installed packages.

Class paths are ``module.Class`` with the module's full dotted name (``jobdeck_demo.jobs.Hello``;
Nautobot's ``plugins/jobdeck_demo.jobs/Hello`` is accepted too). A plugin's code is imported once per
process, like any installed package: restart the web server and workers after upgrading one.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from app.exceptions import JobLoadError
from app.jobs import registry
from app.jobs.loader import LoadReport
from app.jobs.loader import ModuleReport
from app.models import JobRecord

__all__ = ["PluginModules", "PluginSource", "plugin_source_for"]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class PluginModules:
    """The job modules of one plugin, with the interface of ``app.jobs.loader.ModuleSource``."""

    def __init__(self, plugin):
        self.plugin = plugin
        self.source = "plugins"

    def load_module(self, module_name: str) -> ModuleReport:
        report = ModuleReport(name=module_name, path=Path(module_name.replace(".", "/")))
        try:
            module = importlib.import_module(module_name)
            names = [module_name]
            if hasattr(module, "__path__"):
                for info in pkgutil.walk_packages(module.__path__, prefix=f"{module_name}."):
                    importlib.import_module(info.name)
                    names.append(info.name)
        except Exception as exc:  # noqa: BLE001 - reported like a broken job file
            report.error = _describe(exc)
            return report
        report.path = Path(sys.modules[module_name].__file__ or module_name)
        # Imported outside a jobs root, register_jobs() keeps the classes by module ("loose").
        for name in names:
            for job_class in registry.loose_registrations(name):
                job_class._jobdeck_module = module_name
                job_class._jobdeck_source = "plugins"
                job_class._jobdeck_class_prefix = ""
                report.job_classes.append(job_class)
        return report

    def load_all(self) -> LoadReport:
        report = LoadReport(source="plugins", root=Path(f"plugin {self.plugin.name}"))
        report.modules = [self.load_module(name) for name in self.plugin.job_modules()]
        return report

    def get_job_class(self, module_name: str, class_name: str):
        report = self.load_module(module_name)
        for job_class in report.job_classes:
            if job_class.__name__ == class_name:
                return job_class
        if report.error:
            raise LookupError(f"module {module_name!r} failed to load: {report.error}")
        raise LookupError(f"module {module_name!r} registers no job class {class_name!r}")


class PluginSource:
    """The jobs of one loaded plugin (records with source ``plugins`` and one of its modules)."""

    key = "plugins"
    repository = None
    commit = None

    def __init__(self, plugin):
        self.plugin = plugin

    def modules(self) -> PluginModules:
        return PluginModules(self.plugin)

    def records(self):
        return JobRecord.select().where((JobRecord.source == "plugins")
                                        & JobRecord.module_name.in_(self.plugin.job_modules()))

    def new_record_values(self) -> dict:
        return {"source": "plugins"}

    def loaded_values(self) -> dict:
        return {}


def plugin_source_for(record: JobRecord) -> PluginSource:
    """The source of a plugin job's record; JobLoadError when its plugin is not listed or not installed."""
    from app.plugins import PluginError
    from app.plugins import load_plugins

    try:
        plugins = load_plugins()
    except PluginError as exc:
        raise JobLoadError(str(exc)) from None
    for plugin in plugins:
        if record.module_name in plugin.job_modules():
            return PluginSource(plugin)
    raise JobLoadError(f"no plugin listed in JOBDECK_PLUGINS provides the module {record.module_name}")
