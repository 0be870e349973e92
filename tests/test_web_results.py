"""The result list and result page through the Flask test client: filters, pages, logs, files, actions."""

from __future__ import annotations

import datetime
import re

import pytest

from app.db import database
from app.jobs.choices import JobResultStatusChoices as Status
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobRecord
from app.models import JobResult
from app.models import User
from app.web import log_table
from app.web import result_list
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import page_csrf

HELLO = "hello_jobs.HelloJobs"
EVERYTHING = "everything.ExampleEverythingJob"
SLOW = "web_slow_logger.SlowLogger"
EPOCH = datetime.datetime(2026, 1, 1, 12, 0, 0)


def text(response) -> str:
    return response.get_data(as_text=True)


def make_result(
    class_path=HELLO, status=Status.STATUS_SUCCESS, user=None, created=None, **fields
) -> JobResult:
    record = JobRecord.get_for_class_path(class_path)
    return JobResult.create(
        job_record=record,
        name=record.name,
        task_name=record.class_path,
        status=status,
        user=user,
        date_created=created or EPOCH,
        **fields,
    )


def add_logs(result, count, **fields):
    rows = [
        {"job_result": result.id, "message": f"line {n}", "log_level": "info", "grouping": "main", **fields}
        for n in range(1, count + 1)
    ]
    with database.atomic():
        JobLogEntry.insert_many(rows).execute()


def result_ids(page: str) -> list[str]:
    return re.findall(r'href="/results/([0-9a-f-]{36})/">\d{4}-', page)


# --- list ---------------------------------------------------------------------------------------


def test_result_list_pages_by_50_newest_first(web_client):
    results = [make_result(created=EPOCH + datetime.timedelta(minutes=n)) for n in range(120)]
    newest_first = [str(r.id) for r in reversed(results)]
    page1 = text(web_client.get("/results/"))
    assert result_ids(page1) == newest_first[:50]
    next_link = re.search(r'rel="next" href="\?([^"]+)"', page1).group(1).replace("&amp;", "&")
    assert 'rel="prev"' not in page1
    page2 = text(web_client.get(f"/results/?{next_link}"))
    assert result_ids(page2) == newest_first[50:100]
    page3 = text(web_client.get("/results/?" + re.search(r'rel="next" href="\?([^"]+)"', page2).group(1)))
    assert result_ids(page3) == newest_first[100:]
    assert 'rel="next"' not in page3
    back = text(web_client.get("/results/?" + re.search(r'rel="prev" href="\?([^"]+)"', page3).group(1)))
    assert result_ids(back) == newest_first[50:100]


def test_result_pages_keep_order_within_one_timestamp(web_client):
    results = [make_result(created=EPOCH) for _ in range(60)]
    first = result_ids(text(web_client.get("/results/")))
    cursor = re.search(r'rel="next" href="\?([^"]+)"', text(web_client.get("/results/"))).group(1)
    second = result_ids(text(web_client.get(f"/results/?{cursor}")))
    assert len(first) == 50 and len(second) == 10
    assert sorted(first + second) == sorted(str(r.id) for r in results)


def test_result_list_filters(web_client):
    ada = make_user("ada")
    hello = make_result(user=ada, created=EPOCH)
    failed = make_result(
        "export_text.ExportText", status=Status.STATUS_FAILURE, created=EPOCH + datetime.timedelta(days=2)
    )
    record = JobRecord.get_for_class_path(HELLO)
    assert result_ids(text(web_client.get(f"/results/?job={record.id}"))) == [str(hello.id)]
    assert result_ids(text(web_client.get("/results/?status=FAILURE"))) == [str(failed.id)]
    assert result_ids(text(web_client.get("/results/?user=ada"))) == [str(hello.id)]
    assert result_ids(text(web_client.get("/results/?user=nobody"))) == []
    assert result_ids(text(web_client.get("/results/?date_from=2026-01-02"))) == [str(failed.id)]
    assert result_ids(text(web_client.get("/results/?date_to=2026-01-01"))) == [str(hello.id)]
    assert result_ids(text(web_client.get("/results/?date_from=garbage&job=garbage"))) == []


def test_result_list_shows_only_visible_results(web_app):
    user = make_user("ada")
    grant(user, ["extras.jobresult"], ["view"], {"user": "$user"})
    own = make_result(user=user)
    other = make_result()
    client = login_as(web_app, user)
    page = text(client.get("/results/"))
    assert result_ids(page) == [str(own.id)]
    assert client.get(f"/results/{other.id}/").status_code == 404
    assert client.get(f"/results/{own.id}/").status_code == 200


