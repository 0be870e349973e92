"""The forked job process: run one job, report it on the pipe, leave with ``os._exit``.

It inherits from its supervisor everything the run needs (the result with its job record and user,
the inputs, the uploaded files), so it runs a job without a query of its own: the database it is
given connects only if the job's code queries (ObjectVar inputs, the job's own models). Every log
line, file and the outcome go to its supervisor through a ``PipeSink``.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

from app import db
from app.exceptions import SoftTimeLimitExceeded
from app.execution import runner
from app.execution.events import PipeSink
from app.execution.process_tree import detach_job_process

__all__ = ["SOFT_LIMIT_SIGNAL", "run_child"]

SOFT_LIMIT_SIGNAL = signal.SIGUSR1


def run_child(result, payload: dict, input_files: dict, soft: float, fd: int, database, parent: int) -> None:
    """Run ``result``'s job, writing to ``fd``; never returns (nothing may unwind into the Huey loop).

    ``parent`` is the supervising process's pid: this process leads its own session and dies with it.
    """
    code = 1
    try:
        detach_job_process(parent)
        sink = PipeSink(fd, result)
        _handle_signals(sink, soft)
        db.adopt_after_fork(database)
        runner.run(result, payload, sink, input_files=input_files)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - nothing may unwind into the Huey loop copied into this child
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _handle_signals(sink: PipeSink, soft: float) -> None:
    def soft_limit(signum, frame):
        signal.signal(SOFT_LIMIT_SIGNAL, signal.SIG_IGN)
        if not _in_job_code(frame):
            # Raised in the runner's own bookkeeping it would turn a finished run into a crash; the
            # hard limit still applies.
            return
        exc = SoftTimeLimitExceeded(f"soft time limit ({soft:g}s) exceeded")
        if not sink.interruptible:
            sink.deferred = exc  # raised once the message being written is whole
            return
        raise exc

    signal.signal(SOFT_LIMIT_SIGNAL, soft_limit)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # SIGINT stays ignored as in the Huey worker: Ctrl-C asks for a graceful stop, so jobs finish.


def _in_job_code(frame) -> bool:
    """Whether the lifecycle (the job's own methods) is on the stack."""
    lifecycle = getattr(runner, "_lifecycle", None)
    if lifecycle is None:
        return True
    while frame is not None:
        if frame.f_code is lifecycle.__code__:
            return True
        frame = frame.f_back
    return False
