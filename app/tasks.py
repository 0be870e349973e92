"""Thin Huey tasks. They take ids, reload rows, and hand the work to the execution package.

The same functions are registered on every queue's Huey instance (``register``), so a task's name
is identical whichever queue carries it.
"""

from __future__ import annotations

from app.execution import supervisor

__all__ = ["TASKS", "register", "run_job"]


def run_job(result_id: str, payload: dict) -> None:
    """Run one JobResult's job in a supervised child process."""
    supervisor.supervise(result_id, payload)


TASKS = (run_job,)


def register(huey) -> dict:
    """Register Jobdeck's tasks on ``huey``; return ``{name: task wrapper}``."""
    return {task.__name__: huey.task(name=task.__name__)(task) for task in TASKS}
