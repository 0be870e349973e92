"""A real Jobdeck server for browser and client tests: ``live_server``.

``live_server`` (function-scoped) gives each test fresh data: a migrated SQLite database in
``tmp_path``, a jobs root holding the example jobs plus ``tests/fixtures/jobs_root/web_*.py``
(synced, all disabled), a superuser ``admin`` / ``password``, ``create_app(config)`` served by
werkzeug (threaded) on a free port of 127.0.0.1 in a background thread, and a real worker process
listening on the default queue. It yields a ``LiveServer``:

    def test_something(live_server):
        live_server.url                      # "http://127.0.0.1:PORT"
        live_server.config                   # the app.config.Config it serves
        live_server.enable("hello_jobs.HelloJobs")     # -> JobRecord
        key = live_server.token()            # an API token key for admin (Authorization: Token <key>)
        live_server.login(page)              # log a Playwright page in (admin by default)
        session = live_server.session()      # a requests.Session logged in through /login
        live_server.wait_for_result(result_id, timeout=20)   # -> the finished JobResult

Tests run in the main thread with the same database, so they may create or read rows directly.
``web_app`` and ``web_client`` are the Flask test-client equivalents (no server, no worker).
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import FIXTURE_JOBS
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.factories import CSRF_VALUE

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "password"
WEB_FIXTURE_JOBS = "web_*.py"


def _web_config(tmp_path: Path, **overrides):
    config = make_config(tmp_path, **overrides)
    for path in FIXTURE_JOBS.glob(WEB_FIXTURE_JOBS):
        shutil.copy(path, config.jobs_root / path.name)
    setup_database(config)
    return config


def create_user(username: str, password: str = ADMIN_PASSWORD, *, superuser: bool = False, **fields):
    from app.models import User

    user = User(username=username, is_superuser=superuser, is_staff=superuser, **fields)
    user.set_password(password)
    user.save()
    return user


@dataclasses.dataclass
class LiveServer:
    url: str
    config: object
    app: object
    admin: object

    def enable(self, class_path: str):
        from tests.conftest import enable

        return enable(class_path)

    def token(self, username: str = ADMIN_USERNAME) -> str:
        from app.models import Token
        from app.models import User

        _token, key = Token.issue(User.get(User.username == username), description="tests")
        return key

    def login(self, page, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD) -> None:
        page.goto(f"{self.url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.url}/")

    def session(self, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD):
        import requests

        session = requests.Session()
        token = CSRF_VALUE.search(session.get(f"{self.url}/login").text).group(1)
        response = session.post(
            f"{self.url}/login",
            allow_redirects=False,
            data={"username": username, "password": password, "csrf_token": token},
        )
        assert response.status_code == 302, response.text
        return session

    def wait_for_result(self, result_id, timeout: float = 20.0):
        from tests.support.worker import wait_for_result

        return wait_for_result(result_id, timeout)


class _ServerThread(threading.Thread):
    def __init__(self, app):
        super().__init__(daemon=True, name="live-server")
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port

    def run(self):
        self.server.serve_forever(poll_interval=0.1)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=5)


@pytest.fixture
def live_server(tmp_path, request):
    from app import create_app
    from app import db

    config = _web_config(tmp_path)
    admin = create_user(ADMIN_USERNAME, superuser=True)
    app = create_app(config)
    request.getfixturevalue("worker")  # tests/support/worker.py: a real worker on this config
    thread = _ServerThread(app)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{thread.port}", config=config, app=app, admin=admin)
    finally:
        thread.stop()
        db.database.close()


@pytest.fixture
def web_app(tmp_path):
    """create_app() on fresh data (example jobs + web fixture jobs), CSRF on, for the test client."""
    from app import create_app
    from app import db

    config = _web_config(tmp_path)
    app = create_app(config)
    app.config.update(TESTING=True)
    yield app
    db.database.close()


@pytest.fixture
def web_client(web_app):
    """A test client logged in as a fresh superuser ``admin`` (helpers: tests/factories.py)."""
    from tests.factories import client_login

    create_user(ADMIN_USERNAME, superuser=True)
    return client_login(web_app.test_client(), ADMIN_USERNAME, ADMIN_PASSWORD)
