"""Jobdeck's public exceptions (the port target of ``nautobot.apps.exceptions``)."""

from __future__ import annotations


class JobdeckError(Exception):
    """Base of Jobdeck's own errors."""


class SoftTimeLimitExceeded(JobdeckError):
    """Raised inside a running job when its soft time limit passes; catch it to clean up."""


class AbortTransaction(JobdeckError):
    """Kept for 1.x job files; Jobdeck does not wrap runs in a transaction, so it simply fails the job."""


class JobNotRunnable(JobdeckError):
    """The job is disabled, not installed, or otherwise refused at submission."""


class JobLoadError(JobdeckError):
    """A job module or class could not be imported."""


__all__ = ["AbortTransaction", "JobLoadError", "JobNotRunnable", "JobdeckError", "SoftTimeLimitExceeded"]
