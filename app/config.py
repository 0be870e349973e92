"""Jobdeck configuration: defaults overridden by JOBDECK_* environment variables.

Every process (web, worker, CLI, forked job child) builds the same Config from its environment, so
one set of variables configures the whole deployment.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def _as_bool(value: str) -> bool:
    return value.strip().lower() in _TRUE


def _as_patterns(value: str) -> tuple[str, ...]:
    # One regex per line: commas and semicolons are common inside regexes.
    return tuple(line for line in (part.strip() for part in value.splitlines()) if line)


@dataclasses.dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///jobdeck.sqlite3"
    queue_url: str = "sqlite:///jobdeck-queue.sqlite3"
    jobs_root: Path = Path("jobs_root")
    git_root: Path = Path("git_repos")
    secret_key: str = ""
    soft_time_limit: float = 300.0
    time_limit: float = 600.0
    job_create_file_max_size: int = 10 * 1024 * 1024
    sanitizer_patterns: tuple[str, ...] = ()
    debug: bool = False
    secure_cookies: bool = False
    default_queue: str = "default"
    worker_poll_interval: float = 0.05
    heartbeat_interval: float = 10.0
    worker_lost_after: float = 45.0

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)


# environment variable -> (field, converter)
ENVIRONMENT = {
    "JOBDECK_DATABASE_URL": ("database_url", str),
    "JOBDECK_QUEUE_URL": ("queue_url", str),
    "JOBDECK_JOBS_ROOT": ("jobs_root", Path),
    "JOBDECK_GIT_ROOT": ("git_root", Path),
    "JOBDECK_SECRET_KEY": ("secret_key", str),
    "JOBDECK_SOFT_TIME_LIMIT": ("soft_time_limit", float),
    "JOBDECK_TIME_LIMIT": ("time_limit", float),
    "JOBDECK_JOB_CREATE_FILE_MAX_SIZE": ("job_create_file_max_size", int),
    "JOBDECK_SANITIZER_PATTERNS": ("sanitizer_patterns", _as_patterns),
    "JOBDECK_DEBUG": ("debug", _as_bool),
    "JOBDECK_SECURE_COOKIES": ("secure_cookies", _as_bool),
    "JOBDECK_DEFAULT_QUEUE": ("default_queue", str),
    "JOBDECK_WORKER_POLL_INTERVAL": ("worker_poll_interval", float),
    "JOBDECK_HEARTBEAT_INTERVAL": ("heartbeat_interval", float),
    "JOBDECK_WORKER_LOST_AFTER": ("worker_lost_after", float),
}


class ConfigError(ValueError):
    """A JOBDECK_* variable holds a value that cannot be used."""


def from_environment(environ=None, **overrides) -> Config:
    environ = os.environ if environ is None else environ
    values = {}
    for variable, (field, convert) in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        try:
            values[field] = convert(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable}={raw!r} is not valid: {exc}") from None
    values.update(overrides)
    config = Config(**values)
    return config.replace(jobs_root=Path(config.jobs_root).resolve(), git_root=Path(config.git_root).resolve())


def ensure_secret_key(config: Config, path: Path | None = None) -> Config:
    """Return config with a secret key, generating and keeping one in a private file when unset.

    Web workers and restarts must agree on the key or sessions and CSRF tokens break.
    """
    if config.secret_key:
        return config
    path = path or Path("jobdeck.secret")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return config.replace(secret_key=path.read_text().strip())


_current: Config | None = None


def configure(config: Config) -> Config:
    """Make config the process-wide configuration (used by the author API and the runner)."""
    global _current
    _current = config
    return config


def get_config() -> Config:
    global _current
    if _current is None:
        _current = from_environment()
    return _current
