"""What several commands share: configuration, the database, and looking up jobs and users."""

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


def find_user(username: str):
    from app.models import User

    user = User.get_or_none(User.username == username)
    if user is None:
        raise CommandError(f"There is no user named {username!r}; create one with `jobdeck createsuperuser`.")
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


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
