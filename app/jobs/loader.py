"""Finding and importing job modules.

Each file (or package folder) in a jobs root is imported as its own module under a private prefix,
so a job file called ``json.py`` cannot shadow the real ``json``. Modules are always compiled from
source, never from a stale ``.pyc``, and a module whose files changed is imported afresh: an edit
takes effect on the next run without restarting anything. An error in one module is recorded and
never stops the others.
"""

from __future__ import annotations

import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import sys
import threading
import traceback
from pathlib import Path

from app.jobs import registry
from app.jobs.base import Job

LOCAL_PREFIX = "_jobdeck_local"


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


def _fingerprint(path: Path) -> tuple:
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    stats = []
    for file in files:
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        stats.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


class ModuleSource:
    """One folder of job modules (the jobs root, or a Git repository's ``jobs/``)."""

    def __init__(self, root: Path, prefix: str = LOCAL_PREFIX, source: str = "local"):
        self.root = Path(root).resolve()
        self.prefix = prefix
        self.source = source
        self._finder = _PrefixFinder(prefix)
        self._fingerprints: dict[str, tuple] = {}
        self._reports: dict[str, ModuleReport] = {}
        self._lock = threading.RLock()

    # -- locating ---------------------------------------------------------------------------------

    def check_root(self) -> None:
        if not self.root.is_dir():
            raise JobsRootError(f"jobs root {self.root} does not exist; create it with an empty __init__.py")
        if not (self.root / "__init__.py").is_file():
            raise JobsRootError(
                f"jobs root {self.root} has no __init__.py; create an empty {self.root / '__init__.py'} "
                "so its job files can be imported"
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
            spec.loader.exec_module(package)

    def _forget(self, module_name: str) -> None:
        full = f"{self.prefix}.{module_name}"
        for name in [name for name in sys.modules if name == full or name.startswith(full + ".")]:
            del sys.modules[name]

    def forget_all(self) -> None:
        with self._lock:
            for name in [name for name in sys.modules if name == self.prefix or name.startswith(self.prefix + ".")]:
                del sys.modules[name]
            self._reports.clear()
            self._fingerprints.clear()

    def load_module(self, module_name: str, *, force: bool = False) -> ModuleReport:
        """Import one module (again if its files changed) and collect its registered jobs."""
        with self._lock:
            path = self.module_path(module_name)
            fingerprint = _fingerprint(path)
            cached = self._reports.get(module_name)
            if cached is not None and not force and self._fingerprints.get(module_name) == fingerprint:
                return cached
            report = ModuleReport(name=module_name, path=path)
            try:
                self.check_root()
                self._install()
            except Exception as exc:  # a broken jobs root __init__ is reported like a module error
                report.error = str(exc) if isinstance(exc, JobsRootError) else _describe(exc)
                return report
            self._forget(module_name)
            collector = registry.begin_collecting()
            full_name = f"{self.prefix}.{module_name}"
            try:
                module = importlib.import_module(full_name)
            except Exception as exc:
                report.error = _describe(exc)
                self._forget(module_name)
            else:
                classes = collector.classes or registry.loose_registrations(full_name)
                for job_class in classes:
                    job_class._jobdeck_module = module_name
                    job_class._jobdeck_module_path = full_name
                    job_class._jobdeck_source = self.source
                report.job_classes = list(classes)
                report.warnings = list(collector.warnings)
                if not classes:
                    unregistered = _defined_job_classes(module)
                    if unregistered:
                        report.warnings.append(
                            f"defines {', '.join(unregistered)} but registers none of them; "
                            "call register_jobs() at the end of the module"
                        )
            finally:
                registry.end_collecting(collector)
            self._fingerprints[module_name] = fingerprint
            self._reports[module_name] = report
            return report

    def load_all(self) -> LoadReport:
        report = LoadReport(source=self.source, root=self.root)
        try:
            self.check_root()
        except JobsRootError as exc:
            report.root_error = str(exc)
            return report
        report.modules = [self.load_module(name) for name in self.module_names()]
        return report

    def get_job_class(self, module_name: str, class_name: str) -> type[Job]:
        """The current class for ``module.Class``; raises LookupError with the reason."""
        report = self.load_module(module_name)
        if report.error:
            raise LookupError(f"module {module_name!r} failed to load: {report.error}")
        for job_class in report.job_classes:
            if job_class.__name__ == class_name:
                return job_class
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
        user_frames = [frame for frame in frames if "importlib" not in frame.filename]
        if user_frames:
            frame = user_frames[-1]
            location = f" ({Path(frame.filename).name}, line {frame.lineno})"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{type(exc).__name__}: {message}{location}"


_sources: dict[tuple[str, str], ModuleSource] = {}


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
