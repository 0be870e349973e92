"""The run options form shown under a job's own form: queue and (where allowed) profiling.

Kept apart from the generated job form (and posted under the ``_run-`` prefix) so no option name can
collide with a job variable. What may be chosen is decided by ``app.execution.options``, as for the
API and the CLI.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import SelectField

from app.execution.options import RunOptions
from app.execution.options import decide
from app.execution.options import may_profile


class RunOptionsForm(FlaskForm):
    task_queue = SelectField("Queue", description="The worker queue this run is sent to.")
    profile = BooleanField(
        "Profile this run", description="Run under cProfile and attach the .pstats file to the result."
    )

    @classmethod
    def for_record(cls, record, user, **kwargs) -> RunOptionsForm:
        form = cls(**kwargs)
        queues = record.queues
        if len(queues) > 1:
            form.task_queue.choices = [(queue, queue) for queue in queues]
            if not form.is_submitted():
                form.task_queue.data = queues[0]
        else:
            del form.task_queue
        if not may_profile(user):
            del form.profile
        return form

    @property
    def is_empty(self) -> bool:
        return not any(name != "csrf_token" for name in self._fields)


def run_options(record, user, form: RunOptionsForm, request) -> RunOptions:
    """The decided RunOptions (JobDataError when refused) from the validated form, plus the request
    metadata a job sees as ``self.request.META``."""
    return decide(
        record,
        user,
        queue=form.task_queue.data if "task_queue" in form else None,
        profile=bool(form.profile.data) if "profile" in form else None,
        request_meta={
            "REMOTE_ADDR": request.remote_addr or "",
            "HTTP_USER_AGENT": request.headers.get("User-Agent", ""),
        },
    )
