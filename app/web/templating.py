"""Jinja set-up for the pages: job-supplied templates (``template_name``) and shared filters.

A job's template is a file next to its source, written for Nautobot's Django templates. It is
loaded under a ``@job:`` name by JobTemplateLoader, which turns Django's ``{{ block.super }}`` into
Jinja's ``{{ super() }}`` and drops ``{% load ... %}`` tags, so the file works unchanged.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path

import jinja2
from flask import Flask

from app.config import get_config
from app.jobs.choices import JobResultStatusChoices as Status
from app.jobs.choices import LogLevelChoices as Level
from app.markup import markdown_summary
from app.scheduling.times import zone
from app.scheduling.times import zoned
from app.web.run_options import SCHEDULE_FIELDS
from app.web.schedule_words import approval_words
from app.web.schedule_words import interval_words

JOB_TEMPLATE_PREFIX = "@job:"
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.DOTALL)
_BLOCK_SUPER = re.compile(r"\bblock\.super\b")
_LOAD_TAG = re.compile(r"\{%-?\s*load\s+[^%]*-?%\}")


def translate_django(source: str) -> str:
    source = _LOAD_TAG.sub("", source)
    return _TAG.sub(lambda match: _BLOCK_SUPER.sub("super()", match.group(0)), source)


class JobTemplateLoader(jinja2.BaseLoader):
    """Loads ``@job:/absolute/path.html`` from disk, translated from Django template syntax."""

    def get_source(self, environment, template):
        if not template.startswith(JOB_TEMPLATE_PREFIX):
            raise jinja2.TemplateNotFound(template)
        path = Path(template[len(JOB_TEMPLATE_PREFIX) :])
        try:
            source = path.read_text(encoding="utf-8")
            mtime = path.stat().st_mtime_ns
        except (OSError, UnicodeDecodeError) as exc:
            raise jinja2.TemplateNotFound(template, message=f"cannot read {path}: {exc}") from None

        def uptodate():
            try:
                return path.stat().st_mtime_ns == mtime
            except OSError:
                return False

        return translate_django(source), str(path), uptodate


def job_template_name(record, job_class=None) -> str | None:
    """The loader name of a job's own template, resolved relative to its source file, or None."""
    if not record.template_name:
        return None
    source = getattr(job_class, "file_path", None) or record.source_file
    base = Path(source).parent if source else Path(".")
    return JOB_TEMPLATE_PREFIX + str((base / record.template_name).resolve())


STATUS_BADGES = {
    Status.STATUS_PENDING: "badge-info",
    Status.STATUS_STARTED: "badge-primary badge-running",
    Status.STATUS_SUCCESS: "badge-success",
    Status.STATUS_FAILURE: "badge-danger",
    Status.STATUS_ERRORED: "badge-danger",
    Status.STATUS_REVOKED: "badge-dark",
}
LEVEL_BADGES = {
    Level.LOG_DEBUG: "",
    Level.LOG_INFO: "badge-info",
    Level.LOG_SUCCESS: "badge-success",
    Level.LOG_WARNING: "badge-warning",
    Level.LOG_FAILURE: "badge-danger",
    Level.LOG_ERROR: "badge-danger",
    Level.LOG_CRITICAL: "badge-danger",
}


def format_time(value) -> str:
    """Time of day with milliseconds in ``JOBDECK_TIME_ZONE``: log lines of one run share their date
    (the full time, with its zone, is the cell's title)."""
    if not value:
        return "—"
    local = value.replace(tzinfo=datetime.timezone.utc).astimezone(zone(get_config().time_zone))
    return local.strftime("%H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def format_duration(value) -> str:
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {seconds:02d} s"


def format_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@functools.lru_cache(maxsize=4096)
def job_summary(description: str):
    """``markdown_summary`` memoized: the job list renders hundreds of rarely changing descriptions."""
    return markdown_summary(description)


def init_app(app: Flask) -> None:
    app.jinja_env.loader = jinja2.ChoiceLoader([app.jinja_env.loader, JobTemplateLoader()])
    app.add_template_filter(zoned, "datetime")  # every time on a page carries its zone
    app.add_template_filter(format_time, "time")
    app.add_template_filter(zoned, "zoned")
    app.add_template_filter(format_duration, "duration")
    app.add_template_filter(format_size, "filesize")
    app.add_template_filter(job_summary, "job_summary")
    app.add_template_filter(interval_words, "interval_words")
    app.add_template_filter(approval_words, "approval_words")
    app.add_template_global(STATUS_BADGES, "STATUS_BADGES")
    app.add_template_global(SCHEDULE_FIELDS, "SCHEDULE_FIELDS")
    app.add_template_global(LEVEL_BADGES, "LEVEL_BADGES")
    app.add_template_global(lambda: get_config().time_zone, "time_zone_name")