# --- result page --------------------------------------------------------------------------------


def test_result_page_shows_outcome(web_client):
    result = make_result(
        SLOW,
        status=Status.STATUS_FAILURE,
        task_kwargs={"lines": 3},
        result={"answer": 42},
        traceback="Traceback (most recent call last):\nValueError: <boom>",
        date_started=EPOCH,
        date_done=EPOCH + datetime.timedelta(seconds=3.5),
    )
    add_logs(result, 2)
    page = text(web_client.get(f"/results/{result.id}/"))
    assert "<title>✗ Slow Logger — FAILURE · Jobdeck</title>" in page
    assert 'data-status="FAILURE"' in page
    assert "3.50 s" in page
    assert '<dt class="mono">lines</dt>\n    <dd><span class="input-value">3</span></dd>' in page
    assert "&#34;answer&#34;: 42" in page
    assert "ValueError: &lt;boom&gt;" in page
    assert 'data-finished="true"' in page  # not polling
    assert "rerun-button" in page and "cancel-button" not in page


def test_sensitive_inputs_are_hidden_and_not_rerunnable(web_client):
    JobRecord.update(has_sensitive_variables=True).where(JobRecord.class_path == HELLO).execute()
    result = make_result(HELLO, task_kwargs=None)
    page = text(web_client.get(f"/results/{result.id}/"))
    assert "inputs were not stored" in page
    assert "rerun-button" not in page
    response = web_client.post(f"/results/{result.id}/rerun", data={"csrf_token": page_csrf(web_client, "/")})
    assert response.status_code == 302
    assert JobResult.select().count() == 1


def test_log_messages_render_markdown_safely(web_client):
    result = make_result()
    add_logs(
        result,
        1,
        message="**bold** <script>x()</script> [link](javascript:alert(1))",
        log_object="router-1",
        absolute_url="/devices/1/",
    )
    page = text(web_client.get(f"/results/{result.id}/"))
    assert "<strong>bold</strong>" in page
    assert "<script>x()" not in page
    assert "javascript:alert" not in page
    assert '<a href="/devices/1/">router-1</a>' in page


def test_log_filters(web_client):
    result = make_result()
    add_logs(result, 3)
    add_logs(result, 2, log_level="warning", grouping="cleanup", message="disk almost full")
    messages = lambda url: re.findall(r'class="log-message">([^<]*)<', text(web_client.get(url)))  # noqa: E731
    base = f"/results/{result.id}/"
    assert len(messages(base)) == 5
    assert messages(base + "?level=warning") == ["disk almost full"] * 2
    assert messages(base + "?grouping=cleanup") == ["disk almost full"] * 2
    assert messages(base + "?q=line 2") == ["line 2"]
    assert messages(base + "?level=bogus") == messages(base)
    assert "No log lines match" in text(web_client.get(base + "?q=nothing-like-this"))


def test_log_pagination_by_id(web_client):
    result = make_result()
    add_logs(result, log_table.PAGE_SIZE * 2 + 5)
    base = f"/results/{result.id}/"
    first = text(web_client.get(base))
    assert re.findall(r"line (\d+)<", first) == [str(n) for n in range(1, log_table.PAGE_SIZE + 1)]
    assert 'rel="prev"' not in first
    later = re.search(r'rel="next" href="\?([^"]+)"', first).group(1)
    second = text(web_client.get(base + "?" + later))
    assert re.findall(r"line (\d+)<", second)[0] == str(log_table.PAGE_SIZE + 1)
    last = text(web_client.get(base + "?" + re.search(r'rel="next" href="\?([^"]+)"', second).group(1)))
    assert len(re.findall(r"line (\d+)<", last)) == 5 and 'rel="next"' not in last
    earlier = re.search(r'rel="prev" href="\?([^"]+)"', last).group(1)
    assert re.findall(r"line (\d+)<", text(web_client.get(base + "?" + earlier)))[-1] == str(
        log_table.PAGE_SIZE * 2
    )


