"""What the benchmarks share: a throwaway Jobdeck (database, queue, jobs root) and a real worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NAUTOBOT = REPO.parent / "shared" / "reference" / "nautobot-measured.md"


class Deck:
    """A temporary Jobdeck with the given job modules ({module name: source}), migrated and synced."""

    def __init__(self, jobs: dict[str, str]):
        self.tmp = tempfile.TemporaryDirectory(prefix="jobdeck-bench-")
        self.root = Path(self.tmp.name)
        jobs_root = self.root / "jobs_root"
        jobs_root.mkdir()
        (jobs_root / "__init__.py").write_text("")
        for name, source in jobs.items():
            (jobs_root / f"{name}.py").write_text(textwrap.dedent(source))
        self.env = {
            "JOBDECK_DATABASE_URL": f"sqlite:///{self.root / 'jobdeck.sqlite3'}",
            "JOBDECK_QUEUE_URL": f"sqlite:///{self.root / 'queue.sqlite3'}",
            "JOBDECK_JOBS_ROOT": str(jobs_root),
            "JOBDECK_GIT_ROOT": str(self.root / "git_repos"),
            "JOBDECK_SECRET_KEY": "bench",
        }
        os.environ.update(self.env)
        from app import db
        from app.catalog import sync_jobs
        from app.config import configure
        from app.config import from_environment

        self.config = configure(from_environment())
        db.bind(self.config.database_url)
        db.migrate()
        sync_jobs(self.config.jobs_root)
        self.worker = None

    def enable(self, class_path: str):
        from app.models import JobRecord

        record = JobRecord.get_for_class_path(class_path)
        record.enabled = True
        record.save()
        return record

    def start_worker(self, workers: int = 2) -> subprocess.Popen:
        from app.models import WorkerHeartbeat

        code = f"from app.worker import run_worker; run_worker(None, {workers})"
        with open(self.root / "worker.log", "a") as log:
            self.worker = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True,
                                           env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 30
        while not WorkerHeartbeat.select().where(WorkerHeartbeat.pid == self.worker.pid).exists():
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start:\n{(self.root / 'worker.log').read_text()}")
            time.sleep(0.02)
        time.sleep(0.3)  # let the worker processes start polling
        self.startup_cpu = process_cpu(self.worker.pid)
        return self.worker

    def stop_worker(self) -> float:
        """Stop the worker (Ctrl-C); return the CPU seconds its whole process tree used after start-up."""
        if self.worker is None or self.worker.poll() is not None:
            return 0.0
        before = os.times()
        self.worker.send_signal(signal.SIGINT)
        try:
            self.worker.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        after = os.times()
        self.worker = None
        used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        return used - self.startup_cpu

    def close(self) -> None:
        self.stop_worker()
        self.tmp.cleanup()


def wait_until_finished(result_ids, timeout: float = 300.0) -> None:
    from app.jobs.choices import JobResultStatusChoices as Status
    from app.models import JobResult

    deadline = time.monotonic() + timeout
    ids = [str(result_id) for result_id in result_ids]
    while True:
        left = JobResult.select().where(JobResult.id.in_(ids) & JobResult.status.in_(list(Status.RUNNING))).count()
        if not left:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{left} run(s) still unfinished after {timeout} s")
        time.sleep(0.05)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by one process itself."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine() -> str:
    return f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, {sys.platform}"
