"""Run options: how to run, as opposed to what with. The one place that decides them for every door.

The web form, the REST API and ``jobdeck runjob`` pass what was asked for to ``decide()``; it answers
with ``RunOptions`` or raises ``JobDataError`` with a message per refused option. The rules:

- ``task_queue``: one of the job's queues, by name or JobQueue id (default: its first).
- ``profile``: allowed when ``JOBDECK_DEBUG`` is on, for superusers, and for the trusted local CLI
  caller (``user`` None).
- ``schedule``: None or the interval ``immediately`` to run now, else a schedule checked by
  ``app.scheduling.requests.parse_schedule`` (start times read in ``JOBDECK_TIME_ZONE`` unless they
  carry an offset); jobs with sensitive variables cannot be scheduled.
- ``commit`` (Nautobot 1.x): True turns the job's dry-run variables off, False on, unless the inputs
  set them; None leaves them to their defaults. Committing needs a named user, who owns the changes.
"""

from __future__ import annotations

import dataclasses

from app.config import get_config
from app.db import utcnow
from app.jobs.forms import JobDataError
from app.scheduling.requests import ScheduleRequest
from app.scheduling.requests import parse_schedule

__all__ = ["IMMEDIATELY", "RunOptions", "apply_commit", "choose_queue", "decide", "may_profile"]

IMMEDIATELY = "immediately"
PROFILE_REFUSED = ("Profiling is only available when JOBDECK_DEBUG is on, to superusers, or from the command "
                   "line on the server (jobdeck runjob --profile).")
COMMIT_NEEDS_USER = "Committing changes needs a named user (runjob --username), who owns whatever the job changes."


@dataclasses.dataclass
class RunOptions:
    """The decided options of one run (build it with ``decide()``; tests and Re-run build it directly).

    ``ignore_singleton_lock`` and ``pre_approved`` are set only by ``app.testing``, which runs a job in
    process as Nautobot's ``run_job_for_testing`` does: without an approval step or a singleton lock.
    """

    queue: str | None = None
    profile: bool = False
    ignore_singleton_lock: bool = False
    pre_approved: bool = False
    # A dry run let through without approval: an approver's, or a request with its DryRunVar on.
    unapproved_dry_run: bool = False
    request_meta: dict = dataclasses.field(default_factory=dict)
    schedule: ScheduleRequest | None = None  # None: run now (or, for an approval-required job, ask now)

    def as_dict(self, queue: str) -> dict:
        options = {
            "queue": queue,
            "profile": self.profile,
            "ignore_singleton_lock": self.ignore_singleton_lock,
            "request_meta": self.request_meta,
        }
        if self.unapproved_dry_run:
            options["unapproved_dry_run"] = True
        return options


def may_profile(user) -> bool:
    """Whether ``user`` (None: the trusted local CLI caller) may profile a run."""
    return get_config().debug or user is None or bool(getattr(user, "is_superuser", False))


def choose_queue(record, requested) -> str:
    """The queue a run of ``record`` goes to; JobDataError for a queue that is not one of the job's.

    ``requested`` is a queue name, a JobQueue id (Nautobot 2.4's ``job_queue``), or a nested object
    with either; None or "" picks the job's default (first) queue.
    """
    queues = record.queues
    if requested is None or requested == "":
        return queues[0]
    name = _queue_name(requested, queues)
    if name not in queues:
        message = f"{name!r} is not a queue of this job (choose from {', '.join(queues)})."
        raise JobDataError({"task_queue": [message]})
    return name


def _queue_name(requested, allowed) -> str:
    from app.models import JobQueue

    if isinstance(requested, dict):
        requested = requested.get("name") or requested.get("id")
    if isinstance(requested, str) and (requested in allowed or not requested.isdigit()):
        return requested
    if isinstance(requested, bool) or not isinstance(requested, int | str):
        raise JobDataError({"task_queue": ["Enter a queue name or a job queue id."]})
    queue = JobQueue.get_or_none(JobQueue.id == int(requested))
    if queue is None:
        raise JobDataError({"task_queue": [f"No job queue has the id {requested}."]})
    return queue.name


def decide(record, user, *, queue=None, profile=None, schedule=None, commit=None,
           request_meta: dict | None = None, now=None) -> RunOptions:
    """RunOptions for a run of ``record`` by ``user`` (None: trusted local CLI) from the raw request.

    ``profile`` and ``commit`` are booleans or None (not given); anything else is refused, as is every
    option the rules above forbid, each under its own name in one JobDataError.
    """
    errors = {}
    try:
        queue = choose_queue(record, queue)
    except JobDataError as exc:
        errors.update(exc.errors)
    if profile is not None and not isinstance(profile, bool):
        errors["profile"] = ["Must be a valid boolean."]
    elif profile and not may_profile(user):
        errors["profile"] = [PROFILE_REFUSED]
    try:
        schedule = parse_schedule(schedule, record, now=now or utcnow(), time_zone=get_config().time_zone)
    except JobDataError as exc:
        errors.update(exc.errors)
    if commit is not None and not isinstance(commit, bool):
        errors["commit"] = ["Must be a valid boolean."]
    elif commit and user is None:
        errors["commit"] = [COMMIT_NEEDS_USER]
    if errors:
        raise JobDataError(errors)
    return RunOptions(queue=queue, profile=bool(profile), request_meta=dict(request_meta or {}), schedule=schedule)


def apply_commit(job_class, data, commit: bool | None):
    """``data`` with the job's dry-run variables that it leaves out set to ``not commit``."""
    from app.jobs.vars import DryRunVar

    if commit is None or job_class is None:
        return data
    dryrun = {name: not commit for name, var in job_class._get_vars().items() if isinstance(var, DryRunVar)}
    if hasattr(data, "getlist"):  # a posted form (MultiDict): keep its repeated values
        merged = data.copy()
        for name, value in dryrun.items():
            merged.setdefault(name, value)
        return merged
    return {**dryrun, **(data or {})}
