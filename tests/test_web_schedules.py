"""The run page's schedule section and the scheduled-job pages (list, detail, edit, delete, Run now)."""

from __future__ import annotations

import datetime

import pytest

from app import create_app
from app.models import JobResult
from app.models.schedules import ScheduledJob
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text

HELLO = "hello_jobs.HelloJobs"


@pytest.fixture
def hello(jobdeck):
    return enable(HELLO)


@pytest.fixture
def client(jobdeck, hello):
    return login_as(create_app(jobdeck), make_user("root", superuser=True))


def post_run(client, record, **schedule):
    url = f"/jobs/{record.id}/"
    data = {"person_name": "Ada", "greeting_count": "1", "_run-csrf_token": page_csrf(client, url)}
    data.update({f"_run-schedule_{key}": value for key, value in schedule.items()})
    return client.post(url, data=data)


def in_an_hour() -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def test_the_run_page_offers_the_schedule_section(client, hello):
    page = text(client.get(f"/jobs/{hello.id}/"))
    assert 'id="schedule-section"' in page
    assert 'type="datetime-local"' in page
    # The start time is read in JOBDECK_TIME_ZONE, not the browser's zone: the page says which, and its time now.
    now = datetime.datetime.now(datetime.timezone.utc)
    assert "Your local time" not in page
    assert "Read in UTC, the zone set by JOBDECK_TIME_ZONE (not the zone of your browser): it is now" in page
    assert f"{now:%H:%M} UTC there" in page or f"{now + datetime.timedelta(minutes=1):%H:%M} UTC there" in page
    for value in ("immediately", "future", "hourly", "daily", "weekly", "custom"):
        assert f'value="{value}"' in page


def test_each_schedule_field_is_on_the_run_page_once(client, hello):
    """Shown twice (under Run options and under Schedule), the browser posted the first copy: a user
    who picked Daily in the Schedule section got an immediate run."""
    page = text(client.get(f"/jobs/{hello.id}/"))
    for name in ("interval", "name", "start_time", "crontab"):
        assert page.count(f'name="_run-schedule_{name}"') == 1, name
    assert page.count(">When<") == 1


def test_a_sensitive_job_offers_no_schedule(client, jobdeck):
    record = enable("simple_greeting.SimpleGreetingJob")
    assert 'id="schedule-section"' not in text(client.get(f"/jobs/{record.id}/"))


def test_the_form_schedules_a_run_and_lands_on_its_page(client, hello):
    response = post_run(client, hello, interval="future", name="Tonight", start_time=in_an_hour())
    assert response.status_code == 302
    row = ScheduledJob.get()
    assert response.headers["Location"].endswith(f"/scheduled-jobs/{row.id}/")
    assert (row.name, row.interval, row.task_kwargs["person_name"]) == ("Tonight", "future", "Ada")
    assert JobResult.select().count() == 0
    page = text(client.get(response.headers["Location"]))
    assert "Tonight" in page and "scheduled as" in page and "UTC" in page


def test_the_form_shows_schedule_errors_on_their_fields(client, hello):
    response = post_run(client, hello, interval="custom", start_time="")
    assert response.status_code == 400
    assert "A custom interval needs a crontab" in text(response)
    response = post_run(client, hello, interval="future", start_time="2001-01-01T00:00")
    assert "The start time is in the past" in text(response)
    assert ScheduledJob.select().count() == 0


def test_immediately_still_runs_now(client, hello):
    response = post_run(client, hello, interval="immediately")
    assert "/results/" in response.headers["Location"]
    assert ScheduledJob.select().count() == 0 and JobResult.select().count() == 1


def test_an_approval_required_job_lands_on_a_page_saying_it_awaits_approval(client, hello):
    hello.approval_required = True
    hello.save()
    response = post_run(client, hello)
    page = text(client.get(response.headers["Location"]))
    assert "awaits approval" in page
    assert ScheduledJob.get().approval_state == "awaiting" and JobResult.select().count() == 0


def test_schedule_pages_say_when_in_words_not_codes(client, hello):
    post_run(client, hello, interval="daily", start_time=in_an_hour())
    row = ScheduledJob.get()
    for page in (text(client.get("/scheduled-jobs/")), text(client.get(f"/scheduled-jobs/{row.id}/"))):
        assert "not-required" not in page and ">daily<" not in page
        assert f"Daily at {row.start_time:%H:%M} UTC" in page and "Not required" in page


def test_a_request_awaiting_approval_offers_no_run_now(client, hello, jobdeck):
    """Run now on a request nobody approved is refused: the page must not offer it."""
    hello.approval_required = True
    hello.save()
    post_run(client, hello, interval="future", start_time=in_an_hour())
    row = ScheduledJob.get()
    page = text(client.get(f"/scheduled-jobs/{row.id}/"))
    assert "Awaiting approval" in page and "Once, at 20" in page
    assert ">Run now</button>" not in page
    approver = login_as(create_app(jobdeck), make_user("approver", superuser=True))
    approvals_page = text(approver.get("/scheduled-jobs/approval-queue/"))
    assert "immediately" not in approvals_page and "Once, at 20" in approvals_page


def test_an_approved_request_cannot_be_run_again_with_run_now(client, hello, jobdeck):
    """Approval covers the runs that were asked for: Run now on an approved request would be one more
    run that nobody approved (the requester could repeat an approved change at will)."""
    from tests.factories import make_request

    hello.approval_required = True
    hello.save()
    row = make_request(hello, make_user("requester"), task_kwargs={"person_name": "Ada", "greeting_count": 1},
                       state="approved")
    url = f"/scheduled-jobs/{row.id}/"
    assert ">Run now</button>" not in text(client.get(url))
    response = client.post(f"{url}run/", data={"csrf_token": page_csrf(client, url)})
    assert response.status_code == 302 and "/results/" not in response.headers["Location"]
    assert JobResult.select().count() == 0
    assert "a run nobody approved" in text(client.get(response.headers["Location"]))


