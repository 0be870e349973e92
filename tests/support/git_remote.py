"""Real Git remotes in temporary folders for tests and benches (``file://`` URLs, the git CLI)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["Remote", "job_file"]

_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Tester", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def job_file(class_name: str, version: str = "1", *, sleep: float = 0.0) -> str:
    """A 1.x-layout job file: one job that logs and returns ``version`` (after ``sleep`` seconds)."""
    return f'''import time

from app.jobs import Job, register_jobs


class {class_name}(Job):
    class Meta:
        name = "{class_name}"
        has_sensitive_variables = False

    def run(self):
        self.logger.info("{class_name} version {version} starting")
        time.sleep({sleep})
        self.logger.info("{class_name} version {version} done")
        return "{version}"


register_jobs({class_name})
'''


class Remote:
    """A working repository acting as the remote: ``commit({"jobs/a.py": text, "jobs/b.py": None})``."""

    def __init__(self, path: Path, branch: str = "main"):
        self.path = Path(path)
        self.path.mkdir(parents=True)
        self.git("init", "-q", "-b", branch)

    @property
    def url(self) -> str:
        return f"file://{self.path}"

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.path, env=_ENV, check=True, capture_output=True,
                              text=True).stdout.strip()

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        """Write (or, for None, delete) files and commit them; return the new commit id."""
        for name, text in files.items():
            path = self.path / name
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")
