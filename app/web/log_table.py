"""The result page's log table: filters and keyset pages over the (job_result, id) index."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from app.jobs.choices import LogLevelChoices
from app.models import JobLogEntry

PAGE_SIZE = 50
LIVE_BATCH = 200
# The grouping filter suggests the groupings of the first lines only: a DISTINCT over a 100,000-line
# log has no index to use and would cost more than the rest of the page.
GROUPING_SCAN = 5000
LEVELS = [level.value for level in LogLevelChoices]


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@dataclasses.dataclass
class LogFilters:
    level: str = ""
    grouping: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> LogFilters:
        level = args.get("level", "").strip().lower()
        return cls(
            level=level if level in LEVELS else "",
            grouping=args.get("grouping", "").strip()[:255],
            q=args.get("q", "").strip()[:200],
        )

    @property
    def active(self) -> bool:
        return bool(self.level or self.grouping or self.q)

    def args(self) -> dict:
        return {key: value for key, value in dataclasses.asdict(self).items() if value}

    def apply(self, query):
        if self.level:
            query = query.where(JobLogEntry.log_level == self.level)
        if self.grouping:
            query = query.where(JobLogEntry.grouping == self.grouping)
        if self.q:
            query = query.where(
                JobLogEntry.message.contains(self.q) | JobLogEntry.log_object.contains(self.q)
            )
        return query


@dataclasses.dataclass
class LogPage:
    entries: list
    prev_args: str | None
    next_args: str | None

    @property
    def last_id(self) -> int:
        return self.entries[-1].id if self.entries else 0


def _base(result_id, filters: LogFilters):
    return filters.apply(JobLogEntry.select().where(JobLogEntry.job_result == result_id))


def log_page(
    result_id, filters: LogFilters, after: int | None = None, before: int | None = None, size: int = PAGE_SIZE
) -> LogPage:
    """One page of log lines in write order: after an id (forward) or before one (backward)."""
    query = _base(result_id, filters)
    if before is not None:
        rows = list(query.where(JobLogEntry.id < before).order_by(JobLogEntry.id.desc()).limit(size + 1))
        has_more_before = len(rows) > size
        rows = rows[:size][::-1]
        has_more_after = bool(rows) and _base(result_id, filters).where(JobLogEntry.id > rows[-1].id).exists()
    else:
        if after is not None:
            query = query.where(JobLogEntry.id > after)
        rows = list(query.order_by(JobLogEntry.id).limit(size + 1))
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = (
            bool(rows)
            and after is not None
            and _base(result_id, filters).where(JobLogEntry.id < rows[0].id).exists()
        )
    base_args = filters.args()
    prev_args = urlencode({**base_args, "before": rows[0].id}) if rows and has_more_before else None
    next_args = urlencode({**base_args, "after": rows[-1].id}) if rows and has_more_after else None
    return LogPage(rows, prev_args, next_args)


def new_lines(result_id, filters: LogFilters, after: int) -> list:
    """Lines written since ``after`` (the live view's poll); bounded so one poll stays cheap."""
    query = _base(result_id, filters).where(JobLogEntry.id > after)
    return list(query.order_by(JobLogEntry.id).limit(LIVE_BATCH))


def groupings(result_id, entries=()) -> list[str]:
    """Groupings to suggest in the filter: those of the log's first lines and of the shown page."""
    head = (
        JobLogEntry.select(JobLogEntry.grouping)
        .where(JobLogEntry.job_result == result_id)
        .order_by(JobLogEntry.id)
        .limit(GROUPING_SCAN)
    )
    found = {row.grouping for row in JobLogEntry.select(head.c.grouping).from_(head).distinct()}
    found.update(entry.grouping for entry in entries)
    return sorted(found)[:200]
