"""The run options form shown under a job's own form: queue, (where allowed) profiling, and the
schedule (rendered by the job page's ``schedule_form`` block; absent for jobs with sensitive variables).

Kept apart from the generated job form (and posted under the ``_run-`` prefix) so no option name can
collide with a job variable. What may be chosen is decided by ``app.execution.options``, as for the
API and the CLI.
"""

from __future__ import annotations

import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateTimeLocalInput

from app.config import get_config
from app.execution.options import RunOptions
from app.execution.options import decide
from app.execution.options import may_profile
from app.scheduling.times import zone


class RunOptionsForm(FlaskForm):
    task_queue = SelectField("Queue", description="The worker queue this run is sent to.")
    profile = BooleanField(
        "Profile this run", description="Run under cProfile and attach the .pstats file to the result."
    )

    schedule_interval = SelectField("When", default="immediately", choices=[
        SelectChoice(value, label) for value, label in (
            ("immediately", "Immediately"), ("future", "Once, at the start time"), ("hourly", "Hourly"),
            ("daily", "Daily"), ("weekly", "Weekly"), ("custom", "Custom (crontab)"))
    ], description="Run now, once later, or on a recurring schedule from the start time.")
    schedule_name = StringField("Schedule name", description="Defaults to the job's name and the interval.")
    schedule_start_time = StringField("Start time", widget=DateTimeLocalInput(), render_kw={"step": "1"})
    schedule_crontab = StringField(
        "Crontab", description="For \u201cCustom\u201d: 5 fields, minute hour day month weekday, e.g. 30 2 * * *.")

    @classmethod
    def for_record(cls, record, user, **kwargs) -> RunOptionsForm:
        form = cls(**kwargs)
        if record.has_sensitive_variables:
            for name in SCHEDULE_FIELDS:
                del form[name]
        else:
            form.schedule_start_time.description = start_time_help(get_config().time_zone)
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
        return not any(name != "csrf_token" and name not in SCHEDULE_FIELDS for name in self._fields)

    @property
    def schedule(self) -> dict | None:
        """The schedule fields as ``decide()`` takes them; None when the form has none."""
        if "schedule_interval" not in self:
            return None
        return {"interval": self.schedule_interval.data, "name": self.schedule_name.data,
                "start_time": self.schedule_start_time.data, "crontab": self.schedule_crontab.data}


def start_time_help(time_zone: str) -> str:
    """Which zone a start time is read in, and the time there now: a browser's date picker shows no zone."""
    now = datetime.datetime.now(zone(time_zone))
    shown = "UTC" if time_zone == "UTC" else now.tzname()
    return (f"Read in {time_zone}, the zone set by JOBDECK_TIME_ZONE (not the zone of your browser): "
            f"it is now {now:%H:%M} {shown} there.")


SCHEDULE_FIELDS = ("schedule_interval", "schedule_name", "schedule_start_time", "schedule_crontab")


def run_options(record, user, form: RunOptionsForm, request) -> RunOptions:
    """The decided RunOptions (JobDataError when refused) from the validated form, plus the request
    metadata a job sees as ``self.request.META``."""
    return decide(
        record,
        user,
        queue=form.task_queue.data if "task_queue" in form else None,
        profile=bool(form.profile.data) if "profile" in form else None,
        schedule=form.schedule,
        request_meta={
            "REMOTE_ADDR": request.remote_addr or "",
            "HTTP_USER_AGENT": request.headers.get("User-Agent", ""),
        },
    )
