"""Finding and importing job modules.

Each file (or package folder) in a jobs root is imported as its own module under a private prefix,
so a job file called ``json.py`` cannot shadow the real ``json``. Files import their siblings
relatively (``from .helpers import x``; ``from ._shared import y``); files whose names start with
``_`` are helpers only, never loaded as job modules. A package's submodules are imported one by
one after its ``__init__``, so a broken submodule is reported without hiding the jobs of the others.

Modules are always compiled from source, never from a stale ``.pyc``. When any ``.py`` file under
the root changes, every module is imported afresh on its next use, so an edit to a job file or to a
helper it imports takes effect on the next run without restarting anything. An error in one module
is recorded and never stops the others.
"""

from __future__ import annotations

import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import pkgutil
import sys
import threading
import traceback
from pathlib import Path

from app.jobs import registry
from app.jobs.base import Job

LOCAL_PREFIX = "_jobdeck_local"
_PACKAGE_DIR = Path(__file__).resolve().parent  # frames in here are ours, never the job's line


class JobsRootError(Exception):
    """The jobs root is missing or is not a package."""


@dataclasses.dataclass
class ModuleReport:
    name: str
    path: Path
    job_classes: list = dataclasses.field(default_factory=list)
    error: str | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class LoadReport:
    source: str
    root: Path
    modules: list[ModuleReport] = dataclasses.field(default_factory=list)
    root_error: str | None = None

    @property
    def job_classes(self) -> list[type[Job]]:
        return [cls for module in self.modules for cls in module.job_classes]

    @property
    def errors(self) -> list[tuple[str, str]]:
        found = [(module.name, module.error) for module in self.modules if module.error]
        return [("(jobs root)", self.root_error), *found] if self.root_error else found

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(module.name, warning) for module in self.modules for warning in module.warnings]


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Compile from source every time: a .pyc written in the same second as an edit can be stale."""

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


class _PrefixFinder(importlib.abc.MetaPathFinder):
    def __init__(self, prefix: str):
        self.prefix = prefix

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self.prefix + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _SourceOnlyLoader(spec.loader.name, spec.loader.path)
        return spec


def _fingerprint(root: Path) -> tuple:
    """Every ``.py`` file under root with its size and times: any edit, addition or removal shows."""
    stats = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not name.startswith(".") and name != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            stats.append((path, stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(stats)


class ModuleSource:
    """One folder of job modules (the jobs root, or a Git repository's ``jobs/``)."""

    def __init__(self, root: Path, prefix: str = LOCAL_PREFIX, source: str = "local", class_prefix: str = ""):
        self.root = Path(root).resolve()
        self.prefix = prefix
        self.source = source
        self.class_prefix = class_prefix  # put before ``module.Class`` in class paths (a repository's)
        self._finder = _PrefixFinder(prefix)
        self._fingerprint: tuple | None = None
        self._reports: dict[str, ModuleReport] = {}
        self._root_registrations: dict[str, list] = {}  # module name -> classes the root __init__ registered
        self._root_warnings: dict = {}
        self._lock = threading.RLock()

    # -- locating ---------------------------------------------------------------------------------

    def check_root(self) -> None:
        if not self.root.is_dir():
            raise JobsRootError(
                f"The jobs root {self.root} does not exist: create it (with an __init__.py) or set JOBDECK_JOBS_ROOT"
            )
        if not (self.root / "__init__.py").is_file():
            raise JobsRootError(
                f"The jobs root {self.root} has no __init__.py: create an empty {self.root / '__init__.py'} "
                "so its job files can be imported, or set JOBDECK_JOBS_ROOT"
            )

    def module_names(self) -> list[str]:
        names = []
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(("_", ".")):
                continue
            if entry.is_file() and entry.suffix == ".py" and entry.stem.isidentifier():
                names.append(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier() and (entry / "__init__.py").is_file():
                names.append(entry.name)
        return names

    def module_path(self, module_name: str) -> Path:
        package = self.root / module_name
        return package if package.is_dir() else self.root / f"{module_name}.py"

    # -- importing --------------------------------------------------------------------------------

    def _install(self) -> None:
        if self._finder not in sys.meta_path:
            sys.meta_path.insert(0, self._finder)
        package = sys.modules.get(self.prefix)
        if package is None or list(getattr(package, "__path__", [])) != [str(self.root)]:
            spec = importlib.util.spec_from_file_location(
                self.prefix, self.root / "__init__.py", submodule_search_locations=[str(self.root)]
            )
            package = importlib.util.module_from_spec(spec)
            sys.modules[self.prefix] = package
            # Nautobot lets the jobs root's __init__.py import job files and register their jobs.
            collector = registry.begin_collecting()
            try:
                spec.loader.exec_module(package)
            except BaseException:
                del sys.modules[self.prefix]
                raise
            finally:
                registry.end_collecting(collector)
            self._root_registrations = {}
            for job_class in collector.classes:
                parts = job_class.__module__.split(".")
                if len(parts) > 1 and parts[0] == self.prefix:
                    self._root_registrations.setdefault(parts[1], []).append(job_class)
            self._root_warnings = collector.class_warnings

    def _forget(self, module_name: str) -> None:
        full = f"{self.prefix}.{module_name}"
        for name in [name for name in sys.modules if name == full or name.startswith(full + ".")]:
            del sys.modules[name]

    def forget_all(self) -> None:
        with self._lock:
            for name in [name for name in sys.modules if name == self.prefix or name.startswith(self.prefix + ".")]:
                del sys.modules[name]
            self._reports.clear()
            self._root_registrations, self._root_warnings = {}, {}
            self._fingerprint = None

    def _refresh(self) -> None:
        # Which module imports which helper is not tracked, so any change under the root makes every
        # module import afresh on its next use: cheap, and never leaves a stale helper behind.
        fingerprint = _fingerprint(self.root)
        if fingerprint != self._fingerprint:
            self.forget_all()
            self._fingerprint = fingerprint

    def load_module(self, module_name: str, *, force: bool = False, _refreshed: bool = False) -> ModuleReport:
        """Import one module (again if any file of the root changed) and collect its registered jobs."""
        with self._lock:
            if not _refreshed:
                self._refresh()
            path = self.module_path(module_name)
            cached = self._reports.get(module_name)
            if cached is not None and not force:
                return cached
            report = ModuleReport(name=module_name, path=path)
            try:
                self.check_root()
                self._install()
            except Exception as exc:  # a broken jobs root __init__ is reported like a module error
                report.error = str(exc) if isinstance(exc, JobsRootError) else _describe(exc)
                return report
            full_name = f"{self.prefix}.{module_name}"
            registered_by_root = self._root_registrations.get(module_name, [])
            if registered_by_root and full_name in sys.modules and not force:
                # Imported by the root's __init__ in this generation: keep the classes it registered.
                report.job_classes = list(registered_by_root)
                report.warnings = [w for cls in registered_by_root for w in self._root_warnings.get(cls, [])]
                self._claim(report.job_classes, module_name, full_name)
                self._reports[module_name] = report
                return report
            self._forget(module_name)
            collector = registry.begin_collecting()
            try:
                module = importlib.import_module(full_name)
            except Exception as exc:
                report.error = _describe(exc)
                self._forget(module_name)
            else:
                submodule_errors = self._import_submodules(module) if hasattr(module, "__path__") else []
                if submodule_errors:
                    # The package's other jobs stay available; see get_job_class().
                    report.error = "; ".join(submodule_errors)
                classes = [
                    job_class
                    for job_class in collector.classes or registry.loose_registrations(full_name)
                    if not self._registered_by_other_module(collector.registrars.get(job_class), module_name)
                ]
                self._claim(classes, module_name, full_name)
                report.job_classes = list(classes)
                report.warnings = [warning for cls in classes for warning in collector.class_warnings.get(cls, [])]
                if not classes:
                    unregistered = [
                        name
                        for loaded_name, loaded in list(sys.modules.items())
                        if loaded is not None
                        and (loaded_name == full_name or loaded_name.startswith(full_name + "."))
                        for name in _defined_job_classes(loaded)
                    ]
                    if unregistered:
                        report.warnings.append(
                            f"defines {', '.join(unregistered)} but registers none of them; "
                            "call register_jobs() at the end of the module"
                        )
            finally:
                registry.end_collecting(collector)
            self._reports[module_name] = report
            return report

    def _claim(self, classes, module_name: str, full_name: str) -> None:
        for job_class in classes:
            job_class._jobdeck_module = module_name
            job_class._jobdeck_module_path = full_name
            job_class._jobdeck_source = self.source
            job_class._jobdeck_class_prefix = self.class_prefix

    def _registered_by_other_module(self, registrar: str | None, module_name: str) -> bool:
        # A job file importing a sibling job file sees that file's register_jobs() calls too; those
        # classes belong to the sibling. Helpers ("_name") have no jobs of their own.
        parts = (registrar or "").split(".")
        return len(parts) > 1 and parts[0] == self.prefix and parts[1] != module_name and not parts[1].startswith("_")

    def _import_submodules(self, package) -> list[str]:
        """Import the submodules ``__init__`` did not, each on its own; return their errors.

        Names starting with ``_`` (helpers) or ``test`` (the package's own tests) are left alone.
        """
        errors = []
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
            if info.name.startswith(("_", "test")) or not info.name.isidentifier():
                continue
            full_name = f"{package.__name__}.{info.name}"
            submodule = sys.modules.get(full_name)
            if submodule is None:
                try:
                    submodule = importlib.import_module(full_name)
                except Exception as exc:
                    errors.append(f"{full_name.removeprefix(self.prefix + '.')}: {_describe(exc)}")
                    continue
            if info.ispkg:
                errors.extend(self._import_submodules(submodule))
        return errors

    def load_all(self) -> LoadReport:
        report = LoadReport(source=self.source, root=self.root)
        try:
            self.check_root()
        except JobsRootError as exc:
            report.root_error = str(exc)
            return report
        with self._lock:
            self._refresh()
            report.modules = [self.load_module(name, _refreshed=True) for name in self.module_names()]
        return report

    def get_job_class(self, module_name: str, class_name: str) -> type[Job]:
        """The current class for ``module.Class``; raises LookupError with the reason."""
        report = self.load_module(module_name)
        for job_class in report.job_classes:
            if job_class.__name__ == class_name:
                return job_class
        if report.error:
            raise LookupError(f"module {module_name!r} failed to load: {report.error}")
        raise LookupError(f"module {module_name!r} registers no job class {class_name!r}")


def _defined_job_classes(module) -> list[str]:
    names = []
    for name, value in vars(module).items():
        if (
            inspect.isclass(value)
            and issubclass(value, Job)
            and value.__module__.startswith(module.__name__)
            and value.__dict__.get("run") is not None
        ):
            names.append(name)
    return names


def _describe(exc: BaseException) -> str:
    """A short, useful description of an import failure: the exception and where it happened."""
    frames = traceback.extract_tb(exc.__traceback__)
    location = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        location = f" ({Path(exc.filename).name}, line {exc.lineno})"
    else:
        user_frames = [
            frame for frame in frames
            if "importlib" not in frame.filename and not Path(frame.filename).resolve().is_relative_to(_PACKAGE_DIR)
        ]
        if user_frames:
            frame = user_frames[-1]
            location = f" ({Path(frame.filename).name}, line {frame.lineno})"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{type(exc).__name__}: {message}{location}"


_sources: dict[tuple[str, str], ModuleSource] = {}


# Commits of one repository whose imported modules a process keeps (a web server sees every sync).
KEPT_COMMITS = 4


def commit_source(root: Path, prefix: str, class_prefix: str, family: str = "") -> ModuleSource:
    """The shared ModuleSource for one commit of a Git repository (its files never change).

    Sources of the same ``family`` (one repository) beyond the ``KEPT_COMMITS`` most recently used
    are forgotten, so a long-lived process does not keep every commit it ever imported.
    """
    key = ("git", str(Path(root).resolve()))
    source = _sources.pop(key, None) or ModuleSource(Path(root), prefix=prefix, source="git",
                                                     class_prefix=class_prefix)
    _sources[key] = source  # most recently used last
    if family:
        same = [k for k, other in _sources.items() if k[0] == "git" and other.prefix.startswith(family)]
        for old in same[:-KEPT_COMMITS]:
            _sources.pop(old).forget_all()
    return source


def local_source(jobs_root: Path) -> ModuleSource:
    """The shared ModuleSource for a jobs root (one per process, so caches are reused)."""
    key = ("local", str(Path(jobs_root).resolve()))
    if key not in _sources:
        for (kind, _root), source in list(_sources.items()):
            if kind == "local":  # a process serves one jobs root at a time (tests switch it)
                del _sources[(kind, _root)]
                source.forget_all()
        _sources[key] = ModuleSource(Path(jobs_root))
    return _sources[key]
