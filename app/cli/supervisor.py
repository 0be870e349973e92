"""The processes behind ``jobdeck serve``: a gunicorn web server and a job worker, supervised.

Each child gets its own session, so a Ctrl-C in the terminal reaches only the supervisor, which
decides how each child is asked to stop and waits for it. Each child also stops by itself when the
supervisor disappears, so even a SIGKILLed ``serve`` leaves nothing behind.

A job worker that stops unexpectedly is restarted after a back-off (1, 2, 4 ... s, at most
``RESTART_DELAY_MAX``), its leftover processes killed first. After ``max_crashes`` crashes within
``CRASH_WINDOW`` seconds the supervisor gives up on it and keeps the web server running; the web
processes show the state (``app.supervision``). The supervisor is a child subreaper: whatever a
dead worker's jobs left behind is re-parented to it and killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from gunicorn.app.base import BaseApplication

from app.cli.worker import watch_parent
from app.execution.process_tree import become_subreaper
from app.execution.process_tree import reap_leftovers
from app.supervision import SupervisionBoard

STOP_GRACE = 30.0
MAX_CRASHES = 5  # crashes of the job worker within CRASH_WINDOW after which serve stops restarting it
CRASH_WINDOW = 60.0
RESTART_DELAY_MAX = 30.0
LEFTOVER_CHECK_INTERVAL = 1.0
WEB_THREADS = 4  # gthread: the result page's log polling must not starve other requests


class WebServer(BaseApplication):
    """gunicorn serving an already built Flask app from an already listening socket."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def web_options(sock, web_workers: int, database_url: str, when_ready) -> dict:
    def post_fork(server, worker):
        from app import db

        db.bind(database_url)  # a fresh Database object: never share the parent's SQLite handle

    return {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": web_workers,
        "worker_class": "gthread",
        "threads": WEB_THREADS,
        "timeout": 60,
        "graceful_timeout": 10,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "jobdeck-web",
        "control_socket_disable": True,  # recent gunicorn: else every serve shares one socket path
        "when_ready": lambda server: when_ready(),
        "post_fork": post_fork,
    }


class Supervisor:
    """Starts the children, then stops them in stages: gracefully, at once, killed.

    Each stage lasts until its children have exited or its time is up; a further Ctrl-C skips ahead.
    """

    # (name, graceful signal, immediate signal): gunicorn finishes requests on SIGTERM and quits on
    # SIGQUIT; the worker lets running jobs finish on SIGINT and kills them (recorded ERRORED) on SIGTERM.
    WEB = ("web server", signal.SIGTERM, signal.SIGQUIT)
    WORKER = ("job worker", signal.SIGINT, signal.SIGTERM)
    STAGES = ((STOP_GRACE, "Stopping Jobdeck; running jobs may finish (Ctrl-C again to stop them now)…"),
              (10.0, "Stopping now; running jobs are stopped and recorded ERRORED…"),
              (None, "Killing what is left."))

    def __init__(self, max_crashes: int = MAX_CRASHES, board: SupervisionBoard | None = None):
        self.children: dict[int, tuple[str, int, int]] = {}
        self.popens: dict[int, subprocess.Popen] = {}
        self.stage = 0
        self.deadline = None
        self.exit_code = 0
        self.max_crashes = max_crashes
        self.board = board or SupervisionBoard()
        self.worker_processes: int | None = None  # --workers, once a worker was started
        self.crashes: list[float] = []
        self.restart_at: float | None = None
        self.next_leftover_check = 0.0
        become_subreaper()

    @property
    def stopping(self) -> bool:
        return self.stage > 0

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum, frame):
        self.advance()

    def start_worker(self, workers: int) -> int:
        self.worker_processes = workers
        package_parent = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "app.cli", "worker", "--workers", str(workers), "--exit-with-parent"]
        process = subprocess.Popen(command, env=env, start_new_session=True)
        self.children[process.pid] = self.WORKER
        self.popens[process.pid] = process
        self.board.write("running", f"The job worker (pid {process.pid}) is running.")
        return process.pid

    def start_web(self, server: WebServer) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            _run_web_child(server, parent)
        self.children[pid] = self.WEB
        return pid

    def advance(self) -> None:
        """Move to the next stage of stopping and signal every child still running."""
        if self.stage >= len(self.STAGES):
            return
        grace, message = self.STAGES[self.stage]
        self.stage += 1
        self.restart_at = None
        _say(("\n" if self.stage == 1 else "") + message)
        self.deadline = None if grace is None else time.monotonic() + grace
        for pid, (_name, graceful, immediate) in list(self.children.items()):
            if self.stage == 1:
                _signal(pid, graceful)
            elif self.stage == 2:
                _signal(pid, immediate)
            else:
                try:
                    os.killpg(pid, signal.SIGKILL)  # each child leads its own group: its children too
                except (ProcessLookupError, PermissionError):
                    _signal(pid, signal.SIGKILL)

    def wait(self) -> int:
        """Wait until every child has exited; return the exit status for ``serve``."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self._exited(pid, os.waitstatus_to_exitcode(status))
                continue
            now = time.monotonic()
            if self.restart_at is not None and now >= self.restart_at and not self.stopping:
                self.restart_at = None
                pid = self.start_worker(self.worker_processes)
                _say(f"jobdeck: the job worker was restarted (pid {pid}).")
            if now >= self.next_leftover_check:
                self.next_leftover_check = now + LEFTOVER_CHECK_INTERVAL
                reap_leftovers(keep=self.children, timeout=1.0)
            if self.deadline is not None and time.monotonic() > self.deadline:
                names = " and ".join(name for name, _, _ in self.children.values())
                _say(f"The {names} did not stop in time.")
                self.advance()
            time.sleep(0.1)
        return self.exit_code

    def _exited(self, pid: int, code: int) -> None:
        child = self.children.pop(pid, None)
        if pid in self.popens:
            self.popens.pop(pid).returncode = code  # reaped here, not through Popen
        if child is None or self.stopping:
            return
        if child is self.WORKER:
            self._worker_crashed(pid, code)
            return
        _say(f"jobdeck: the {child[0]} stopped unexpectedly (exit status {code}); stopping Jobdeck.")
        self.exit_code = 1
        self.advance()

    def _worker_crashed(self, pid: int, code: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)  # its worker processes, headless now: their jobs die with them
        except (ProcessLookupError, PermissionError):
            pass
        now = time.monotonic()
        self.crashes = [moment for moment in self.crashes if now - moment < CRASH_WINDOW] + [now]
        count = len(self.crashes)
        if count >= self.max_crashes:
            self.exit_code = 1
            detail = (f"The job worker stopped unexpectedly {count} times within {CRASH_WINDOW:g} s (last exit "
                      f"status {code}); Jobdeck stopped restarting it, so no job runs until `jobdeck serve` is "
                      "restarted. Its output above says why.")
            self.board.write("gave-up", detail)
            _say(f"jobdeck: {detail} The web server keeps running.")
            return
        delay = min(2.0 ** (count - 1), RESTART_DELAY_MAX)
        detail = (f"The job worker stopped unexpectedly (exit status {code}); restarting it in {delay:g} s "
                  f"(crash {count} of at most {self.max_crashes - 1} within {CRASH_WINDOW:g} s).")
        self.board.write("restarting", detail)
        _say(f"jobdeck: {detail}")
        self.restart_at = now + delay


def _run_web_child(server: WebServer, parent: int) -> None:  # pragma: no cover - runs in the child
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        watch_parent(parent)
        server.run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never unwind into the supervisor's frames


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except RuntimeError:  # a signal arrived while the main thread was writing to stderr
        pass
