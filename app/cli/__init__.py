"""The ``jobdeck`` command line: one module per command group, one error boundary here.

Every command returns an exit status. Errors reach the user as one sentence on stderr, never as a
traceback (set ``JOBDECK_DEBUG=true`` to see one for an unexpected error).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

import peewee

from app import __version__
from app.cli import accounts
from app.cli import catalog
from app.cli import git
from app.cli import results
from app.cli import runjob
from app.cli import serve
from app.cli import worker
from app.cli.common import EXIT_INTERRUPTED
from app.cli.common import CommandError
from app.config import ConfigError
from app.jobs.loader import JobsRootError
from app.plugins import PluginError

__all__ = ["CommandError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobdeck",
        description="Jobdeck: run, watch and manage jobs. Configured by JOBDECK_* environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"jobdeck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (serve, worker, catalog, git, accounts, runjob, results):
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``jobdeck`` command; return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already explained
        return int(exc.code or 0)
    try:
        return args.handler(args)
    except CommandError as exc:
        return _fail(str(exc), exc.code)
    except (ConfigError, JobsRootError, PluginError) as exc:
        return _fail(_sentence(str(exc)), 2)
    except (peewee.OperationalError, peewee.ProgrammingError) as exc:
        return _fail(_database_message(exc), 1)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `jobdeck jobs list | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if _debug():
            traceback.print_exc()
            return _fail(f"Unexpected error: {type(exc).__name__}: {exc}.", 1)
        return _fail(
            f"Unexpected error: {type(exc).__name__}: {exc} (set JOBDECK_DEBUG=true to see the traceback).", 1
        )


def _fail(message: str, code: int) -> int:
    print(f"jobdeck: {message}", file=sys.stderr)
    return code


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _database_message(exc: Exception) -> str:
    from app.cli.common import describe_url
    from app.config import get_config

    url = describe_url(get_config().database_url)
    text = str(exc)
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"The database {url} is not set up yet; run `jobdeck migrate` first."
    return f"The database {url} could not be used: {text}."


def _debug() -> bool:
    from app.config import get_config

    try:
        return get_config().debug
    except ConfigError:
        return False
