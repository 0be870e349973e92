"""The job edit page: enabled flag, overrides kept across sync, cleared overrides restored at once."""

from __future__ import annotations

import uuid

import pytest

from app.catalog import sync_jobs
from app.models import JobQueue
from app.models import JobRecord
from app.models.jobs import OVERRIDABLE_FIELDS
from tests.factories import client_login
from tests.factories import grant
from tests.factories import make_app
from tests.factories import make_user
from tests.factories import text

HELLO = "hello_jobs.HelloJobs"


@pytest.fixture
def app(jobdeck):
    return make_app(jobdeck)


@pytest.fixture
def admin(app):
    make_user("root", superuser=True)
    return client_login(app.test_client(), "root")


def hello() -> JobRecord:
    return JobRecord.get_for_class_path(HELLO)


def url(record) -> str:
    return f"/jobs/{record.id}/edit/"


def form_data(record, **changes) -> dict:
    """What the page posts when nothing is touched, then changes (booleans as "y" or absent)."""
    data = {"enabled": record.enabled}
    for field in OVERRIDABLE_FIELDS:
        value = getattr(record, field)
        data[field] = ", ".join(value) if field == "task_queues" else value
        data[f"{field}_override"] = getattr(record, f"{field}_override")
    data.update(changes)
    posted = {}
    for key, value in data.items():
        if value is True:
            posted[key] = "y"
        elif value is not False:
            posted[key] = str(value)
    return posted


def test_page_shows_every_override_and_the_source(admin):
    record = hello()
    body = text(admin.get(url(record)))
    for field in OVERRIDABLE_FIELDS:
        assert f'name="{field}"' in body and f'name="{field}_override"' in body
    assert 'name="enabled"' in body
    for shown in (record.class_path, record.module_name, record.source_file, "installed"):
        assert shown in body


def test_enable(admin):
    record = hello()
    response = admin.post(url(record), data=form_data(record, enabled=True))
    assert response.status_code == 302
    saved = hello()
    assert saved.enabled and not any(getattr(saved, f"{field}_override") for field in OVERRIDABLE_FIELDS)
    assert saved.name == "Say Hello"


def test_override_survives_sync_and_clearing_restores_the_class_value(jobdeck, admin):
    record = hello()
    admin.post(url(record), data=form_data(record, name="Greeter", name_override=True, grouping="Ignored"))
    saved = hello()
    assert (saved.name, saved.name_override) == ("Greeter", True)
    assert saved.grouping == "Hello Jobs"  # typed without its override flag: discarded

    sync_jobs(jobdeck.jobs_root)
    assert hello().name == "Greeter"

    admin.post(url(saved), data=form_data(saved, name_override=False))
    restored = hello()
    assert (restored.name, restored.name_override) == ("Say Hello", False)


def test_every_kind_of_override_is_stored(admin):
    JobQueue.ensure(["fast", "slow"])  # an override chooses among the job queues
    record = hello()
    admin.post(
        url(record),
        data=form_data(
            record,
            description="New *text*",
            description_override=True,
            hidden=True,
            hidden_override=True,
            has_sensitive_variables=False,
            has_sensitive_variables_override=True,
            soft_time_limit="0",
            soft_time_limit_override=True,
            time_limit="90.5",
            time_limit_override=True,
            task_queues="fast, slow, fast",
            task_queues_override=True,
        ),
    )
    saved = hello()
    assert saved.description == "New *text*" and saved.hidden and not saved.has_sensitive_variables
    assert (saved.soft_time_limit, saved.time_limit) == (0.0, 90.5)
    assert saved.task_queues == ["fast", "slow"]
    assert 'value="fast, slow"' in text(admin.get(url(saved)))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"time_limit": "-1", "time_limit_override": True}, "Number must be at least 0"),
        ({"soft_time_limit": "soon", "soft_time_limit_override": True}, "Not a valid float value"),
        ({"time_limit": "inf", "time_limit_override": True}, "finite"),
        ({"name": "", "name_override": True}, "This field is required"),
        ({"task_queues": "ok, not ok", "task_queues_override": True}, "Invalid queue name: not ok"),
        ({"task_queues": "default, nowhere", "task_queues_override": True}, "No job queue named nowhere"),
        (
            {"approval_required": True, "approval_required_override": True, "has_sensitive_variables": True,
             "has_sensitive_variables_override": True},
            "cannot also require approval",
        ),
    ],
)
def test_invalid_values_show_inline_errors_and_save_nothing(admin, changes, message):
    record = hello()
    before = record.__data__.copy()
    response = admin.post(url(record), data=form_data(record, enabled=True, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert hello().__data__ == before


def test_hard_limit_not_above_soft_limit_warns(admin):
    record = hello()
    data = form_data(
        record, soft_time_limit="30", soft_time_limit_override=True, time_limit="10", time_limit_override=True
    )
    response = admin.post(url(record), data=data, follow_redirects=True)
    assert "killed without warning" in text(response)
    assert (hello().soft_time_limit, hello().time_limit) == (30.0, 10.0)


def test_invalid_value_without_its_flag_is_ignored(admin):
    record = hello()
    response = admin.post(url(record), data=form_data(record, time_limit="-5", enabled=True))
    assert response.status_code == 302
    assert hello().time_limit == 0.0 and hello().enabled


def test_sensitive_job_may_require_approval_once_not_sensitive(admin):
    record = hello()
    admin.post(
        url(record),
        data=form_data(
            record,
            approval_required=True,
            approval_required_override=True,
            has_sensitive_variables=False,
            has_sensitive_variables_override=True,
        ),
    )
    assert hello().approval_required and not hello().has_sensitive_variables


def test_uninstalled_job_keeps_values_when_a_flag_is_cleared(jobdeck, admin):
    record = hello()
    admin.post(url(record), data=form_data(record, name="Greeter", name_override=True))
    (jobdeck.jobs_root / "hello_jobs.py").unlink()
    sync_jobs(jobdeck.jobs_root)
    gone = hello()
    assert not gone.installed
    body = text(admin.get(url(gone)))
    assert "cannot be loaded" in body and "not installed" in body
    admin.post(url(gone), data=form_data(gone, name_override=False))
    assert (hello().name, hello().name_override) == ("Greeter", False)


def test_change_permission_is_required(app):
    record = hello()
    viewer = make_user("viewer")
    grant(viewer, ["extras.job"], ["view", "run"])
    client = client_login(app.test_client(), "viewer")
    assert client.get(url(record)).status_code == 403
    assert client.post(url(record), data=form_data(record, enabled=True)).status_code == 403
    assert not hello().enabled

    editor = make_user("editor")
    grant(editor, ["extras.job"], ["change"], constraints={"grouping": "Hello Jobs"})
    client = client_login(app.test_client(), "editor")
    assert client.post(url(record), data=form_data(record, enabled=True)).status_code == 302
    assert hello().enabled
    other = JobRecord.get_for_class_path("simple_greeting.SimpleGreetingJob")
    assert client.get(url(other)).status_code == 403


def test_unknown_job_is_404(admin):
    assert admin.get(f"/jobs/{uuid.uuid4()}/edit/").status_code == 404
