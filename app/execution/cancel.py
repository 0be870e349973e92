"""Cancelling a run (the web's and the API's "cancel" button).

A PENDING result becomes REVOKED and never runs: the worker that later takes its queue message
finds it REVOKED and skips it. A STARTED result becomes REVOKED too; its supervisor notices within
a fraction of a second and kills the job process, leaving the status REVOKED.
"""

from __future__ import annotations

from app.db import database
from app.db import utcnow
from app.execution.joblog import append_line
from app.execution.status import transition
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices

__all__ = ["request_cancel"]


def request_cancel(result_id, user=None) -> bool:
    """Cancel a PENDING or STARTED result; False if it had already finished (or does not exist).

    Permission checks belong to the caller (``can(user, "change", result)`` or similar).
    """
    who = f" by {user}" if user is not None and getattr(user, "id", None) is not None else ""
    with database.atomic():
        for current in (Status.STATUS_PENDING, Status.STATUS_STARTED):
            # Compare-and-set per status, so a run that finishes meanwhile keeps its own outcome.
            cancelled = transition(result_id, Status.STATUS_REVOKED, from_=current, date_done=utcnow(),
                                   traceback=f"Cancelled{who}.")
            if cancelled:
                message = f"Cancelled{who} before it started." if current == Status.STATUS_PENDING else (
                    f"Cancelled{who} while running; the job process is being stopped."
                )
                append_line(result_id, LogLevelChoices.LOG_WARNING, message, "cancel")
                return True
    return False
