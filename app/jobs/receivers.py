"""Jobs fired by object changes (hooks) and by buttons on object pages.

Subclass these instead of ``Job``; they are discovered and registered like any job. The machinery
that fires them arrives with the objects and hooks feature.
"""

from __future__ import annotations

from app.jobs.base import Job
from app.jobs.meta import classproperty


class JobHookReceiver(Job):
    """A job run when a watched object changes; implement ``receive_job_hook()``::

        class LogChanges(JobHookReceiver):
            def receive_job_hook(self, change, action, changed_object):
                self.logger.info("%s was %s", changed_object, action)

        register_jobs(LogChanges)
    """

    @classproperty
    def is_job_hook_receiver(cls) -> bool:
        """True: the job is offered to job hooks, not run from the job list."""
        return True

    def run(self, *, object_change=None):
        self.receive_job_hook(change=object_change, action=getattr(object_change, "action", None),
                              changed_object=getattr(object_change, "changed_object", None))

    def receive_job_hook(self, change, action, changed_object):
        """Handle one object change: ``action`` is "create", "update" or "delete"."""
        raise NotImplementedError(f"{type(self).__name__} must implement receive_job_hook()")


class JobButtonReceiver(Job):
    """A job run from a button on an object's page; implement ``receive_job_button()``::

        class Ping(JobButtonReceiver):
            def receive_job_button(self, obj):
                self.logger.info("Pinging %s", obj)

        register_jobs(Ping)
    """

    @classproperty
    def is_job_button_receiver(cls) -> bool:
        """True: the job is offered to job buttons, not run from the job list."""
        return True

    def run(self, *, object_pk=None, object_model_name=None):
        self.receive_job_button(obj=object_pk)

    def receive_job_button(self, obj):
        """Handle the object whose button was pressed (``obj``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement receive_job_button()")
