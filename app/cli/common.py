"""What several commands share: configuration, the database, looking up jobs, results and users, tables."""

from __future__ import annotations

import argparse

from app import db
from app.config import Config
from app.config import configure
from app.config import from_environment

EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


class CommandError(Exception):
    """A failure to report as one sentence; ``code`` is the exit status (2: bad input)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def open_database() -> Config:
    """Configure this process from JOBDECK_* variables and bind the database."""
    config = configure(from_environment())
    try:
        db.bind(config.database_url)
    except ValueError as exc:
        raise CommandError(f"JOBDECK_DATABASE_URL: {exc}.") from None
    return config


def find_job(class_path: str):
    """The JobRecord for ``module.Class`` or ``local/module/Class``."""
    from app.models import JobRecord

    try:
        return JobRecord.get_for_class_path(class_path)
    except JobRecord.DoesNotExist:
        raise CommandError(
            f"There is no job {class_path!r}; `jobdeck jobs list --all` shows the class paths "
            "(run `jobdeck sync` after adding a job file)."
        ) from None


def require_runnable(record, user) -> None:
    """Refuse a run ``user`` may not start now; a disabled job's refusal names the command that enables it."""
    from app.exceptions import JobNotRunnable
    from app.execution.submit import check_runnable as check
    from app.security import PermissionDenied

    try:
        check(record, user)
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from None
    except JobNotRunnable as exc:
        disabled = record.installed and not record.enabled
        fix = f" Enable it with `jobdeck jobs enable {record.class_path}`." if disabled else ""
        raise CommandError(f"{exc}{fix}") from None


def find_result(text: str):
    """The JobResult whose id is ``text`` or starts with it (hex digits; dashes optional)."""
    import uuid

    from app.models import JobResult

    digits = text.strip().lower().replace("-", "")
    if not digits or len(digits) > 32 or any(char not in "0123456789abcdef" for char in digits):
        raise CommandError(f"{text!r} is not a job result id (a UUID, or the start of one).")
    # A prefix is a range of UUIDs; comparing UUIDs works the same on SQLite and PostgreSQL.
    low, high = uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))
    shown = 10
    matches = list(
        JobResult.select().where(JobResult.id.between(low, high)).order_by(JobResult.date_created.desc())
        .limit(shown + 1)
    )
    if not matches:
        raise CommandError(f"There is no job result whose id starts with {text.strip()!r}; "
                           "`jobdeck results list` shows the latest.")
    if len(matches) > 1:
        lines = [f"  {result.id}  {result.date_created:%Y-%m-%d %H:%M:%S}  {result.status:<8}  {result.name}"
                 for result in matches[:shown]]
        if len(matches) > shown:
            lines.append("  …")
        raise CommandError(f"The id prefix {text.strip()!r} matches several job results; give more of the id:\n"
                           + "\n".join(lines))
    return matches[0]


def find_user(username: str):
    from app.models import User

    user = User.get_or_none(User.username == username)
    if user is None:
        raise CommandError(f"There is no user named {username!r}; create one with `jobdeck createuser`.")
    return user


def sqlite_path(url: str) -> str | None:
    """The file behind a ``sqlite:///`` URL, resolved against the working directory."""
    from pathlib import Path

    if not url.startswith("sqlite:"):
        return None
    path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else url.split("sqlite:", 1)[1]
    return str(Path(path).expanduser().resolve()) if path and path != ":memory:" else path


def describe_url(url: str) -> str:
    """A location fit to print: the SQLite file, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return path
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url


def print_table(headers: tuple[str, ...], rows: list[tuple]) -> None:
    """Columns padded to their widest value, under a header row."""
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
