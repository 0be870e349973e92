"""The job catalog: discovered Job classes kept in step with their JobRecord rows.

``sync_jobs(source)`` imports every job module of a source (the jobs root by default, a Git
repository's commit or a plugin: ``app.sources``) and creates or refreshes one record per registered class.
New records start disabled. A class that disappeared keeps its record with ``installed = False``.
An overridden field (``<field>_override`` set) keeps the record's value.
"""

from __future__ import annotations

import dataclasses

from app import sources
from app.config import get_config
from app.db import database
from app.db import utcnow
from app.exceptions import JobLoadError
from app.jobs.loader import LoadReport
from app.jobs.loader import local_source
from app.models import JobQueue
from app.models import JobRecord
from app.models.jobs import OVERRIDABLE_FIELDS


@dataclasses.dataclass
class SyncReport:
    load: LoadReport
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    uninstalled: list[str] = dataclasses.field(default_factory=list)

    @property
    def errors(self):
        return self.load.errors

    @property
    def warnings(self):
        return self.load.warnings

    def lines(self) -> list[str]:
        """Human-readable summary (printed by the CLI, shown in the UI)."""
        if self.load.root_error:
            return [f"{self.load.root_error}; no job record was changed."]
        out = [f"{len(self.load.job_classes)} job(s) found in {self.load.root}"]
        out += [f"  new (disabled until enabled): {path}" for path in self.created]
        out += [f"  updated: {path}" for path in self.updated]
        out += [f"  no longer installed: {path}" for path in self.uninstalled]
        out += [f"  WARNING {module}: {message}" for module, message in self.warnings]
        out += [f"  ERROR {module}: {message}" for module, message in self.errors]
        return out


def record_values(job_class) -> dict:
    """The record fields a class defines (before overrides)."""
    properties = job_class.properties_dict
    values = {field: properties[field] for field in OVERRIDABLE_FIELDS}
    values.update(
        supports_dryrun=properties["supports_dryrun"],
        template_name=properties["template_name"],
        is_job_hook_receiver=bool(getattr(job_class, "is_job_hook_receiver", False)),
        is_job_button_receiver=bool(getattr(job_class, "is_job_button_receiver", False)),
        source_file=str(job_class.file_path),
    )
    return values


def apply_class_values(record: JobRecord, job_class) -> bool:
    """Copy the class's metadata onto the record, respecting overrides; True if anything changed."""
    changed = False
    for field, value in record_values(job_class).items():
        if field in OVERRIDABLE_FIELDS and getattr(record, f"{field}_override"):
            continue
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed = True
    return changed


def _adopted_at_other_commit(record: JobRecord, loaded_values: dict) -> bool:
    """A record a repository takes back from a deleted one of the same slug, at another commit than
    the one it last loaded (and was enabled) at."""
    return ("repository" in loaded_values and record.repository_id != loaded_values["repository"]
            and record.git_commit != loaded_values.get("git_commit"))


def sync_jobs(source=None) -> SyncReport:
    """Import all job modules of ``source`` (a jobs root path, or an ``app.sources`` source; the
    configured jobs root by default) and bring its JobRecord rows in line with them."""
    if source is None or not hasattr(source, "modules"):
        source = sources.local(source)
    load = source.modules().load_all()
    report = SyncReport(load=load)
    if load.root_error:
        # A wrong JOBDECK_JOBS_ROOT must not uninstall every job: change nothing, report the error.
        return report
    failed_modules = {module.name for module in load.modules if module.error}
    loaded_values = source.loaded_values()
    seen = set()
    with database.atomic():
        existing = {(record.module_name, record.job_class_name): record for record in source.records()}
        for job_class in load.job_classes:
            key = (job_class.module_name, job_class.__name__)
            class_path = job_class.class_path
            seen.add(key)
            record = existing.get(key)
            if record is None:
                record = JobRecord(
                    **{**source.new_record_values(), **loaded_values},
                    module_name=job_class.module_name,
                    job_class_name=job_class.__name__,
                    class_path=class_path,
                    enabled=False,
                    installed=True,
                )
                apply_class_values(record, job_class)
                record.save(force_insert=True)
                report.created.append(class_path)
                continue
            changed = apply_class_values(record, job_class)
            if not record.installed:
                record.installed = True
                changed = True
            if record.enabled and _adopted_at_other_commit(record, loaded_values):
                # Whoever may add a repository must not get jobs enabled for other code than theirs.
                record.enabled = False
                changed = True
            if changed:
                record.last_updated = utcnow()
                report.updated.append(class_path)
            if changed or any(record.__data__.get(field) != value for field, value in loaded_values.items()):
                for field, value in loaded_values.items():
                    setattr(record, field, value)
                record.save()
        for key, record in existing.items():
            # A module that failed to import keeps its records as they were: a typo must not
            # uninstall (and so disable the schedules of) every job in the file.
            if key in seen or record.module_name in failed_modules or not record.installed:
                continue
            record.installed = False
            record.last_updated = utcnow()
            record.save()
            report.uninstalled.append(record.class_path)
        # Every queue a job may use is a JobQueue the pages, the API and the job edit form offer.
        JobQueue.ensure([get_config().default_queue,
                         *(queue for record in source.records() if record.installed for queue in record.queues)])
    return report


def sync_plugins() -> list[SyncReport]:
    """Sync the jobs of every plugin listed in JOBDECK_PLUGINS (raises PluginError for a missing one)."""
    from app.plugins import load_plugins
    from app.sources.plugins import PluginSource

    return [sync_jobs(PluginSource(plugin)) for plugin in load_plugins() if plugin.job_modules()]


def job_class_for(record: JobRecord):
    """The current Job class behind a record (re-imported if its source changed; a Git repository's
    job at the commit its record was last loaded at)."""
    try:
        return sources.source_for(record).modules().get_job_class(record.module_name, record.job_class_name)
    except LookupError as exc:
        raise JobLoadError(str(exc)) from None


def load_report() -> LoadReport:
    """The latest import state of every module (for the UI's list of broken modules)."""
    return local_source(get_config().jobs_root).load_all()