def test_live_fragment_sends_only_new_lines_and_stops_when_finished(web_client):
    result = make_result(SLOW, status=Status.STATUS_STARTED, task_kwargs={"lines": 3})
    add_logs(result, 3)
    page = text(web_client.get(f"/results/{result.id}/"))
    poll = (
        re.search(r'id="log-poller" hx-get="([^"]+)" hx-trigger="every 1s"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    last_id = JobLogEntry.select().order_by(JobLogEntry.id.desc()).get().id
    assert poll.endswith(f"after={last_id}")
    assert "cancel-button" in page

    add_logs(result, 2, message="new one")
    fragment = text(web_client.get(poll))
    assert fragment.count("<tr ") == 2 and "new one" in fragment
    assert 'hx-swap-oob="beforeend:#log-rows"' in fragment
    assert 'id="result-status-card" hx-swap-oob="true"' in fragment
    assert 'id="result-outcome" hx-swap-oob="true"' in fragment
    assert "<title>▶ Slow Logger — STARTED · Jobdeck</title>" in fragment
    assert f"after={last_id + 2}" in fragment
    assert "<html" not in fragment

    JobResult.update(status=Status.STATUS_SUCCESS).where(JobResult.id == result.id).execute()
    done = text(web_client.get(poll.replace(f"after={last_id}", f"after={last_id + 2}")))
    assert 'data-finished="true"' in done and "<tr " not in done
    assert 'data-status="SUCCESS"' in done


def test_output_file_download(web_app, web_client):
    result = make_result()
    proxy = FileProxy.create(job_result=result, name='../../etc/pass"wd\n.txt', content=b"secret", size=6)
    page = text(web_client.get(f"/results/{result.id}/"))
    assert f"/files/{proxy.id}/download" in page
    response = web_client.get(f"/files/{proxy.id}/download")
    assert response.status_code == 200
    assert response.data == b"secret"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and '"wd' not in disposition and "\n" not in disposition
    assert response.mimetype == "text/plain"  # a .txt stays text; HTML, SVG, XML or script never would
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    stranger = make_user("stranger")
    grant(stranger, ["extras.jobresult"], ["view"], {"user": "$user"})
    assert login_as(web_app, stranger).get(f"/files/{proxy.id}/download").status_code == 404


def test_cancel_needs_run_permission(web_app):
    record = enable(SLOW)
    result = make_result(SLOW, status=Status.STATUS_PENDING)
    viewer = make_user("viewer")
    grant(viewer, ["extras.jobresult", "extras.job"], ["view"])
    client = login_as(web_app, viewer)
    assert "cancel-button" not in text(client.get(f"/results/{result.id}/"))
    assert (
        client.post(f"/results/{result.id}/cancel", data={"csrf_token": page_csrf(client, "/")}).status_code
        == 403
    )
    assert JobResult.get_by_id(result.id).status == Status.STATUS_PENDING
    assert record.enabled


def test_cancel_pending_result(web_client):
    result = make_result(SLOW, status=Status.STATUS_PENDING)
    url = f"/results/{result.id}/cancel"
    assert web_client.post(url).status_code == 400  # CSRF
    response = web_client.post(url, data={"csrf_token": page_csrf(web_client, "/")})
    assert response.status_code == 302
    assert JobResult.get_by_id(result.id).status == Status.STATUS_REVOKED
    again = web_client.post(url, data={"csrf_token": page_csrf(web_client, "/")}, follow_redirects=True)
    assert "already finished" in text(again)


def test_rerun_submits_the_same_inputs(web_client):
    enable(SLOW)
    admin = User.get(User.username == "admin")
    old = make_result(SLOW, task_kwargs={"lines": 4}, user=admin, queue="default")
    response = web_client.post(f"/results/{old.id}/rerun", data={"csrf_token": page_csrf(web_client, "/")})
    new = JobResult.select().where(JobResult.id != old.id).get()
    assert response.status_code == 302 and response.location == f"/results/{new.id}/"
    assert new.task_kwargs == {"lines": 4} and new.status == Status.STATUS_PENDING and new.user_id == admin.id


def test_rerun_of_disabled_job_is_explained(web_client):
    old = make_result(SLOW, task_kwargs={"lines": 4})
    response = web_client.post(
        f"/results/{old.id}/rerun", data={"csrf_token": page_csrf(web_client, "/")}, follow_redirects=True
    )
    assert "could not be re-run" in text(response) and "not enabled" in text(response)
    assert JobResult.select().count() == 1


@pytest.mark.parametrize("cursor", ["", "garbage", "2026-01-01T00:00:00.000000_nothex"])
def test_bad_cursor_is_the_first_page(web_client, cursor):
    make_result()
    assert web_client.get(f"/results/?after={cursor}").status_code == 200
    assert result_list._parse_cursor(cursor) is None


def test_home_shows_recent_and_attention(web_client):
    make_result(status=Status.STATUS_FAILURE)
    page = text(web_client.get("/"))
    assert "<title>Home · Jobdeck</title>" in page
    assert "Failed runs" in page
    assert "Installed but not enabled" in page


# --- result page: title, live swaps, cancel, inputs, linked objects ---------------------------------

LINKER = '''
from app.jobs import Job, ObjectVar, register_jobs
from app.models import JobRecord, JobResult


class Linker(Job):
    class Meta:
        name = "Linker"
        has_sensitive_variables = False

    previous = ObjectVar(model=JobResult, required=False)
    job = ObjectVar(model=JobRecord, required=False)

    def run(self, previous, job):
        self.logger.info("This run.", extra={"object": self.job_result})
        self.logger.info("This job.", extra={"object": self.job_model})
'''


def add_linker(web_app):
    from app.catalog import sync_jobs

    jobs_root = web_app.config["JOBDECK"].jobs_root
    (jobs_root / "linker.py").write_text(LINKER + "\n\nregister_jobs(Linker)\n")
    sync_jobs(jobs_root)
    return enable("linker.Linker")


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("lines_before", [0, 2])
def test_every_live_swap_has_its_target_on_the_page(web_client, status, lines_before):
    """htmx logs htmx:oobErrorNoTarget for an out-of-band part whose id is not on the page."""
    result = make_result(SLOW, status=Status.STATUS_PENDING, task_kwargs={"lines": 3})
    add_logs(result, lines_before)
    page = text(web_client.get(f"/results/{result.id}/"))
    poll = re.search(r'id="log-poller" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    add_logs(result, 2, message="later")
    JobResult.update(status=status, traceback="Cancelled by admin." if status == "REVOKED" else None).where(
        JobResult.id == result.id).execute()
    fragment = text(web_client.get(poll))
    swaps = re.findall(r'<[^>]*?(?:id="([^"]*)"[^>]*)?hx-swap-oob="([^"]+)"', fragment)
    assert len(swaps) >= 4
    for element_id, how in swaps:
        target = how.partition(":#")[2] if ":#" in how else element_id
        assert target and f'id="{target}"' in page, (how, element_id)
    assert f"<title>{'✓⊘✗⚠…▶'['SUCCESS REVOKED FAILURE ERRORED PENDING STARTED'.split().index(status)]} " \
           f"Slow Logger — {status} · Jobdeck</title>" in fragment


def test_cancelled_run_shows_its_reason_not_a_traceback(web_client):
    result = make_result(SLOW, status=Status.STATUS_REVOKED, traceback="Cancelled by admin.")
    page = text(web_client.get(f"/results/{result.id}/"))
    assert '<h2>Traceback</h2>' not in page
    assert re.search(r'id="result-reason"[^>]*>Cancelled by admin\.</div>', page)
    errored = make_result(SLOW, status=Status.STATUS_ERRORED, traceback="time limit exceeded")
    page = text(web_client.get(f"/results/{errored.id}/"))
    assert '<h2>Traceback</h2>' not in page and 'id="result-reason"' in page
    failed = make_result(SLOW, status=Status.STATUS_FAILURE, traceback="Traceback (most recent call last):\nKeyError")
    page = text(web_client.get(f"/results/{failed.id}/"))
    assert '<h2>Traceback</h2>' in page and 'id="result-reason"' not in page


def test_cancel_asks_for_confirmation(web_client):
    result = make_result(SLOW, status=Status.STATUS_STARTED)
    url = f"/results/{result.id}/cancel"
    page = text(web_client.get(f"/results/{result.id}/"))
    form = re.search(r'<form method="get" class="inline" action="([^"]+)"([^>]*)>', page)
    assert form.group(1) == url and f'hx-post="{url}"' in form.group(2)
    assert 'hx-confirm="Cancel this run of “Slow Logger”?' in form.group(2) and "csrf_token" in form.group(2)
    confirm = text(web_client.get(url))  # without JavaScript
    assert "Cancel this run of “Slow Logger”?" in confirm and f'<form method="post" action="{url}"' in confirm
    assert JobResult.get_by_id(result.id).status == Status.STATUS_STARTED
    response = web_client.post(url, headers={"HX-Request": "true"}, data={"csrf_token": page_csrf(web_client, "/")})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/results/{result.id}/"
    assert JobResult.get_by_id(result.id).status == Status.STATUS_REVOKED
    assert web_client.get(url).location == f"/results/{result.id}/"  # finished: nothing to confirm


def test_inputs_show_objects_by_name_with_a_link(web_app, web_client):
    add_linker(web_app)
    hello = JobRecord.get_for_class_path(HELLO)
    earlier = make_result(HELLO)
    gone = "00000000-0000-0000-0000-00000000beef"
    result = make_result("linker.Linker", task_kwargs={"previous": str(earlier.id), "job": str(hello.id)})
    page = text(web_client.get(f"/results/{result.id}/"))
    assert f'<a class="input-value" href="/jobs/{hello.id}/">Say Hello</a>' in page
    assert f'<a class="input-value" href="/results/{earlier.id}/">{earlier}</a>' in page
    everything = make_result(EVERYTHING, task_kwargs={
        "example_jobs": [str(hello.id), gone], "example_job": None, "example_string": "x" * 300})
    page = text(web_client.get(f"/results/{everything.id}/"))
    assert f'<a class="input-value" href="/jobs/{hello.id}/">Say Hello</a>, ' \
           f'<span class="input-value muted">{gone}</span>' in page
    assert f'<span class="input-value">{"x" * 300}</span>' in page

    viewer = make_user("viewer")
    grant(viewer, ["extras.jobresult"], ["view"])
    grant(viewer, ["extras.job"], ["view"], {"grouping": "Examples"})
    page = text(login_as(web_app, viewer).get(f"/results/{everything.id}/"))
    assert "Say Hello" not in page and f'<span class="input-value muted">{hello.id}</span>' in page


def test_a_job_without_variables_does_not_mention_sensitive_inputs(web_client):
    result = make_result("export_text.ExportText", task_kwargs=None)
    page = text(web_client.get(f"/results/{result.id}/"))
    assert "This job takes no input." in page and "inputs were not stored" not in page


def test_log_entries_link_their_object(web_app, web_client):
    from flask import url_for

    from app.execution.submit import run_in_process
    from app.models import Token

    record = add_linker(web_app)
    admin = User.get(User.username == "admin")
    result = run_in_process(record, admin, {})
    assert result.status == Status.STATUS_SUCCESS
    with web_app.test_request_context():
        pages = {"This run.": url_for("results.result_detail", result_id=result.id),
                 "This job.": url_for("jobs.job_detail", job_id=record.id)}
    linked = {entry.message: entry.absolute_url for entry in JobLogEntry.select() if entry.message in pages}
    assert linked == pages
    page = text(web_client.get(f"/results/{result.id}/"))
    assert f'<a href="{pages["This run."]}">Linker created at ' in page
    assert f'<a href="{pages["This job."]}">Linker</a>' in page

    _token, key = Token.issue(admin, description="tests")
    body = web_app.test_client().get(f"/api/extras/job-logs/?job_result={result.id}",
                                     headers={"Authorization": f"Token {key}"}).json
    assert {line["message"]: line["absolute_url"] for line in body["results"] if line["message"] in pages} == pages


def test_times_on_pages_are_shown_in_the_configured_zone_with_its_name(web_app, web_client):
    from app.config import configure
    from app.config import get_config

    result = make_result(date_started=EPOCH, date_done=EPOCH + datetime.timedelta(seconds=2))
    add_logs(result, 1, created=EPOCH)
    previous = get_config()
    configure(previous.replace(time_zone="Europe/Berlin"))  # 12:00 UTC on 1 January is 13:00 CET
    try:
        detail = text(web_client.get(f"/results/{result.id}/"))
        listing = text(web_client.get("/results/"))
    finally:
        configure(previous)
    assert "2026-01-01 13:00:00 CET" in detail and "2026-01-01 13:00:02 CET" in detail
    assert "13:00:00.000" in detail  # the log line's time of day, in the same zone
    assert "2026-01-01 13:00:00 CET" in listing
    assert "12:00:00" not in detail


def test_the_log_table_says_which_zone_its_times_are_in(web_client):
    result = make_result(SLOW)
    add_logs(result, 1)
    page = text(web_client.get(f"/results/{result.id}/"))
    assert "<th>Time (UTC)</th>" in page  # the cells show 18:19:42.285 only, without a zone
