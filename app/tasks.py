"""Thin Huey tasks. They take ids, reload rows, and hand the work to the execution package.

The same functions are registered on every queue's Huey instance (``register``), so a task's name
is identical whichever queue carries it.
"""

from __future__ import annotations

from app.execution import supervisor
from app.execution.recorder import RunRecorder
from app.execution.sealing import SealError
from app.execution.sealing import unseal

__all__ = ["TASKS", "register", "run_job", "sync_git_repository"]


def run_job(result_id: str, message: dict) -> None:
    """Open the queued inputs and run one JobResult's job in a supervised child process."""
    try:
        payload = unseal(result_id, message)
    except SealError as exc:
        # ERRORED with the sentence (never the ciphertext), and its uploads deleted as after any run.
        RunRecorder(result_id, drop_inputs=True).settle(str(exc))
        return
    supervisor.supervise(result_id, payload)


def sync_git_repository(result_id: str) -> None:
    """Sync the Git repository a result stands for, in a process of its own (``app.git.sync``)."""
    from app.git.sync import run_sync_in_child

    run_sync_in_child(result_id)


TASKS = (run_job, sync_git_repository)


def register(huey) -> dict:
    """Register Jobdeck's tasks on ``huey``; return ``{name: task wrapper}``."""
    return {task.__name__: huey.task(name=task.__name__)(task) for task in TASKS}
