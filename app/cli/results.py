"""``jobdeck results [list|show|cancel]``: list, look at, follow again, or cancel job results.

A result id may be given as its start (``jobdeck results show 3f2a``) when no other id starts the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import CommandError
from app.cli.common import find_result
from app.cli.common import open_database
from app.cli.common import positive_int
from app.cli.common import print_table
from app.cli.follow import EXIT_TIMEOUT
from app.cli.follow import finish
from app.cli.follow import follow_interruptibly

DEFAULT_LIMIT = 20


def register(subparsers) -> None:
    results = subparsers.add_parser("results", help="list, show or cancel job results (default: list)")
    results.set_defaults(handler=list_results, job=None, status=None, limit=DEFAULT_LIMIT)
    actions = results.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list job results, newest first")
    listing.add_argument("--job", metavar="CLASS_PATH_OR_NAME", help="only this job's results")
    listing.add_argument("--status", type=status_choice, metavar="STATUS",
                         help="only results with this status (PENDING, STARTED, SUCCESS, FAILURE, ERRORED, REVOKED)")
    listing.add_argument("--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
                         help=f"show at most N results (default {DEFAULT_LIMIT})")
    listing.set_defaults(handler=list_results)
    show = actions.add_parser("show", help="print a result's log and outcome")
    show.add_argument("result_id", metavar="RESULT_ID", help="the result's id, or enough of its start")
    show.add_argument("--follow", action="store_true", help="keep printing new lines until the job ends")
    show.add_argument("--save-files", type=Path, metavar="DIR", help="write the result's output files here")
    show.set_defaults(handler=show_result)
    cancel = actions.add_parser("cancel", help="cancel a pending or running result")
    cancel.add_argument("result_id", metavar="RESULT_ID", help="the result's id, or enough of its start")
    cancel.set_defaults(handler=cancel_result)


def status_choice(text: str) -> str:
    """An argparse type: a result status, in any case."""
    import argparse

    from app.jobs.choices import JobResultStatusChoices as Status

    statuses = [str(status) for status in Status]
    if text.upper() not in statuses:
        raise argparse.ArgumentTypeError(f"{text!r} is not a status; choose from {', '.join(statuses)}")
    return text.upper()


def list_results(args) -> int:
    from peewee import JOIN

    from app.models import JobRecord
    from app.models import JobResult
    from app.models import User

    open_database()
    query = (
        JobResult.select(JobResult, JobRecord, User)
        .join(JobRecord, JOIN.LEFT_OUTER)
        .switch(JobResult)
        .join(User, JOIN.LEFT_OUTER)
    )
    if args.job:
        query = query.where(JobResult.job_record == find_job_by_path_or_name(args.job))
    if args.status:
        query = query.where(JobResult.status == args.status)
    total = query.count()
    results = list(query.order_by(JobResult.date_created.desc(), JobResult.id).limit(args.limit))
    if not results:
        print("No job results match." if args.job or args.status else "No job results yet.")
        return 0
    rows = [
        (
            str(result.id),
            f"{result.date_created:%Y-%m-%d %H:%M:%S}",
            result.status,
            f"{result.duration.total_seconds():.2f} s" if result.duration is not None else "",
            result.job_record.class_path if result.job_record else f"{result.name} (deleted)",
            result.user.username if result.user else "-",
        )
        for result in results
    ]
    print_table(("ID", "CREATED (UTC)", "STATUS", "DURATION", "JOB", "USER"), rows)
    if total > len(results):
        print(f"Showing the newest {len(results)} of {total}; use --limit N for more.", file=sys.stderr)
    return 0


def find_job_by_path_or_name(text: str):
    """The JobRecord with this class path, or else the only one with this name (any case)."""
    from peewee import fn

    from app.models import JobRecord

    try:
        return JobRecord.get_for_class_path(text)
    except JobRecord.DoesNotExist:
        pass
    records = list(JobRecord.select().where(fn.LOWER(JobRecord.name) == text.strip().lower()))
    if len(records) > 1:
        paths = ", ".join(sorted(record.class_path for record in records))
        raise CommandError(f"Several jobs are named {text!r} ({paths}); give --job a class path.")
    if not records:
        raise CommandError(f"There is no job with the class path or name {text!r}; "
                           "`jobdeck jobs list --all` shows them.")
    return records[0]


def show_result(args) -> int:
    from app.cli.follow import LogPrinter

    open_database()
    result = find_result(args.result_id)
    if args.follow:
        result = follow_interruptibly(result)
    else:
        LogPrinter(result.id, sys.stdout).drain()
        if not result.is_finished:
            print(f"\nStatus: {result.status} (still running; add --follow to wait for it)")
            return 0
    return finish(result, args.save_files) if result else EXIT_TIMEOUT


def cancel_result(args) -> int:
    from app.execution.cancel import request_cancel
    from app.models import JobResult

    open_database()
    result = find_result(args.result_id)
    if not request_cancel(result.id):
        status = JobResult.select(JobResult.status).where(JobResult.id == result.id).scalar()
        raise CommandError(f"Job result {result.id} has already finished ({status}).", code=1)
    print(f"Cancelled job result {result.id}.")
    return 0
