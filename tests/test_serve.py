"""``jobdeck serve`` as a newcomer runs it: a real process tree in a fresh working directory."""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from app import db
from app.cli import serve as serve_command
from app.models import User
from app.models import WorkerHeartbeat
from tests.conftest import EXAMPLE_JOBS
from tests.conftest import REPO

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """``python -m app.cli serve`` in its own working directory, its output collected as it comes."""

    def __init__(self, workdir, *args, env=None):
        self.workdir = workdir
        self.port = free_port()
        clean = {key: value for key, value in os.environ.items() if not key.startswith("JOBDECK_")}
        self.env = {**clean, "PYTHONPATH": str(REPO), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port), "--web-workers", "1",
             "--workers", "1", *args],
            cwd=workdir, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    def _read(self, stream, sink):
        for line in stream:
            sink.append(line)
            self._lines.put(line)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def wait_for_output(self, pattern: str, timeout: float = STARTUP_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, "".join(self.out), re.M)
            if match:
                return match
            assert self.process.poll() is None, f"serve exited early:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()}"
            time.sleep(0.05)

    def wait_for_http(self, path: str, timeout: float = STARTUP_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code
            except OSError:
                assert self.process.poll() is None, f"serve exited early:\n{self.output()}"
                assert time.monotonic() < deadline, f"{self.url}{path} never answered:\n{self.output()}"
                time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()  # its children notice and stop by themselves
        self.process.wait(timeout=30)


@pytest.fixture
def workdir(tmp_path):
    """A fresh working directory holding only the example jobs: the defaults put everything here."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE_JOBS, work / "jobs_root", ignore=shutil.ignore_patterns("__pycache__"))
    yield work
    db.database.close()


@pytest.fixture
def started(workdir):
    servers = []

    def start(*args, env=None) -> Serve:
        server = Serve(workdir, *args, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc (no psutil)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def settled_descendants(pid: int, quiet: float = 1.0, timeout: float = 15.0) -> set[int]:
    """The process tree once no process has come or gone for ``quiet`` seconds."""
    tree, since, deadline = descendants(pid), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        current = descendants(pid)
        if current != tree:
            tree, since = current, time.monotonic()
    return tree


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # an exited child nobody has reaped yet is not running
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until_gone(pids, timeout=30.0) -> set[int]:
    """The pids still running after ``timeout``; those are then killed so a failure leaves no strays."""
    deadline = time.monotonic() + timeout
    left = {pid for pid in pids if alive(pid)}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {pid for pid in left if alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def worker_pids(workdir, timeout=STARTUP_TIMEOUT) -> set[int]:
    db.bind(f"sqlite:///{workdir / 'jobdeck.sqlite3'}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = {beat.pid for beat in WorkerHeartbeat.select()}
        if pids:
            return pids
        time.sleep(0.1)
    raise AssertionError("no worker heartbeat was recorded")


def test_serve_creates_admin_serves_the_app_and_stops_every_process_on_ctrl_c(workdir, started):
    server = started()
    password = server.wait_for_output(r"^\|\s+Password:\s+(\S+)\s+\|$").group(1)
    assert server.wait_for_http("/login") == 200
    banner = "".join(server.out)
    assert f"Jobdeck is running at http://127.0.0.1:{server.port}/" in banner
    assert f"Database:      {workdir / 'jobdeck.sqlite3'} (new: created now;" in banner
    assert f"Queue:         {workdir / 'jobdeck-queue.sqlite3'}" in banner
    assert f"Jobs root:     {workdir / 'jobs_root'} (" in banner
    assert f"Change it after logging in at http://127.0.0.1:{server.port}/profile/password/" in banner

    db.bind(f"sqlite:///{workdir / 'jobdeck.sqlite3'}")
    admin = User.get(User.username == "admin")
    assert admin.is_superuser and admin.check_password(password)
    assert admin.password_hash != password

    workers = worker_pids(workdir)
    jobdeck = [sys.executable, "-m", "app.cli"]
    subprocess.run([*jobdeck, "jobs", "enable", "hello_jobs.HelloJobs"], cwd=workdir, env=server.env,
                   check=True, capture_output=True)
    ran = subprocess.run([*jobdeck, "runjob", "--timeout", "30", "hello_jobs.HelloJobs"], cwd=workdir,
                         env=server.env, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr  # serve's own worker ran it
    assert "Hello, world! (1)" in ran.stdout

    tree = settled_descendants(server.process.pid)
    assert server.process.poll() is None, server.output()
    assert workers <= tree
    assert len(tree - workers) >= 2  # and the gunicorn master with its worker

    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=60) == 0, server.output()
    assert wait_until_gone(tree | workers, timeout=5) == set()
    assert "did not stop in time" not in server.output()
    assert "Traceback" not in server.output()


def test_serve_keeps_existing_users_and_uses_the_configured_password(workdir, started):
    server = started("--no-worker", env={"JOBDECK_ADMIN_PASSWORD": "let-me-in"})
    server.wait_for_output(r"Password:\s+the value of JOBDECK_ADMIN_PASSWORD")
    server.wait_for_output(r"Change it after logging in at http://127\.0\.0\.1:\d+/profile/password/")
    assert "let-me-in" not in server.output()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0, server.output()

    db.bind(f"sqlite:///{workdir / 'jobdeck.sqlite3'}")
    assert User.get(User.username == "admin").check_password("let-me-in")

    again = started("--no-worker")
    again.wait_for_output(r"Log in with an existing account")
    assert re.search(r"Database:\s+\S+jobdeck.sqlite3\n", "".join(again.out))  # not new this time
    assert User.select().count() == 1
    again.process.send_signal(signal.SIGINT)
    assert again.process.wait(timeout=60) == 0


def test_children_stop_by_themselves_when_serve_is_killed(workdir, started):
    server = started()
    server.wait_for_http("/login")
    tree = worker_pids(workdir) | settled_descendants(server.process.pid)

    server.process.kill()
    server.process.wait(timeout=10)
    assert wait_until_gone(tree, timeout=30) == set()


def test_serve_on_a_busy_port_says_so_at_once(workdir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        clean = {key: value for key, value in os.environ.items() if not key.startswith("JOBDECK_")}
        started_at = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=workdir,
                              env={**clean, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                              timeout=60, check=False)
    assert done.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started_at < 10
    assert not (workdir / "jobdeck.sqlite3").exists()  # nothing was started or created


def test_banner_and_urls():
    assert serve_command.public_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert serve_command.public_url("::1", 8080) == "http://[::1]:8080/"


def test_ensure_admin_only_when_there_is_no_user(tmp_path, monkeypatch, capsys):
    db.bind(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db.migrate()
    monkeypatch.delenv("JOBDECK_ADMIN_PASSWORD", raising=False)

    login = serve_command.ensure_admin()
    password = login[1].split()[-1]
    assert User.get(User.username == "admin").check_password(password)
    serve_command.print_banner({"url": "http://x/", "listening": "x", "login": login, "database": "d",
                                "queue": "q", "jobs": "j", "workers": "w", "web": "s"})
    assert f"|  Password:  {password}" in capsys.readouterr().out

    assert serve_command.ensure_admin()[0].startswith("Log in with an existing account")
    assert User.select().count() == 1
    db.database.close()


# -- a crashed job worker ---------------------------------------------------------------------------


def new_worker_pid(workdir, old: set[int], timeout=STARTUP_TIMEOUT) -> int:
    """The pid of a worker heartbeat other than ``old`` (serve's restarted worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = {beat.pid for beat in WorkerHeartbeat.select()} - old
        if pids:
            return pids.pop()
        time.sleep(0.1)
    raise AssertionError("no new worker heartbeat was recorded")


def api_status(server, key: str) -> dict:
    request = urllib.request.Request(server.url + "/api/status/", headers={"Authorization": f"Token {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def token_for_admin(server, workdir) -> str:
    made = subprocess.run([sys.executable, "-m", "app.cli", "token", "create", "--username", "admin"], cwd=workdir,
                          env=server.env, capture_output=True, text=True, check=True)
    return made.stdout.split()[0]


def home_page(server, password: str) -> str:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = opener.open(server.url + "/login", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "username": "admin", "password": password}).encode()
    return opener.open(server.url + "/login", data=form, timeout=10).read().decode()


def test_serve_restarts_a_killed_worker_which_runs_the_next_job(workdir, started):
    server = started()
    server.wait_for_http("/login")
    first = worker_pids(workdir)
    (worker,) = first
    old_tree = descendants(worker) | {worker}
    assert worker in descendants(server.process.pid)

    os.kill(worker, signal.SIGKILL)
    restarted = new_worker_pid(workdir, first)
    assert "The job worker stopped unexpectedly (exit status -9); restarting it in 1 s" in "".join(server.err)
    assert server.process.poll() is None
    assert wait_until_gone(old_tree, timeout=5) == set()  # the dead worker's processes went with it
    assert api_status(server, token_for_admin(server, workdir))["worker-supervision"] == {
        "state": "running", "detail": f"The job worker (pid {restarted}) is running."}

    jobdeck = [sys.executable, "-m", "app.cli"]
    subprocess.run([*jobdeck, "jobs", "enable", "hello_jobs.HelloJobs"], cwd=workdir, env=server.env,
                   check=True, capture_output=True)
    ran = subprocess.run([*jobdeck, "runjob", "--timeout", "30", "hello_jobs.HelloJobs"], cwd=workdir,
                         env=server.env, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr + server.output()

    tree = settled_descendants(server.process.pid)
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=60) == 0, server.output()
    assert wait_until_gone(tree, timeout=5) == set()


def test_serve_gives_up_on_a_worker_that_keeps_crashing_and_says_so(workdir, started):
    server = started("--max-worker-crashes", "2")
    password = server.wait_for_output(r"^\|\s+Password:\s+(\S+)\s+\|$").group(1)
    server.wait_for_http("/login")
    seen = worker_pids(workdir)
    os.kill(next(iter(seen)), signal.SIGKILL)
    second = new_worker_pid(workdir, seen)
    os.kill(second, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while "Jobdeck stopped restarting it" not in "".join(server.err):
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    assert server.process.poll() is None  # the web UI stays up

    supervision = api_status(server, token_for_admin(server, workdir))["worker-supervision"]
    assert supervision["state"] == "gave-up"
    assert supervision["detail"].startswith("The job worker stopped unexpectedly 2 times within 60 s")
    home = home_page(server, password)
    assert 'id="worker-supervision"' in home and "No job worker is running." in home

    tree = settled_descendants(server.process.pid)
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=60) == 1, server.output()  # the worker failed meanwhile
    assert wait_until_gone(tree, timeout=5) == set()


def test_the_supervision_board_is_shared_with_forked_processes():
    from app.supervision import SupervisionBoard

    board = SupervisionBoard()
    assert board.read() is None
    board.write("running", "up")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, as a web process would
        deadline = time.monotonic() + 10
        while board.read() != {"state": "restarting", "detail": "again"} and time.monotonic() < deadline:
            time.sleep(0.01)
        os._exit(0 if board.read() == {"state": "restarting", "detail": "again"} else 1)
    board.write("restarting", "again")  # written after the fork: the child still sees it
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    with pytest.raises(ValueError):
        board.write("sleeping", "no such state")
