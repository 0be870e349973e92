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
# Where the secret key is kept when JOBDECK_SECRET_KEY is unset (relative to the working folder).
SECRET_FILE = "jobdeck.secret"


def _as_bool(value: str) -> bool:
    return value.strip().lower() in _TRUE


def _as_patterns(value: str) -> tuple[str, ...]:
    # One regex per line: commas and semicolons are common inside regexes.
    return tuple(line for line in (part.strip() for part in value.splitlines()) if line)


def _as_names(value: str) -> tuple[str, ...]:
    return tuple(name for name in value.replace(",", " ").split() if name)


def _as_time_zone(value: str) -> str:
    from zoneinfo import ZoneInfo
    from zoneinfo import ZoneInfoNotFoundError

    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known time zone (use a name such as UTC or Europe/Berlin)") from None
    return name


@dataclasses.dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///jobdeck.sqlite3"
    queue_url: str = "sqlite:///jobdeck-queue.sqlite3"
    jobs_root: Path = Path("jobs_root")
    git_root: Path = Path("git_repos")
    git_allow_file_remotes: bool = False
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
    time_zone: str = "UTC"
    plugins: tuple[str, ...] = ()

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)


# environment variable -> (field, converter)
ENVIRONMENT = {
    "JOBDECK_DATABASE_URL": ("database_url", str),
    "JOBDECK_QUEUE_URL": ("queue_url", str),
    "JOBDECK_JOBS_ROOT": ("jobs_root", Path),
    "JOBDECK_GIT_ROOT": ("git_root", Path),
    "JOBDECK_GIT_ALLOW_FILE_REMOTES": ("git_allow_file_remotes", _as_bool),
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
    "JOBDECK_TIME_ZONE": ("time_zone", _as_time_zone),
    "JOBDECK_PLUGINS": ("plugins", _as_names),
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

    Web processes, workers and the CLI must agree on the key: it signs sessions and CSRF tokens and
    seals the inputs of queued runs. Without JOBDECK_SECRET_KEY each reads ``jobdeck.secret`` in its
    working folder; the first to need it creates it, atomically, so concurrent starts agree.
    """
    if config.secret_key:
        return config
    path = Path(path or SECRET_FILE)
    if not path.exists():
        _create_secret_file(path)
    return config.replace(secret_key=path.read_text().strip())


def _create_secret_file(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # never replaces a file another process made meanwhile
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)


def secret_key() -> str:
    """This process's secret key, read from (or generated into) ``jobdeck.secret`` on first use when unset."""
    config = get_config()
    if not config.secret_key:
        config = configure(ensure_secret_key(config))
    return config.secret_key


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
