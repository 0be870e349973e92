"""``jobdeck migrate``, ``jobdeck sync`` and ``jobdeck jobs list|enable|disable``."""

from __future__ import annotations

from app.cli.common import CommandError
from app.cli.common import find_job
from app.cli.common import open_database


def register(subparsers) -> None:
    parser = subparsers.add_parser("migrate", help="apply database migrations (safe to repeat)")
    parser.set_defaults(handler=migrate)

    parser = subparsers.add_parser("sync", help="import the job files and refresh the job records")
    parser.set_defaults(handler=sync)

    jobs = subparsers.add_parser("jobs", help="list, enable or disable jobs")
    actions = jobs.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the job records")
    listing.add_argument("--all", action="store_true", help="include hidden jobs")
    listing.set_defaults(handler=list_jobs)
    for name, enabled in (("enable", True), ("disable", False)):
        action = actions.add_parser(name, help=f"{name} a job so it can{'' if enabled else ' no longer'} run")
        action.add_argument("class_path", metavar="CLASS_PATH", help="module.Class or local/module/Class")
        action.set_defaults(handler=set_enabled, enabled=enabled)


def migrate(args) -> int:
    from app import db

    open_database()
    applied = db.migrate()
    if not applied:
        print("No migrations to apply.")
    for name in applied:
        print(f"Applied {name}")
    return 0


def sync(args) -> int:
    from app.catalog import sync_jobs
    from app.jobs.loader import JobsRootError
    from app.jobs.loader import local_source

    config = open_database()
    try:
        # Checked first: syncing an empty or missing root would mark every job uninstalled.
        local_source(config.jobs_root).check_root()
    except JobsRootError as exc:
        message = f"Cannot sync jobs: {exc} (or point JOBDECK_JOBS_ROOT at your jobs folder)."
        raise CommandError(message, code=1) from None
    report = sync_jobs(config.jobs_root)
    for line in report.lines():
        print(line)
    if report.errors:
        print(f"{len(report.errors)} module(s) could not be imported; their jobs keep their previous state.")
    return 0


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


def set_enabled(args) -> int:
    open_database()
    record = find_job(args.class_path)
    record.enabled = args.enabled
    record.save(only=[type(record).enabled])
    state = "enabled" if args.enabled else "disabled"
    note = "" if record.installed or not args.enabled else " (it is not installed, so it still cannot run)"
    print(f"{record.class_path} ({record.name}) is {state}{note}.")
    return 0


def print_table(headers: tuple[str, ...], rows: list[tuple]) -> None:
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
