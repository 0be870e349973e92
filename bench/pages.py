"""Server time of the three busiest pages on a large SQLite database.

    python bench/pages.py [--repeat 20] [--keep DIR]

Fills a fresh database with 500 jobs, 100,000 results and one result with 100,000 log lines (bulk
inserts), then times the job list, the result list and that result's page through the Flask test
client, first as a superuser, then as ``operator``, who may view and run the jobs of 10 of the 25
groupings and view only their results (the permission filters a real team's users go through): the
median of ``--repeat`` requests each, after two warm-ups.
Nautobot's figures (from /work/shared/reference/nautobot-measured.md) are printed beside ours.
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app import create_app  # noqa: E402
from app import db  # noqa: E402
from app.catalog import sync_jobs  # noqa: E402
from app.config import configure  # noqa: E402
from app.config import from_environment  # noqa: E402
from app.models import JobLogEntry  # noqa: E402
from app.models import JobRecord  # noqa: E402
from app.models import JobResult  # noqa: E402
from app.models import ObjectPermission  # noqa: E402
from app.models import PermissionUser  # noqa: E402
from app.models import User  # noqa: E402

JOBS, RESULTS, LOG_LINES = 500, 100_000, 100_000
TARGET_MS = 150.0
STATUSES = ["SUCCESS"] * 8 + ["FAILURE", "ERRORED"]
LEVELS = ["info"] * 6 + ["debug", "success", "warning", "failure"]
# Nautobot 2.4.44, same kind of machine (median ms, UI pages where measured).
NAUTOBOT = {
    "job list": (None, "not measured"),
    "result list": (122.0, "API GET /api/extras/job-results/ (50 per page)"),
    "result page": (100.0, "UI result page without its logs; + 134 ms for the ajax log table"),
}


def chunks(rows, size):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert(model, rows, size=2000):
    with db.database.atomic():
        for part in chunks(rows, size):
            model.insert_many(part).execute()


def fill(user) -> JobResult:
    rng = random.Random(1)
    start = datetime.datetime(2025, 1, 1)
    jobs = [
        {
            "id": uuid.uuid4(),
            "source": "local",
            "module_name": f"bench_module_{n // 5}",
            "job_class_name": f"Job{n}",
            "class_path": f"bench_module_{n // 5}.Job{n}",
            "grouping": f"Group {n % 25:02d}",
            "name": f"Bench job {n}",
            "description": f"Checks **thing {n}** on the [fleet](https://example.com/{n}).\n\nMore detail.",
            "enabled": n % 2 == 0,
            "installed": True,
            "has_sensitive_variables": False,
            "task_queues": [],
        }
        for n in range(JOBS)
    ]
    insert(JobRecord, jobs, 500)
    job_ids = [job["id"] for job in jobs]
    results = []
    for n in range(RESULTS):
        created = start + datetime.timedelta(seconds=n * 30)
        results.append(
            {
                "id": uuid.uuid4(),
                "job_record": rng.choice(job_ids),
                "name": f"Bench job {n % JOBS}",
                "task_name": "bench",
                "user": user.id,
                "status": rng.choice(STATUSES),
                "date_created": created,
                "date_started": created,
                "date_done": created + datetime.timedelta(seconds=rng.uniform(0.1, 9)),
                "task_kwargs": {"n": n},
                "options": {},
                "queue": "default",
                "log_count": 10,
            }
        )
    insert(JobResult, results)
    big = JobResult.get_by_id(results[-1]["id"])
    big.log_count = LOG_LINES
    big.save()
    lines = [
        {
            "job_result": big.id,
            "created": start,
            "log_level": rng.choice(LEVELS),
            "grouping": f"step {n % 7}",
            "message": f"Processed `device-{n}` in **{n % 97} ms**",
            "log_object": f"device-{n}" if n % 3 == 0 else "",
        }
        for n in range(LOG_LINES)
    ]
    insert(JobLogEntry, lines, 3000)
    return big


def measure(client, url: str, repeat: int) -> float:
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="jobdeck-bench-pages-"))
    folder.mkdir(parents=True, exist_ok=True)
    config = configure(
        from_environment(
            environ={},
            database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
            queue_url=f"sqlite:///{folder / 'q.sqlite3'}",
            jobs_root=REPO / "jobs_root",
            secret_key="bench",
        )
    )
    db.bind(config.database_url)
    db.migrate()
    sync_jobs(config.jobs_root)
    user = User.get_or_none(User.username == "admin") or User(username="admin", is_superuser=True)
    user.set_password("password")
    user.save()
    began = time.perf_counter()
    big = (
        fill(user)
        if JobResult.select().count() < RESULTS
        else JobResult.get(JobResult.log_count == LOG_LINES)
    )
    print(
        f"filled {folder} in {time.perf_counter() - began:.1f} s: {JobRecord.select().count()} jobs, "
        f"{JobResult.select().count()} results, {big.log_count} log lines on {big.id}"
    )

    operator_user()
    db.database.close()
    app = create_app(config)
    pages = {"job list": "/jobs/", "result list": "/results/", "result page": f"/results/{big.id}/"}
    failed = False
    for username, who in (("admin", "a superuser"), ("operator", "a user with constrained permissions")):
        client = logged_in(app, username)
        ours_title = f"Jobdeck (median of {args.repeat})"
        print(f"\nas {who}\n{'page':<14}{ours_title:>28}{'Nautobot 2.4':>16}   target {TARGET_MS:.0f} ms")
        for label, url in pages.items():
            ours = measure(client, url, args.repeat)
            theirs, note = NAUTOBOT[label]
            verdict = "ok" if ours < TARGET_MS else "OVER TARGET"
            failed |= ours >= TARGET_MS
            theirs_text = f"{theirs:.0f} ms" if theirs else "—"
            print(f"{label:<14}{ours:>25.1f} ms{theirs_text:>16}   {verdict}  ({note})")
    return 1 if failed else 0


def operator_user() -> None:
    """``operator``: views and runs the jobs of 10 of the 25 groupings, and views their results only."""
    if User.get_or_none(User.username == "operator"):
        return
    user = User(username="operator")
    user.set_password("password")
    user.save()
    groupings = [f"Group {n:02d}" for n in range(10)] + ["Examples"]
    for object_types, actions, constraints in (
        (["extras.job"], ["view", "run"], {"grouping__in": groupings}),
        (["extras.jobresult"], ["view"], {"job_record__grouping__in": groupings}),
    ):
        permission = ObjectPermission.create(name=f"operator {object_types[0]}", object_types=object_types,
                                             actions=actions, constraints=constraints)
        PermissionUser.create(permission=permission, user=user)


def logged_in(app, username: str):
    client = app.test_client()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    answer = client.post("/login", data={"username": username, "password": "password", "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


if __name__ == "__main__":
    sys.exit(main())
