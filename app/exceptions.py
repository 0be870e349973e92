"""Jobdeck's public exceptions (the port target of ``nautobot.apps.exceptions``,
``nautobot.core.exceptions`` and, for ``SoftTimeLimitExceeded``, ``celery.exceptions``)::

    from app.exceptions import AbortTransaction, SoftTimeLimitExceeded
"""

from __future__ import annotations


class JobdeckError(Exception):
    """Base of Jobdeck's own errors: ``except JobdeckError`` catches all of them."""


class SoftTimeLimitExceeded(JobdeckError):
    """Raised inside a running job when its soft time limit passes; catch it to clean up::

        try:
            job_code()
        except SoftTimeLimitExceeded:
            cleanup_in_a_hurry()
            raise
    """


class AbortTransaction(JobdeckError):
    """Kept for 1.x job files: raising it fails the job like any exception.

    Jobdeck does not wrap runs in a transaction, so nothing is rolled back::

        raise AbortTransaction("stop here")
    """


class JobNotRunnable(JobdeckError):
    """The job is disabled, not installed, or otherwise refused at submission (``str(exc)`` says why)."""


class JobLoadError(JobdeckError):
    """A job module or class could not be imported (``str(exc)`` names the file and line)."""


__all__ = ["AbortTransaction", "JobLoadError", "JobNotRunnable", "JobdeckError", "SoftTimeLimitExceeded"]
