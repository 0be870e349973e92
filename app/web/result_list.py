"""The result list's filters and keyset pages, newest first.

Pages are cut by a (date_created, id) cursor instead of OFFSET, and one extra row tells whether
another page exists, so no page counts every result: the list costs the same on page 1 and page 2,000.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from urllib.parse import urlencode

from peewee import JOIN

from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.security import restrict

PAGE_SIZE = 50
_CURSOR_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _day(value: str, *, end: bool = False):
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    start = datetime.datetime.combine(day, datetime.time.min)
    return start + datetime.timedelta(days=1) if end else start


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return None


@dataclasses.dataclass
class ResultFilters:
    job: str = ""
    status: str = ""
    user: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_args(cls, args) -> ResultFilters:
        return cls(
            **{field.name: args.get(field.name, "").strip()[:200] for field in dataclasses.fields(cls)}
        )

    def args(self) -> dict:
        return {key: value for key, value in dataclasses.asdict(self).items() if value}

    @property
    def active(self) -> bool:
        return bool(self.args())

    def apply(self, query):
        if self.job:
            job_id = _uuid(self.job)
            query = (
                query.where(JobResult.job_record == job_id)
                if job_id
                else query.where(JobResult.name == self.job)
            )
        if self.status:
            query = query.where(JobResult.status == self.status.upper())
        if self.user:
            user = User.get_or_none(User.username == self.user)
            query = query.where(JobResult.user == (user.id if user else -1))
        if start := _day(self.date_from):
            query = query.where(JobResult.date_created >= start)
        if end := _day(self.date_to, end=True):
            query = query.where(JobResult.date_created < end)
        return query


@dataclasses.dataclass
class ResultPage:
    results: list
    prev_args: str | None
    next_args: str | None


def _cursor(result) -> str:
    return f"{result.date_created.strftime(_CURSOR_FORMAT)}_{result.id.hex}"


def _parse_cursor(value: str | None):
    if not value:
        return None
    stamp, _, key = value.partition("_")
    try:
        return datetime.datetime.strptime(stamp, _CURSOR_FORMAT), uuid.UUID(key)
    except ValueError:
        return None


def result_page(user, filters: ResultFilters, args, size: int = PAGE_SIZE) -> ResultPage:
    """One page of the results ``user`` may view, older than ``?after=`` or newer than ``?before=``."""
    base = filters.apply(restrict(JobResult.select(), user, "view"))
    query = (
        base.select(JobResult, JobRecord, User)
        .join(JobRecord, JOIN.LEFT_OUTER)
        .switch(JobResult)
        .join(User, JOIN.LEFT_OUTER)
    )
    after, before = _parse_cursor(args.get("after")), _parse_cursor(args.get("before"))
    created, key = JobResult.date_created, JobResult.id
    if before:
        stamp, pk = before
        query = query.where((created > stamp) | ((created == stamp) & (key > pk)))
        rows = list(query.order_by(created.asc(), key.asc()).limit(size + 1))
        more_newer, rows = len(rows) > size, rows[:size][::-1]
        more_older = True
    else:
        if after:
            stamp, pk = after
            query = query.where((created < stamp) | ((created == stamp) & (key < pk)))
        rows = list(query.order_by(created.desc(), key.desc()).limit(size + 1))
        more_older, rows = len(rows) > size, rows[:size]
        more_newer = after is not None
    base_args = filters.args()
    prev_args = urlencode({**base_args, "before": _cursor(rows[0])}) if rows and more_newer else None
    next_args = urlencode({**base_args, "after": _cursor(rows[-1])}) if rows and more_older else None
    return ResultPage(rows, prev_args, next_args)