def test_an_approved_schedule_keeps_the_crontab_that_was_approved(client, hello):
    """Approving a recurring request approves its runs at its times: a new crontab afterwards (every
    minute instead of Sundays at 02:00) would be runs nobody approved."""
    from tests.factories import make_request

    hello.approval_required = True
    hello.save()
    row = make_request(hello, make_user("requester"), task_kwargs={"person_name": "Ada", "greeting_count": 1},
                       state="approved", interval="custom", crontab="0 2 * * 0")
    url = f"/scheduled-jobs/{row.id}/edit/"
    response = client.post(url, data={"name": row.name, "crontab": "* * * * *", "enabled": "y",
                                      "misfire_policy": "once", "csrf_token": page_csrf(client, url)})
    assert response.status_code == 400 and "part of what its approval decides" in text(response)
    assert ScheduledJob.get_by_id(row.id).crontab == "0 2 * * 0"


def test_list_detail_edit_toggle_run_now_and_delete(client, hello):
    post_run(client, hello, interval="custom", name="Nightly", crontab="30 2 * * *")
    row = ScheduledJob.get()
    listing = text(client.get("/scheduled-jobs/"))
    assert "Nightly" in listing and "30 2 * * *" in listing and "Not required" in listing
    url = f"/scheduled-jobs/{row.id}/"
    next_run = row.next_run
    edit = client.post(f"{url}edit/", data={"name": "Nightly 3", "crontab": "0 3 * * *", "enabled": "y",
                                            "misfire_policy": "skip", "csrf_token": page_csrf(client, f"{url}edit/")})
    assert edit.status_code == 302
    row = ScheduledJob.get_by_id(row.id)
    assert (row.name, row.crontab, row.next_run.hour, row.misfire_policy) == ("Nightly 3", "0 3 * * *", 3, "skip")
    bad = client.post(f"{url}edit/", data={"name": "x", "crontab": "nope", "misfire_policy": "once",
                                           "csrf_token": page_csrf(client, url)})
    assert bad.status_code == 400 and "5 fields" in text(bad)
    client.post(f"{url}enabled/", data={"enabled": "false", "csrf_token": page_csrf(client, url)})
    assert ScheduledJob.get_by_id(row.id).enabled is False
    ran = client.post(f"{url}run/", data={"csrf_token": page_csrf(client, url)})
    assert "/results/" in ran.headers["Location"]
    shown = text(client.get(ran.headers["Location"]))
    assert f'<a href="/scheduled-jobs/{row.id}/">for 20' in shown and " UTC</a>" in shown
    assert ScheduledJob.get_by_id(row.id).next_run == row.next_run != next_run
    assert JobResult.get().scheduled_job_id == row.id
    client.post(f"{url}delete/", data={"csrf_token": page_csrf(client, url)})
    assert ScheduledJob.select().count() == 0
    assert JobResult.get().scheduled_job_id is None


def test_permissions(jobdeck, hello):
    make_user("root", superuser=True)
    viewer = make_user("viewer")
    nobody = make_user("nobody")
    grant(viewer, ["extras.scheduledjob"], ["view"])
    grant(nobody, ["extras.job"], ["view"])
    client = login_as(create_app(jobdeck), make_user("runner", superuser=True))
    post_run(client, hello, interval="daily")
    row = ScheduledJob.get()
    app = create_app(jobdeck)
    as_viewer = login_as(app, viewer)
    assert as_viewer.get(f"/scheduled-jobs/{row.id}/").status_code == 200
    assert as_viewer.get(f"/scheduled-jobs/{row.id}/edit/").status_code == 403
    assert "Scheduled jobs" in text(as_viewer.get("/scheduled-jobs/"))
    as_nobody = login_as(app, nobody)
    assert as_nobody.get(f"/scheduled-jobs/{row.id}/").status_code == 404
    assert as_nobody.get("/scheduled-jobs/").status_code == 403
    assert ">Scheduled jobs</a>" not in text(as_nobody.get("/jobs/"))


def test_an_approved_schedule_keeps_the_misfire_policy_that_was_approved(client, hello):
    """After downtime, "all" would make up to 100 catch-up runs the approver never weighed."""
    from tests.factories import make_request

    hello.approval_required = True
    hello.save()
    row = make_request(hello, make_user("requester"), task_kwargs={"person_name": "Ada", "greeting_count": 1},
                       state="approved", interval="custom", crontab="0 2 * * 0")
    url = f"/scheduled-jobs/{row.id}/edit/"
    response = client.post(url, data={"name": "Renamed", "crontab": "0 2 * * 0", "enabled": "y",
                                      "misfire_policy": "all", "csrf_token": page_csrf(client, url)})
    assert response.status_code == 400 and "misfire policy is part of what its approval decides" in text(response)
    assert (ScheduledJob.get_by_id(row.id).misfire_policy, ScheduledJob.get_by_id(row.id).name) == ("once", row.name)
    renamed = client.post(url, data={"name": "Renamed", "crontab": "0 2 * * 0", "enabled": "y",
                                     "misfire_policy": "once", "csrf_token": page_csrf(client, url)})
    assert renamed.status_code == 302 and ScheduledJob.get_by_id(row.id).name == "Renamed"
