"""Changing a scheduled job after the request: its name, whether it is enabled, its crontab and
its misfire policy.

The web's edit page and toggle and the API's PATCH all go through ``edit``. A new crontab, or
enabling a recurring schedule again, recomputes the next run from now: no catch-up runs for the
time it was off. A request that went to approval keeps the crontab it was decided on: another one
needs a new request (else an approved yearly run could be edited into one every minute).
"""

from __future__ import annotations

from app.db import utcnow
from app.jobs.forms import JobDataError
from app.models.schedules import ApprovalState
from app.models.schedules import Interval
from app.models.schedules import MisfirePolicy
from app.models.schedules import ScheduledJob
from app.scheduling.requests import NAME_MAX
from app.scheduling.times import Schedule
from app.scheduling.times import crontab_error
from app.scheduling.times import next_after

__all__ = ["edit"]

APPROVAL_BOUND = ("This schedule's crontab is part of what its approval decides, so it cannot change: request "
                  "a new run with the new crontab from the job's page, for another user to approve.")

MISFIRE_BOUND = ("This schedule's misfire policy is part of what its approval decides, so it cannot change: "
                 "request a new run with the new policy from the job's page, for another user to approve.")


def edit(row: ScheduledJob, *, name: str | None = None, enabled: bool | None = None,
         crontab: str | None = None, misfire_policy: str | None = None, now=None) -> None:
    """Check and store the given changes (None: unchanged); JobDataError with a message per field."""
    now = now or utcnow()
    errors = {}
    if name is not None:
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            errors["name"] = [f"Enter a name of 1 to {NAME_MAX} characters."]
    if crontab is not None:
        crontab = " ".join(crontab.split())
        if row.interval != Interval.CUSTOM.value:
            if crontab != row.crontab:
                errors["crontab"] = [f"Only a custom schedule has a crontab; this one is {row.interval}."]
        elif crontab_error(crontab):
            errors["crontab"] = [crontab_error(crontab)]
        elif crontab != row.crontab and row.approval_state != ApprovalState.NOT_REQUIRED.value:
            errors["crontab"] = [APPROVAL_BOUND]
    if misfire_policy is not None and misfire_policy not in {policy.value for policy in MisfirePolicy}:
        errors["misfire_policy"] = [f"{misfire_policy!r} is not a misfire policy: use once, skip or all."]
    elif (misfire_policy is not None and misfire_policy != row.misfire_policy
          and row.approval_state != ApprovalState.NOT_REQUIRED.value):
        # "all" after downtime would make catch-up runs the approver never weighed.
        errors["misfire_policy"] = [MISFIRE_BOUND]
    if errors:
        raise JobDataError(errors)
    fields = [ScheduledJob.last_updated]
    resume = enabled is True and not row.enabled
    if name is not None:
        row.name = name
        fields.append(ScheduledJob.name)
    if enabled is not None:
        row.enabled = bool(enabled)
        fields.append(ScheduledJob.enabled)
    if misfire_policy is not None:
        row.misfire_policy = misfire_policy
        fields.append(ScheduledJob.misfire_policy)
    if crontab is not None and crontab != row.crontab:
        row.crontab = crontab
        fields.append(ScheduledJob.crontab)
        resume = True
    if resume and row.interval_choice.recurring and row.next_run is not None:
        row.next_run = next_after(Schedule.of(row), now)
        fields.append(ScheduledJob.next_run)
    row.last_updated = now
    row.save(only=fields)
