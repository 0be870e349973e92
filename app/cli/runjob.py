"""``jobdeck runjob``: run a job on a worker (or here) and follow it to its end, or schedule it.

With ``--schedule-at`` and/or ``--crontab``, or for a job that requires approval, the request becomes
a scheduled job (printed) instead of a run to follow.

Exit status: 0 SUCCESS, or the scheduled job was created; 1 FAILURE, ERRORED or REVOKED; 2 bad input,
unknown or disabled job, unknown user, no permission; 3 still running when --timeout passed; 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app import json_input
from app.cli.common import CommandError
from app.cli.common import find_job
from app.cli.common import find_user
from app.cli.common import open_database
from app.cli.common import require_runnable
from app.cli.follow import EXIT_TIMEOUT
from app.cli.follow import finish
from app.cli.follow import follow_interruptibly
from app.cli.follow import how_to_follow


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "runjob",
        help="run a job and print its log as it runs",
        description="Submit a job to the workers (or run it here with --local) and follow it to its end. "
        "Without --username it runs as the built-in system user, without permission checks: "
        "whoever can run this command can act as any user.",
    )
    parser.add_argument("class_path", metavar="CLASS_PATH", help="module.Class or local/module/Class")
    parser.add_argument("--username", help="run as this user (their permissions apply; they own any changes)")
    parser.add_argument("--data", default="{}", metavar="JSON", help='the variables, e.g. \'{"count": 3}\'')
    parser.add_argument("--file", action="append", default=[], metavar="VAR=PATH",
                        help="upload a file for a FileVar (repeatable)")
    parser.add_argument("--local", action="store_true", help="run in this process instead of on a worker")
    parser.add_argument("--commit", action="store_true",
                        help="let the job make changes: dry-run variables default to off (needs --username)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the run (writes a .pstats file); with --username, for superusers or "
                        "under JOBDECK_DEBUG")
    parser.add_argument("--queue", help="the job queue to use (default: the job's first queue)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="stop waiting after this long (the job keeps running; exit status 3)")
    parser.add_argument("--save-files", type=Path, metavar="DIR", help="write the run's output files here")
    parser.add_argument("--schedule-at", metavar="ISO",
                        help="run once at this time (ISO 8601; without an offset, in JOBDECK_TIME_ZONE); "
                        "with --crontab, the schedule's start time")
    parser.add_argument("--crontab", metavar='"M H DOM MON DOW"',
                        help='run on this 5-field crontab, evaluated in JOBDECK_TIME_ZONE, e.g. "30 2 * * *"')
    parser.add_argument("--schedule-name", metavar="NAME", help="the scheduled job's name")
    parser.set_defaults(handler=runjob)


def runjob(args) -> int:
    from app.execution.options import apply_commit
    from app.execution.options import decide

    data = parse_data(args.data)
    files = read_files(args.file)
    if args.local and args.timeout is not None:
        raise CommandError("--timeout applies to runs on a worker; a --local run lasts as long as the job.")
    open_database()
    record = find_job(args.class_path)
    user = find_user(args.username) if args.username else None
    require_runnable(record, user)
    job_class = loadable_job_class(record)
    schedule = requested_schedule(args)
    if args.local and schedule:
        raise CommandError("--schedule-at and --crontab leave the run to the workers; drop --local.")
    with refusals():
        options = decide(record, user, queue=args.queue, profile=args.profile, commit=args.commit, schedule=schedule)
        data = apply_commit(job_class, data, args.commit)
        check_files(job_class._get_vars() if job_class else {}, files)
        if args.local:
            result = run_local(record, user, data, files, options)
        else:
            result = submit_and_follow(record, user, data, files, options, args.timeout)
    if result is SCHEDULED:
        return 0
    if result is None:
        return EXIT_TIMEOUT
    return finish(result, args.save_files)


SCHEDULED = object()  # what submit_and_follow returns when the request became a scheduled job


def requested_schedule(args) -> dict | None:
    """The schedule ``decide()`` takes from --schedule-at, --crontab and --schedule-name; None to run now."""
    if not args.schedule_at and not args.crontab:
        if args.schedule_name:
            raise CommandError("--schedule-name names a schedule: give --schedule-at or --crontab too.")
        return None
    return {"interval": "custom" if args.crontab else "future", "start_time": args.schedule_at,
            "crontab": args.crontab, "name": args.schedule_name}


def parse_data(text: str) -> dict:
    try:
        data = json_input.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--data is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if not isinstance(data, dict):
        raise CommandError('--data must be a JSON object of variable values, e.g. \'{"count": 3}\'.')
    return data


def read_files(specs: list[str]) -> dict:
    from app.jobs.fields import InMemoryFile

    files = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise CommandError(f"--file {spec!r} must look like VARIABLE=PATH.")
        try:
            files[name] = InMemoryFile(Path(path).read_bytes(), Path(path).name)
        except OSError as exc:
            raise CommandError(f"Cannot read {path} for --file {name}: {exc.strerror}.") from None
    return files


def loadable_job_class(record):
    """The job's class, or None when it cannot load (submit then explains why it cannot run)."""
    from app.catalog import job_class_for
    from app.exceptions import JobLoadError

    try:
        return job_class_for(record)
    except JobLoadError:
        return None


