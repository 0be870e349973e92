"""Sensitive inputs never sit in clear in the queue: SQLite queue file and WAL, Redis, the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.execution import sealing
from app.execution.submit import submit
from app.jobs.choices import JobResultStatusChoices as Status
from tests.conftest import FIXTURE_JOBS
from tests.conftest import REPO
from tests.conftest import enable
from tests.conftest import make_config
from tests.conftest import setup_database
from tests.support.worker import WorkerProcess
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.support.worker import worker_environment
from tests.test_worker import redis_url  # noqa: F401 - the fixture

SECRET_JOB = '''
from app.jobs import Job, StringVar, register_jobs


class SecretToken(Job):
    """Has sensitive variables (the default): its inputs must never be stored."""

    token = StringVar()

    def run(self, *, token):
        self.logger.info("Got a token of %d characters.", len(token))
        return len(token)


register_jobs(SecretToken)
'''


def secret_deck(tmp_path, **overrides):
    """A Jobdeck on tmp_path whose jobs root also holds the SecretToken job, enabled."""
    config = make_config(tmp_path, FIXTURE_JOBS, **overrides)
    (Path(config.jobs_root) / "secret_token.py").write_text(SECRET_JOB)
    setup_database(config)
    return config, enable("secret_token.SecretToken")


def unique_secret() -> str:
    return f"hunter2-{uuid.uuid4().hex}"


def sqlite_files(config) -> list[Path]:
    """The database and queue files with their -wal and -shm companions, those that exist."""
    files = []
    for url in (config.database_url, config.queue_url):
        if not url.startswith("sqlite:///"):
            continue
        path = Path(url.split("sqlite:///", 1)[1])
        files += [candidate for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if candidate.exists()]
    return files


def files_holding(value: str, files) -> list[str]:
    """The names of the files whose bytes contain ``value``.

    Read by a separate ``grep``: opening and closing a SQLite file in this process would drop the
    POSIX locks this process's own connections hold on it.
    """
    if not files:
        return []
    found = subprocess.run(["grep", "-l", "-a", "-F", "-e", value, *map(str, files)], capture_output=True, text=True,
                           check=False)
    assert found.returncode in (0, 1), found.stderr
    return [Path(line).name for line in found.stdout.splitlines()]


def redis_values(url: str) -> list[bytes]:
    """Every value of every key in the Redis database, whatever its type."""
    import redis

    client = redis.Redis.from_url(url)
    values = []
    for key in client.scan_iter():
        kind = client.type(key).decode()
        if kind == "string":
            values.append(client.get(key))
        elif kind == "list":
            values += client.lrange(key, 0, -1)
        elif kind == "hash":
            values += [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "set":
            values += list(client.smembers(key))
        elif kind == "zset":
            values += client.zrange(key, 0, -1)
        else:
            values.append(client.dump(key))
        values.append(key)
    client.close()
    return values


# -- the seal itself --------------------------------------------------------------------------------


def test_a_sealed_payload_opens_only_for_its_result_and_key(fixture_jobs):
    payload = {"data": {"token": "open sesame"}}
    message = sealing.seal("result-1", payload)
    assert b"open sesame" not in message["sealed"]
    assert sealing.unseal("result-1", message) == payload
    with pytest.raises(sealing.SealError, match="could not be decrypted"):
        sealing.unseal("result-2", message)  # moved to another result
    make_config(fixture_jobs.jobs_root.parent, secret_key="another key")
    with pytest.raises(sealing.SealError, match="secret key .* differs"):
        sealing.unseal("result-1", message)
    assert sealing.unseal("result-1", {"data": {"a": 1}}) == {"data": {"a": 1}}  # queued before sealing


# -- real queues, real workers ----------------------------------------------------------------------


def test_sensitive_inputs_never_reach_the_sqlite_queue_or_the_database_in_clear(tmp_path):
    config, record = secret_deck(tmp_path)
    secret = unique_secret()
    result = submit(record, None, {"token": secret})
    # Queued, not yet run: the message is in the queue file or its WAL right now.
    assert files_holding(secret, sqlite_files(config)) == []
    handle = WorkerProcess(config, tmp_path / "worker.log", workers=1).start()
    try:
        finished = wait_for_result(result.id)
    finally:
        handle.close()
    assert finished.status == Status.STATUS_SUCCESS, finished.traceback
    assert finished.result == len(secret) and not finished.task_kwargs
    assert files_holding(secret, sqlite_files(config)) == []


def test_sensitive_inputs_never_reach_redis_in_clear(tmp_path, redis_url):  # noqa: F811
    config, record = secret_deck(tmp_path, queue_url=redis_url)
    secret = unique_secret()
    result = submit(record, None, {"token": secret})
    values = redis_values(redis_url)
    assert values, "the run's message should be waiting in Redis"
    assert not [value for value in values if secret.encode() in value]
    handle = WorkerProcess(config, tmp_path / "worker.log", workers=1).start()
    try:
        finished = wait_for_result(result.id)
    finally:
        handle.close()
    assert finished.status == Status.STATUS_SUCCESS, finished.traceback
    assert not [value for value in redis_values(redis_url) if secret.encode() in value]
    assert files_holding(secret, sqlite_files(config)) == []


def test_a_worker_with_another_secret_key_errors_the_run_with_a_sentence(tmp_path, worker_factory):
    config, record = secret_deck(tmp_path)
    secret = unique_secret()
    worker_factory(workers=1, env={"JOBDECK_SECRET_KEY": "not the web's key"})
    result = wait_for_result(submit(record, None, {"token": secret}).id)
    assert result.status == Status.STATUS_ERRORED
    assert result.traceback.startswith("The run's inputs could not be decrypted")
    assert "JOBDECK_SECRET_KEY" in result.traceback and "\n" not in result.traceback
    assert any("could not be decrypted" in line for line in log_messages(result.id))


def test_without_a_configured_key_the_worker_reads_the_same_secret_file_as_the_web(tmp_path, monkeypatch):
    """No JOBDECK_SECRET_KEY anywhere: the submitting process and the worker share ./jobdeck.secret."""
    folder = tmp_path / "install"
    folder.mkdir()
    config, record = secret_deck(tmp_path, secret_key="")
    monkeypatch.chdir(folder)
    result = submit(record, None, {"token": unique_secret()})
    assert (folder / "jobdeck.secret").stat().st_mode & 0o077 == 0
    code = f"import os; os.chdir({str(folder)!r}); from app.worker import run_worker; run_worker(None, 1)"
    env = {**worker_environment(config), "JOBDECK_SECRET_KEY": ""}
    with open(tmp_path / "worker.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        finished = wait_for_result(result.id)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert finished.status == Status.STATUS_SUCCESS, finished.traceback
