"""The same engine on PostgreSQL: migrations, sync, a run with logs, files and JSON fields.

Needs a server: JOBDECK_TEST_POSTGRES_URL (``.ci/run`` starts one). Outside CI the tests skip
without it; under CI=true a missing server is a failure.
"""

from __future__ import annotations

import os

import pytest

from app import db
from app.catalog import sync_jobs
from app.execution.submit import run_in_process
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobRecord
from tests.conftest import make_config

POSTGRES_URL = os.environ.get("JOBDECK_TEST_POSTGRES_URL")


@pytest.fixture
def postgres(tmp_path):
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("JOBDECK_TEST_POSTGRES_URL is not set: CI must provide a PostgreSQL server")
        pytest.skip("set JOBDECK_TEST_POSTGRES_URL to run the PostgreSQL tests")
    config = make_config(tmp_path, database_url=POSTGRES_URL)
    database = db.bind(config.database_url)
    database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    yield config
    database.close()


def test_migrate_is_idempotent_on_postgres(postgres):
    assert db.migrate() == ["0001_initial", "0002_result_status_date_index", "0003_sessions_and_logins",
                            "0004_result_process", "0005_scheduled_jobs", "0006_git_repositories",
                            "0007_object_changes", "0009_job_queues"]
    assert db.migrate() == []


def test_job_runs_with_logs_files_and_inputs_on_postgres(postgres):
    db.migrate()
    report = sync_jobs(postgres.jobs_root)
    assert "everything.ExampleEverythingJob" in report.created
    record = JobRecord.get_for_class_path("everything.ExampleEverythingJob")
    record.enabled = True
    record.save()

    result = run_in_process(
        record,
        None,
        {"example_string": "on postgres", "example_choice": "b", "example_json": {"k": [1, 2]},
         "example_network": "10.1.0.0/16"},
    )

    assert result.status == "SUCCESS"
    assert result.result == "Done!"
    assert result.task_kwargs["example_json"] == {"k": [1, 2]}
    messages = [entry.message for entry in JobLogEntry.select().where(JobLogEntry.job_result == result)
                .order_by(JobLogEntry.id)]
    assert "Received string: on postgres" in messages
    assert messages[-1] == "Job completed"
    assert result.log_count == len(messages)
    assert FileProxy.select().where(FileProxy.job_result == result).count() == 0


def test_sessions_end_on_password_change_on_postgres(postgres):
    import datetime

    from app.models import FailedLogin
    from app.models import User
    from app.models import UserSession

    db.migrate()
    user = User(username="ada")
    user.set_password("first-password")
    user.save()
    key = UserSession.open(user, datetime.timedelta(hours=1), address="192.0.2.1", user_agent="pytest")
    assert UserSession.user_for(key).id == user.id
    user.set_password("second-password")
    user.save()
    assert UserSession.user_for(key) is None
    FailedLogin.create(username="ada", address="192.0.2.1", reason="Wrong password.")
    assert FailedLogin.select().count() == 1


def test_users_groups_and_permissions_through_the_api_on_postgres(postgres):
    from app import create_app
    from app.models import Group
    from app.models import Token
    from app.models import User

    db.migrate()
    sync_jobs(postgres.jobs_root)
    admin = User.create(username="admin", is_superuser=True)
    client = create_app(postgres).test_client()
    headers = {"Authorization": f"Token {Token.issue(admin)[1]}"}
    group = client.post("/api/users/groups/", json={"name": "Operators"}, headers=headers).json
    user = client.post("/api/users/users/", json={"username": "ada", "password": "a-long-secret-1",
                                                  "groups": [group["id"]]}, headers=headers)
    assert user.status_code == 201, user.json
    permission = client.post("/api/users/permissions/", headers=headers, json={
        "name": "Hello", "object_types": ["extras.job"], "actions": ["view"],
        "constraints": [{"grouping": "Hello Jobs"}], "groups": [group["id"]]})
    assert permission.status_code == 201, permission.json
    ada = User.get(User.username == "ada")
    assert ada.check_password("a-long-secret-1")
    jobs = client.get("/api/extras/jobs/", headers={"Authorization": f"Token {Token.issue(ada)[1]}"}).json
    assert [job["name"] for job in jobs["results"]] == ["Say Hello"]
    patched = client.patch(f"/api/users/users/{ada.id}/", json={"groups": []}, headers=headers).json
    assert patched["groups"] == []
    assert client.delete(f"/api/users/groups/{group['id']}/", headers=headers).status_code == 204
    assert Group.select().count() == 0
