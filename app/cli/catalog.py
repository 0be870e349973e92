"""``jobdeck migrate`` (plugins' migrations too), ``jobdeck sync`` (the jobs root and the plugins) and
``jobdeck jobs [list|enable|disable]``."""

from __future__ import annotations

import sys

from app.cli.common import CommandError
from app.cli.common import find_job
from app.cli.common import open_database
from app.cli.common import print_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("migrate", help="apply database migrations (safe to repeat)")
    parser.set_defaults(handler=migrate)

    parser = subparsers.add_parser(
        "sync", help="import the job files and refresh the job records",
        description="Import every job module and refresh the job records. Exit status 1 when a module "
        "failed to import (the others are still loaded; its jobs keep their previous state).",
    )
    parser.add_argument("--allow-errors", action="store_true",
                        help="exit with status 0 even when a module failed to import")
    parser.set_defaults(handler=sync)

    jobs = subparsers.add_parser("jobs", help="list, enable or disable jobs (default: list)")
    jobs.set_defaults(handler=list_jobs, all=False)
    actions = jobs.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the job records")
    listing.add_argument("--all", action="store_true", help="include hidden jobs")
    listing.set_defaults(handler=list_jobs)
    enable = actions.add_parser("enable", help="enable a job so it can run")
    enable.add_argument("class_path", metavar="CLASS_PATH", nargs="?", help="module.Class or local/module/Class")
    enable.add_argument("--all", action="store_true", help="enable every installed job")
    enable.set_defaults(handler=enable_jobs, enabled=True)
    disable = actions.add_parser("disable", help="disable a job so it can no longer run")
    disable.add_argument("class_path", metavar="CLASS_PATH", help="module.Class or local/module/Class")
    disable.set_defaults(handler=set_enabled, enabled=False)


def migrate(args) -> int:
    from app import db
    from app.plugins.migrations import migrate_plugins

    open_database()
    applied = db.migrate() + migrate_plugins()
    if not applied:
        print("No migrations to apply.")
    for name in applied:
        print(f"Applied {name}")
    return 0


def sync(args) -> int:
    from app.catalog import sync_jobs
    from app.catalog import sync_plugins
    from app.jobs.loader import JobsRootError
    from app.jobs.loader import local_source

    config = open_database()
    try:
        # Checked first: syncing an empty or missing root would mark every job uninstalled.
        local_source(config.jobs_root).check_root()
    except JobsRootError as exc:
        raise CommandError(f"{exc}; no job record was changed.", code=1) from None
    reports = [sync_jobs(config.jobs_root), *sync_plugins()]
    for report in reports:
        for line in report.lines():
            print(line)
    errors = [error for report in reports for error in report.errors]
    if not errors:
        return 0
    print(f"{len(errors)} module(s) could not be imported; their jobs keep their previous state.")
    if args.allow_errors:
        return 0
    print("jobdeck: sync finished with import errors (listed above); fix them, or pass --allow-errors "
          "to exit with status 0 anyway.", file=sys.stderr)
    return 1


def list_jobs(args) -> int:
    from app.models import JobRecord

    open_database()
    query = JobRecord.select().order_by(JobRecord.grouping, JobRecord.name, JobRecord.class_path)
    if not args.all:
        query = query.where(JobRecord.hidden == False)  # noqa: E712 (SQL, not Python)
    rows = [
        (record.class_path, record.grouping, record.name, _yes(record.enabled), _yes(record.installed))
        for record in query
    ]
    if not rows:
        print("No jobs. Add job files to the jobs root, then run `jobdeck sync`.")
        return 0
    print_table(("CLASS PATH", "GROUPING", "NAME", "ENABLED", "INSTALLED"), rows)
    return 0


def enable_jobs(args) -> int:
    from app.db import database
    from app.models import JobRecord

    if args.all == bool(args.class_path):
        raise CommandError("Give either a CLASS_PATH or --all (every installed job).")
    if args.class_path:
        return set_enabled(args)
    open_database()
    if not JobRecord.select().where(JobRecord.installed == True).exists():  # noqa: E712 (SQL, not Python)
        print("No installed jobs. Add job files to the jobs root, then run `jobdeck sync`.")
        return 0
    waiting = (JobRecord.installed == True) & (JobRecord.enabled == False)  # noqa: E712
    with database.atomic():
        disabled = list(JobRecord.select().where(waiting).order_by(JobRecord.class_path))
        JobRecord.update(enabled=True).where(waiting).execute()
    for record in disabled:
        print(f"Enabled {record.class_path} ({record.name}).")
    print(f"{len(disabled)} job(s) enabled." if disabled else "Every installed job was already enabled.")
    return 0


def set_enabled(args) -> int:
    open_database()
    record = find_job(args.class_path)
    record.enabled = args.enabled
    record.save(only=[type(record).enabled])
    state = "enabled" if args.enabled else "disabled"
    note = "" if record.installed or not args.enabled else " (it is not installed, so it still cannot run)"
    print(f"{record.class_path} ({record.name}) is {state}{note}.")
    return 0


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
