"""The job queue form: one validation for the pages and the API (``/api/extras/job-queues/``)."""

from __future__ import annotations

from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.db import utcnow
from app.models import JobQueue
from app.models.queues import QUEUE_NAME
from app.models.queues import QUEUE_NAME_RULE
from app.web.admin_forms import InstanceForm
from app.web.admin_forms import Unique

__all__ = ["JobQueueForm", "save_queue"]


def _queue_name(form, field):
    if field.data and not QUEUE_NAME.match(field.data):
        raise ValidationError(f"Invalid queue name ({QUEUE_NAME_RULE} characters).")


def _renamable(form, field):
    queue = form.instance
    if queue is not None and field.data and field.data != queue.name and queue.blockers():
        raise ValidationError("This queue cannot be renamed: " + " ".join(queue.blockers()))


class JobQueueForm(InstanceForm):
    name = StringField("Name", [DataRequired(), _queue_name,
                                Unique(JobQueue.name, "A job queue with this name already exists."), _renamable],
                       filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       description="What jobs' task_queues and `jobdeck worker --queue` call it.")
    description = StringField("Description", [Length(max=200)])


def save_queue(form: JobQueueForm, queue: JobQueue) -> JobQueue:
    queue.name = form.name.data
    queue.description = form.description.data or ""
    queue.last_updated = utcnow()
    queue.save()
    return queue
