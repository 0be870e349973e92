"""The approval gate: whether a run request must wait for another user's approval.

Every door (form, API, CLI, schedules, later hooks and buttons) asks ``approval_needed`` through
admission, so the rule lives here once.
"""

from __future__ import annotations

from app.jobs.vars import DryRunVar

__all__ = ["approval_needed", "is_dry_run_request"]


def is_dry_run_request(job_class, cleaned: dict) -> bool:
    """Whether the validated inputs turn on one of the job's ``DryRunVar``s."""
    return any(cleaned.get(name) for name, var in job_class._get_vars().items() if isinstance(var, DryRunVar))


def approval_needed(record, job_class, cleaned: dict) -> bool:
    """True when the run must wait for approval: the job requires it, and this is not a dry run
    (a dry-run request runs at once without approval, its result marked as not approved)."""
    return bool(record.approval_required) and not is_dry_run_request(job_class, cleaned)
