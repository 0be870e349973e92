"""``jobdeck results show|cancel``: look at, follow again, or cancel a job result."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import CommandError
from app.cli.common import open_database
from app.cli.follow import EXIT_TIMEOUT
from app.cli.follow import finish
from app.cli.follow import follow_interruptibly


def register(subparsers) -> None:
    results = subparsers.add_parser("results", help="show a job result")
    actions = results.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print a result's log and outcome")
    show.add_argument("result_id", metavar="RESULT_ID")
    show.add_argument("--follow", action="store_true", help="keep printing new lines until the job ends")
    show.add_argument("--save-files", type=Path, metavar="DIR", help="write the result's output files here")
    show.set_defaults(handler=show_result)
    cancel = actions.add_parser("cancel", help="cancel a pending or running result")
    cancel.add_argument("result_id", metavar="RESULT_ID")
    cancel.set_defaults(handler=cancel_result)


def show_result(args) -> int:
    from app.cli.follow import LogPrinter
    from app.models import JobResult

    open_database()
    result = JobResult.get_or_none(JobResult.id == _uuid(args.result_id))
    if result is None:
        raise CommandError(f"There is no job result {args.result_id!r}.")
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

    open_database()
    result_id = _uuid(args.result_id)
    if not request_cancel(result_id):
        raise CommandError(f"Job result {args.result_id} does not exist or has already finished.", code=1)
    print(f"Cancelled job result {result_id}.")
    return 0


def _uuid(text: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a job result id (a UUID).") from None