def check_files(variables: dict, files: dict) -> None:
    from app.jobs.forms import JobDataError
    from app.jobs.vars import FileVar

    wrong = {name: ["This is not a file variable of the job."] for name in files
             if variables and not isinstance(variables.get(name), FileVar)}
    if wrong:
        raise JobDataError(wrong)


# How the run options decide() names appear on this command line.
OPTION_FLAGS = {"task_queue": "--queue", "profile": "--profile", "commit": "--commit",
                "schedule_start_time": "--schedule-at", "schedule_crontab": "--crontab",
                "schedule_name": "--schedule-name", "schedule_interval": "--schedule-at/--crontab"}


class refusals:
    """Turn submission refusals into exit status 2 with every field error on its own line."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from app.exceptions import JobNotRunnable
        from app.jobs.forms import JobDataError
        from app.security import PermissionDenied

        if exc_type is None:
            return False
        if issubclass(exc_type, JobDataError):
            refused = {OPTION_FLAGS[name]: messages for name, messages in exc.errors.items() if name in OPTION_FLAGS}
            if refused:
                lines = [f"{flag}: {message}" for flag, messages in refused.items() for message in messages]
                raise CommandError("\n".join(lines))
            lines = [f"{field}: {message}" for field, messages in exc.errors.items() for message in messages]
            raise CommandError("The job's input is not valid:\n" + "\n".join(f"  {line}" for line in lines))
        if issubclass(exc_type, (JobNotRunnable, PermissionDenied)):
            raise CommandError(str(exc))
        return False


def run_local(record, user, data, files, options):
    import dataclasses

    from app.cli.follow import BackgroundPrinter
    from app.exceptions import JobNotRunnable
    from app.execution.approvals import approval_needed
    from app.execution.runner import execute
    from app.execution.submit import create_result
    from app.execution.submit import prepare
    from app.models import JobResult

    job_class, cleaned, queue = prepare(record, user, data, files, options)
    if approval_needed(record, job_class, cleaned):
        raise JobNotRunnable(f"The job \u201c{record.name}\u201d requires approval by another user: drop --local "
                             "to request it (the workers run it once approved).")
    if record.approval_required:
        options = dataclasses.replace(options, unapproved_dry_run=True)
    result, payload = create_result(record, user, job_class, cleaned, queue, options)
    print(f"Running {record.name} ({record.class_path}) here, as {_who(user)}; result {result.id}")
    try:
        with BackgroundPrinter(result.id, sys.stdout):
            execute(result.id, payload)
    except KeyboardInterrupt:
        _revoke(result.id, "Interrupted from the keyboard (jobdeck runjob --local).")
        raise
    return JobResult.get_by_id(result.id)


def submit_and_follow(record, user, data, files, options, timeout):
    from app.execution.admission import admit

    admission = admit(record, user, data, files, options)
    if admission.scheduled_job is not None:
        print_scheduled(admission.scheduled_job)
        return SCHEDULED
    result = admission.result
    print(f"Queued {record.name} ({record.class_path}) on queue {result.queue!r} as {_who(user)}; "
          f"result {result.id}")
    if (result.options or {}).get("unapproved_dry_run"):
        print("Dry run, not approved: the job's dry-run variable is on, so it runs now without approval "
              "(add --commit to request a real run, which waits for another user's approval).")
    _warn_without_worker(result.queue)
    finished = follow_interruptibly(result, timeout)
    if finished is None:
        state = _status_of(result.id)
        going = "stays queued" if state == "PENDING" else "keeps running"
        print(f"\nStill {state} after {timeout:g} s; the job {going}.", file=sys.stderr)
        print(how_to_follow(result.id), file=sys.stderr)
    return finished


def print_scheduled(row) -> None:
    from app.scheduling.times import zoned

    waits = " It awaits approval by another user; nothing runs until then." if row.approval_state == "awaiting" else ""
    when = f"next run {zoned(row.next_run, row.time_zone)}" if row.next_run else "no run due"
    crontab = f" ({row.crontab})" if row.crontab else ""
    print(f"Scheduled job {row.id} \u201c{row.name}\u201d: {row.interval}{crontab}, {when}.{waits}")


def _warn_without_worker(queue: str) -> None:
    from app.models.workers import no_worker_warning

    warning = no_worker_warning(queue)
    if warning:
        print(f"{warning} Or use --local. Waiting\u2026", file=sys.stderr)


def _revoke(result_id, reason: str) -> None:
    from app.execution import status
    from app.jobs.choices import JobResultStatusChoices as Status

    status.finish_by_id(result_id, Status.STATUS_REVOKED, traceback=reason)


def _status_of(result_id) -> str:
    from app.models import JobResult

    return JobResult.select(JobResult.status).where(JobResult.id == result_id).scalar() or "unknown"


def _who(user) -> str:
    from app.execution.runner import SYSTEM_USER

    return user.username if user is not None else f"the system user {SYSTEM_USER.username!r}"
