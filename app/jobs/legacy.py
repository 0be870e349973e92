"""The Nautobot 1.x surface of a Job: the ``log_*`` methods that ported 1.x jobs still call."""

from __future__ import annotations

import os

from app.jobs.logger import INTERNAL_FILES

__all__ = ["LegacyLoggingMixin"]

# Frames in this file are framework code: a line's grouping names the job function that called log_*().
INTERNAL_FILES.add(os.path.normcase(__file__))


class LegacyLoggingMixin:
    """Nautobot 1.x's logging methods, inherited by ``Job``.

    Each writes through ``self.logger`` with the object linked; ``log_failure()`` also fails the
    job, which keeps running::

        self.log_info(device, "Checked")
        self.log_failure(message="No console connection")
    """

    def _log_legacy(self, level: str, obj, message):
        if message is None and isinstance(obj, str):
            obj, message = None, obj
        extra = {"object": obj} if obj is not None else {}
        getattr(self.logger, level)(message if message is not None else str(obj), extra=extra)

    def log(self, message):
        """1.x: log ``message`` at INFO: ``self.log("Starting")``."""
        self._log_legacy("info", None, message)

    def log_debug(self, obj=None, message=None):
        """1.x: log at DEBUG; a lone string is the message, a model instance the linked object::

            self.log_debug("Looked at 3 devices")
        """
        self._log_legacy("debug", obj, message)

    def log_info(self, obj=None, message=None):
        """1.x: log at INFO, optionally linked to ``obj``: ``self.log_info(device, "Checked")``."""
        self._log_legacy("info", obj, message)

    def log_success(self, obj=None, message=None):
        """1.x: log at SUCCESS: ``self.log_success(obj=device, message="Console connected")``."""
        self._log_legacy("success", obj, message)

    def log_warning(self, obj=None, message=None):
        """1.x: log at WARNING: ``self.log_warning(message="No primary IP")``."""
        self._log_legacy("warning", obj, message)

    def log_failure(self, obj=None, message=None):
        """1.x: log at FAILURE and mark the job failed; it keeps running, like ``fail()``::

            self.log_failure(device, "No console connection")
        """
        self.failed = True
        self._log_legacy("failure", obj, message)
