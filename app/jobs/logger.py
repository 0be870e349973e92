"""Job loggers: ``self.logger`` and ``get_task_logger(__name__)``.

Both are ordinary ``logging`` loggers under the ``jobdeck.job`` namespace wrapped in an adapter that
adds ``success()`` and ``failure()`` and fills in the log entry's grouping. While a job runs, the
runner attaches a handler to that namespace that writes the lines into the job's result; outside a
job they are plain console loggers.
"""

from __future__ import annotations

import logging
import os
import sys

from app.jobs.choices import FAILURE
from app.jobs.choices import SUCCESS

NAMESPACE = "jobdeck.job"

logging.addLevelName(SUCCESS, "SUCCESS")
logging.addLevelName(FAILURE, "FAILURE")

# Frames from these files are framework code, never the job's own function.
INTERNAL_FILES = {os.path.normcase(logging.__file__), os.path.normcase(__file__)}


def _caller_name() -> str:
    """Name of the function that called the logger, skipping logging's and our own frames."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = os.path.normcase(frame.f_code.co_filename)
        if filename not in INTERNAL_FILES:
            return frame.f_code.co_name
        frame = frame.f_back
    return "main"


class JobLogger(logging.LoggerAdapter):
    """A logger for job code.

    ``extra`` understands ``grouping`` (defaults to the calling function's name), ``object`` (a model
    instance to link the line to) and ``skip_db_logging`` (print to the console only)::

        self.logger.info("Checked %s", device, extra={"object": device, "grouping": "checks"})
        self.logger.success("All done.")
    """

    def __init__(self, logger: logging.Logger):
        super().__init__(logger, {})

    def process(self, msg, kwargs):
        extra = dict(kwargs.get("extra") or {})
        if "grouping" not in extra:
            extra["grouping"] = _caller_name()
        kwargs["extra"] = extra
        return msg, kwargs

    def success(self, msg, *args, **kwargs):
        """Log at the SUCCESS level (between INFO and WARNING): ``self.logger.success("Provisioned")``."""
        self.log(SUCCESS, msg, *args, **kwargs)

    def failure(self, msg, *args, **kwargs):
        """Log at the FAILURE level (between WARNING and ERROR): ``self.logger.failure("No console")``."""
        self.log(FAILURE, msg, *args, **kwargs)


def get_job_logger(name: str) -> JobLogger:
    return JobLogger(logging.getLogger(f"{NAMESPACE}.{name}"))


def get_task_logger(name: str) -> JobLogger:
    """The logger for code a job calls (module-level helpers included).

    Inside a running job it writes to that job's log exactly like ``self.logger`` (grouping: the
    calling function's name); elsewhere it is an ordinary console logger::

        from app.jobs import get_task_logger

        logger = get_task_logger(__name__)

        def check_device(device):
            logger.info("Checked %s", device, extra={"object": device})
    """
    return get_job_logger(name)
