"""The vocabularies jobs and results share: statuses and log levels."""

from __future__ import annotations

import enum


class JobResultStatusChoices(enum.StrEnum):
    """A result's status. Members compare equal to their plain string values::

        def after_return(self, status, retval, task_id, args, kwargs, einfo):
            if status == JobResultStatusChoices.STATUS_SUCCESS:  # also == "SUCCESS"
                ...
    """

    STATUS_PENDING = "PENDING"
    STATUS_STARTED = "STARTED"
    STATUS_SUCCESS = "SUCCESS"
    STATUS_FAILURE = "FAILURE"
    STATUS_ERRORED = "ERRORED"
    STATUS_REVOKED = "REVOKED"

    @property
    def label(self) -> str:
        return self.value


JobResultStatusChoices.TERMINAL = frozenset(
    {
        JobResultStatusChoices.STATUS_SUCCESS,
        JobResultStatusChoices.STATUS_FAILURE,
        JobResultStatusChoices.STATUS_ERRORED,
        JobResultStatusChoices.STATUS_REVOKED,
    }
)
JobResultStatusChoices.RUNNING = frozenset(
    {JobResultStatusChoices.STATUS_PENDING, JobResultStatusChoices.STATUS_STARTED}
)


class LogLevelChoices(enum.StrEnum):
    """Job log levels, as stored on log entries; SUCCESS and FAILURE sit between the stdlib ones::

        failures = [e for e in log_entries(result) if e[0] == LogLevelChoices.LOG_FAILURE]
    """

    LOG_DEBUG = "debug"
    LOG_INFO = "info"
    LOG_SUCCESS = "success"
    LOG_WARNING = "warning"
    LOG_FAILURE = "failure"
    LOG_ERROR = "error"
    LOG_CRITICAL = "critical"


SUCCESS = 25
FAILURE = 35

# stdlib level number -> stored level name
LEVEL_NAMES = {
    10: LogLevelChoices.LOG_DEBUG,
    20: LogLevelChoices.LOG_INFO,
    SUCCESS: LogLevelChoices.LOG_SUCCESS,
    30: LogLevelChoices.LOG_WARNING,
    FAILURE: LogLevelChoices.LOG_FAILURE,
    40: LogLevelChoices.LOG_ERROR,
    50: LogLevelChoices.LOG_CRITICAL,
}


def level_name(levelno: int) -> LogLevelChoices:
    """The stored name for a stdlib level number (custom numbers round down to a known level)."""
    best = LogLevelChoices.LOG_DEBUG
    for number, name in sorted(LEVEL_NAMES.items()):
        if levelno >= number:
            best = name
    return best
