"""``jobdeck serve``: migrate, sync, make sure someone can log in, then run the web server and a worker."""

from __future__ import annotations

import errno
import os
import secrets
import socket
import sys

from app.cli.accounts import PASSWORD_VARIABLE
from app.cli.common import CommandError
from app.cli.common import describe_url
from app.cli.common import open_database
from app.cli.common import positive_int
from app.cli.common import sqlite_path

ADMIN_USERNAME = "admin"


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the web application and a job worker until Ctrl-C")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8080,
                        help="port to listen on (default 8080; 0 picks a free one)")
    parser.add_argument("--workers", type=positive_int, default=2, metavar="N",
                        help="job worker processes (default 2)")
    parser.add_argument("--web-workers", type=positive_int, default=2, metavar="N",
                        help="web server processes (default 2)")
    parser.add_argument("--no-worker", action="store_true", help="do not start a job worker")
    parser.add_argument("--max-worker-crashes", type=positive_int, default=None, metavar="N",
                        help="stop restarting a crashed job worker after N crashes within 60 s (default 5)")
    parser.set_defaults(handler=serve)


def serve(args) -> int:
    from app.cli.supervisor import MAX_CRASHES
    from app.cli.supervisor import Supervisor
    from app.cli.supervisor import WebServer
    from app.cli.supervisor import web_options
    from app.supervision import CONFIG_KEY

    config = open_database()
    sock = listen(args.host, args.port)
    try:
        config, application, facts = prepare(config, args, sock.getsockname()[1])
    except BaseException:
        sock.close()
        raise

    supervisor = Supervisor(max_crashes=args.max_worker_crashes or MAX_CRASHES)
    application.config[CONFIG_KEY] = supervisor.board  # mapped before the web server forks: shared
    supervisor.install_signal_handlers()
    try:
        if args.no_worker:
            supervisor.board.write("none", "Started with --no-worker: run `jobdeck worker` to run jobs.")
        else:
            facts["workers"] = f"{args.workers} process(es), pid {supervisor.start_worker(args.workers)}"
        if not supervisor.stopping:
            options = web_options(sock, args.web_workers, config.database_url, lambda: print_banner(facts))
            supervisor.start_web(WebServer(application, options))
    finally:
        sock.close()  # the web child holds its own copy
    code = supervisor.wait()
    print("Jobdeck stopped." if code == 0 else "Jobdeck stopped after an error.", file=sys.stderr)
    return code


def prepare(config, args, port: int):
    """Migrate, sync, ensure a login and build the app; return (config, app, banner facts)."""
    from app import create_app
    from app import db
    from app.cli.supervisor import WEB_THREADS
    from app.config import configure
    from app.config import ensure_secret_key

    config = configure(ensure_secret_key(config))  # one key for every web process and restart
    database = describe_url(config.database_url)
    queue = describe_url(config.queue_url)
    # Said in the banner, so serving from another folder never quietly makes a second install.
    new_database = sqlite_path(config.database_url) is not None and not os.path.exists(database)
    from app.plugins.migrations import migrate_plugins

    applied = db.migrate() + migrate_plugins()
    if new_database:
        database += " (new: created now; set JOBDECK_DATABASE_URL or start from the install's folder to use another)"
    elif applied:
        database += f" ({len(applied)} migration(s) applied)"
    url = public_url(args.host, port)
    facts = {
        "url": url,
        "listening": f"{args.host}:{port}",
        "database": database,
        "queue": queue,
        "jobs": sync_jobs(config),
        "login": ensure_admin(f"{url}profile/password/"),
        "workers": "none (--no-worker): run `jobdeck worker` to run jobs",
        "web": f"{args.web_workers} process(es) × {WEB_THREADS} threads (gunicorn)",
    }
    application = create_app(config)
    db.database.close()  # the children open their own connections
    return config, application, facts


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, so a busy port is reported at once and before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CommandError(f"Cannot listen on {host!r}: {exc.strerror}.") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"Port {port} on {host} is already in use; stop what uses it or choose another with --port."
            ) from None
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
    return sock


def sync_jobs(config) -> str:
    from app.catalog import sync_jobs as sync
    from app.catalog import sync_plugins
    from app.jobs.loader import JobsRootError
    from app.jobs.loader import local_source

    try:
        local_source(config.jobs_root).check_root()
    except JobsRootError as exc:
        print(f"jobdeck: warning: {exc}; serving without jobs.", file=sys.stderr)
        return f"{config.jobs_root} (missing: no jobs)"
    report = sync(config.jobs_root)
    for plugin_report in sync_plugins():
        for module, message in plugin_report.errors:
            print(f"jobdeck: warning: plugin job module {module} could not be imported: {message}", file=sys.stderr)
    for module, message in report.errors:
        print(f"jobdeck: warning: job module {module} could not be imported: {message}", file=sys.stderr)
    summary = f"{config.jobs_root} ({len(report.load.job_classes)} job(s)"
    if report.created:
        summary += f", {len(report.created)} new and disabled until enabled"
    if report.errors:
        summary += f", {len(report.errors)} module(s) with errors"
    return summary + ")"


def ensure_admin(password_page: str = "/profile/password/") -> list[str]:
    """Create the ``admin`` superuser when there is no user at all; return how to log in."""
    from app.cli.accounts import make_superuser
    from app.models import User

    if User.select().exists():
        return ["Log in with an existing account (add one with `jobdeck createsuperuser`)."]
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        make_superuser(ADMIN_USERNAME, password)
        return [f"Username:  {ADMIN_USERNAME}", f"Password:  the value of {PASSWORD_VARIABLE}",
                f"Change it after logging in at {password_page}"]
    password = secrets.token_urlsafe(12)
    make_superuser(ADMIN_USERNAME, password)
    return [f"Username:  {ADMIN_USERNAME}", f"Password:  {password}", "(shown only this once: note it now)",
            f"Change it after logging in at {password_page}"]


def public_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def print_banner(facts: dict) -> None:
    boxed = [f"Jobdeck is running at {facts['url']}", "", *facts["login"]]
    width = max(len(line) for line in boxed)
    rule = "+" + "-" * (width + 4) + "+"
    lines = [rule, *(f"|  {line.ljust(width)}  |" for line in boxed), rule]
    lines += [
        f"  Listening on:  {facts['listening']}",
        f"  Database:      {facts['database']}",
        f"  Queue:         {facts['queue']}",
        f"  Jobs root:     {facts['jobs']}",
        f"  Job workers:   {facts['workers']}",
        f"  Web server:    {facts['web']}",
        "  Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def port_number(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value
