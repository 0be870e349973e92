"""The job list and job page through the Flask test client: listing, forms, permissions, templates."""

from __future__ import annotations

import re

from app import create_app
from app.models import JobRecord
from app.models import JobResult
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text

HELLO = "hello_jobs.HelloJobs"
EVERYTHING = "everything.ExampleEverythingJob"


def job_url(class_path: str) -> str:
    return f"/jobs/{JobRecord.get_for_class_path(class_path).id}/"


def run(client, class_path, data, token=None):
    url = job_url(class_path)
    return client.post(url, data={**data, "_run-csrf_token": token or page_csrf(client, url)})


# --- list ---------------------------------------------------------------------------------------


def test_job_list_groups_jobs_and_shows_last_run(web_client):
    record = enable(HELLO)
    run(web_client, HELLO, {"person_name": "Ada", "greeting_count": "1"})
    page = text(web_client.get("/jobs/"))
    assert "<title>Jobs · Jobdeck</title>" in page
    assert re.search(r'table-group"><th colspan="4">Hello Jobs', page)
    assert f'href="/jobs/{record.id}/">Say Hello</a>' in page
    result = JobResult.get()
    assert f'/results/{result.id}/"><span class="badge badge-info" data-status="PENDING"' in page


def test_job_list_renders_description_summary_safely(web_client):
    record = JobRecord.get_for_class_path(HELLO)
    record.description = "Greets **people**. <script>alert(1)</script>\n\nSecond paragraph."
    record.save()
    page = text(web_client.get("/jobs/"))
    assert "Greets <strong>people</strong>." in page
    assert "<script>alert(1)" not in page
    assert "Second paragraph" not in page


def test_job_list_hides_hidden_jobs_unless_asked(web_client):
    record = JobRecord.get_for_class_path(HELLO)
    record.hidden = True
    record.save()
    assert "Say Hello" not in text(web_client.get("/jobs/"))
    assert "Say Hello" in text(web_client.get("/jobs/?hidden=true"))
    assert web_client.get(job_url(HELLO)).status_code == 200  # hidden is not a security feature


def test_job_list_search_and_filters(web_client):
    enable(HELLO)
    searched = text(web_client.get("/jobs/?q=hello"))
    assert "Say Hello" in searched and "Export Text File" not in searched
    enabled = text(web_client.get("/jobs/?enabled=true"))
    assert "Say Hello" in enabled and "Export Text File" not in enabled
    disabled = text(web_client.get("/jobs/?enabled=false"))
    assert "Say Hello" not in disabled and "Export Text File" in disabled
    assert "No jobs match" in text(web_client.get("/jobs/?installed=false"))


def test_job_list_shows_broken_modules(web_app, web_client):
    config = web_app.config["JOBDECK"]
    (config.jobs_root / "broken_thing.py").write_text("import nonexistent_module_xyz\n")
    page = text(web_client.get("/jobs/"))
    assert "could not be loaded" in page
    assert "broken_thing: ModuleNotFoundError" in page
    assert "failed to load" in text(web_client.get("/"))


def test_user_sees_only_jobs_they_may_view(web_app):
    user = make_user("viewer")
    grant(user, ["extras.job"], ["view"], {"grouping": "Hello Jobs"})
    client = login_as(web_app, user)
    page = text(client.get("/jobs/"))
    assert "Say Hello" in page
    assert "Export Text File" not in page
    assert client.get(job_url(HELLO)).status_code == 200
    assert client.get(job_url("export_text.ExportText")).status_code == 404


# --- job page -----------------------------------------------------------------------------------


def test_job_page_renders_form_and_notices(web_client):
    record = JobRecord.get_for_class_path(HELLO)
    record.description = "Says *hello*.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    record.save()
    page = text(web_client.get(job_url(HELLO)))
    assert "<title>Say Hello · Jobdeck</title>" in page
    assert "<em>hello</em>" in page and "<table>" in page
    assert 'name="person_name"' in page and 'value="world"' in page
    assert 'name="greeting_count"' in page and 'min="1"' in page
    assert 'class="required"' in page
    assert "Name of the person to greet" in page
    assert "disabled</strong>" in page
    assert "sensitive variables" not in page  # Say Hello keeps its inputs
    assert 'name="_run-csrf_token"' in page
    assert "_run-task_queue" not in page  # one queue: no selector
    assert 'name="_run-profile"' in page  # superusers may profile (app.execution.options)


def test_job_page_by_class_path(web_client):
    record = enable(HELLO)
    response = web_client.get("/jobs/hello_jobs.HelloJobs/")
    assert response.status_code == 302 and response.location == f"/jobs/{record.id}/"
    assert web_client.get("/jobs/local/hello_jobs/HelloJobs/").location == f"/jobs/{record.id}/"
    assert web_client.get("/jobs/nope.Nope/").status_code == 404
    posted = run(web_client, HELLO, {"person_name": "x", "greeting_count": "1"})
    assert posted.status_code == 302


def test_every_field_type_renders_through_the_macros(web_client):
    page = text(web_client.get(job_url(EVERYTHING)))
    for html in (
        'id="example_string" maxlength="100" name="example_string" required type="text"',
        '<textarea class="input" id="example_text"',
        '<textarea class="input" id="example_json"',
        'type="number"',
        'id="example_boolean" name="example_boolean" type="checkbox"',
        '<select class="input" id="example_choice"',
        'multiple name="example_multi_choice"',
        'type="file"',
        'multiple name="example_jobs"',
        'enctype="multipart/form-data"',
    ):
        assert html in page, html
    assert page.count('class="required"') >= 2


def test_dryrun_initial_value_follows_record(web_client):
    record = JobRecord.get_for_class_path(EVERYTHING)
    assert 'id="dryrun" name="dryrun" type="checkbox"' in text(web_client.get(job_url(EVERYTHING)))
    record.dryrun_default = True
    record.save()
    assert 'checked id="dryrun" name="dryrun" type="checkbox"' in text(web_client.get(job_url(EVERYTHING)))


def test_invalid_input_shows_inline_errors_and_queues_nothing(web_client):
    enable(HELLO)
    response = run(web_client, HELLO, {"person_name": "Ada", "greeting_count": "0"})
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'has-error">\s*<label for="greeting_count">', page)
    assert "Number must be at least 1." in page
    assert 'value="Ada"' in page
    assert JobResult.select().count() == 0


def test_valid_input_queues_a_run_with_request_meta(web_client):
    enable(HELLO)
    response = web_client.post(
        job_url(HELLO),
        data={
            "person_name": "Ada",
            "greeting_count": "2",
            "_run-csrf_token": page_csrf(web_client, job_url(HELLO)),
        },
        headers={"User-Agent": "pytest-browser/1.0"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    result = JobResult.get()
    assert response.status_code == 302
    assert response.location == f"/results/{result.id}/"
    assert result.status == "PENDING"
    assert result.options["request_meta"] == {
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_USER_AGENT": "pytest-browser/1.0",
    }
    assert result.task_kwargs == {"person_name": "Ada", "greeting_count": 2}  # has_sensitive_variables = False


def test_post_without_csrf_token_is_refused(web_client):
    enable(HELLO)
    response = web_client.post(job_url(HELLO), data={"person_name": "Ada", "greeting_count": "1"})
    assert response.status_code == 400
    assert JobResult.select().count() == 0


def test_disabled_job_is_not_queued(web_client):
    response = run(web_client, HELLO, {"person_name": "Ada", "greeting_count": "1"})
    assert response.status_code == 409
    assert "not enabled" in text(response)
    assert JobResult.select().count() == 0


def test_view_without_run_permission_gets_403_on_post(web_app):
    enable(HELLO)
    user = make_user("viewer")
    grant(user, ["extras.job"], ["view"])
    client = login_as(web_app, user)
    page = text(client.get(job_url(HELLO)))
    assert "You may not run this job" in page
    response = run(client, HELLO, {"person_name": "Ada", "greeting_count": "1"})
    assert response.status_code == 403
    assert "permission to run" in text(response)
    assert JobResult.select().count() == 0


def test_run_permission_constrained_by_grouping(web_app):
    enable(HELLO)
    enable("export_text.ExportText")
    user = make_user("runner")
    grant(user, ["extras.job"], ["view"])
    grant(user, ["extras.job"], ["run"], {"grouping": "Hello Jobs"})
    client = login_as(web_app, user)
    assert run(client, HELLO, {"person_name": "Ada", "greeting_count": "1"}).status_code == 302
    assert run(client, "export_text.ExportText", {}).status_code == 403


def test_queue_selector_and_profile_checkbox(web_app, tmp_path):
    record = enable(HELLO)
    record.task_queues = ["default", "bulk"]
    record.save()
    debug_app = create_app(web_app.config["JOBDECK"].replace(debug=True))
    make_user("root", superuser=True)
    client = login_as(debug_app, make_user("root2", superuser=True))
    page = text(client.get(job_url(HELLO)))
    assert '<select class="input" id="_run-task_queue" name="_run-task_queue">' in page
    assert 'name="_run-profile"' in page
    response = run(
        client,
        HELLO,
        {"person_name": "Ada", "greeting_count": "1", "_run-task_queue": "bulk", "_run-profile": "y"},
    )
    assert response.status_code == 302
    result = JobResult.get()
    assert result.queue == "bulk" and result.options["profile"] is True
    bad = run(client, HELLO, {"person_name": "Ada", "greeting_count": "1", "_run-task_queue": "nope"})
    assert bad.status_code == 400
    assert "Not a valid choice" in text(bad)


# --- template_name ------------------------------------------------------------------------------


def test_custom_template_extends_job_page(web_client):
    page = text(web_client.get(job_url("custom_template.ExampleWithCustomTemplate")))
    assert 'id="custom-panel"' in page
    assert 'id="job-form"' in page  # {{ block.super }} kept the standard content
    assert page.index("<style>") < page.index("</head>")
    assert page.index('id="custom-panel"') < page.index('id="job-form"')
    assert page.index("htmx.min.js") < page.index('custom-count");')


def _set_template(web_app, name: str, content: str | None):
    root = web_app.config["JOBDECK"].jobs_root
    if content is not None:
        (root / name).write_text(content)
    record = JobRecord.get_for_class_path("custom_template.ExampleWithCustomTemplate")
    record.template_name = name
    record.save()
    return f"/jobs/{record.id}/"


def test_missing_template_is_an_alert_not_a_500(web_app, web_client):
    response = web_client.get(_set_template(web_app, "nowhere.html", None))
    assert response.status_code == 200
    assert "was not found" in text(response)
    assert 'id="job-form"' in text(response)


def test_broken_template_is_an_alert_not_a_500(web_app, web_client):
    response = web_client.get(
        _set_template(web_app, "broken.html", "{% extends 'extras/job.html' %}{% block content %}")
    )
    assert response.status_code == 200
    assert "has an error on line 1" in text(response)
    failing = web_client.get(
        _set_template(
            web_app,
            "failing.html",
            "{% extends 'extras/job.html' %}{% block content %}{{ 1 // 0 }}{% endblock %}",
        )
    )
    assert failing.status_code == 200
    assert "failed to render: ZeroDivisionError" in text(failing)


def test_job_form_block_can_be_replaced(web_app, web_client):
    url = _set_template(
        web_app,
        "form_only.html",
        "{% load static %}{% extends 'extras/job.html' %}"
        "{% block job_form %}<p id='own-form'>own</p>{{ block.super }}{% endblock %}"
        "{% block schedule_form %}<p id='sched'>later</p>{% endblock %}",
    )
    page = text(web_client.get(url))
    assert "<p id='own-form'>own</p>" in page and 'id="job-form"' in page and "<p id='sched'>" in page


def test_job_list_query_count_does_not_grow_with_jobs(web_client, monkeypatch):
    from app import db

    def count_queries():
        calls = []
        original = type(db.database.obj).execute_sql
        monkeypatch.setattr(
            type(db.database.obj),
            "execute_sql",
            lambda self, sql, *a, **k: calls.append(sql) or original(self, sql, *a, **k),
        )
        assert web_client.get("/jobs/").status_code == 200
        monkeypatch.undo()
        return len(calls)

    few = count_queries()
    assert few > 0
    for record in JobRecord.select():
        JobResult.create(job_record=record, name=record.name, status="SUCCESS")
    JobRecord.insert_many(
        [
            {
                "module_name": f"m{n}",
                "job_class_name": "J",
                "class_path": f"m{n}.J",
                "name": f"J{n}",
                "installed": True,
            }
            for n in range(40)
        ]
    ).execute()
    assert count_queries() == few


def test_file_upload_is_stored_and_rerun_reuses_it(web_client):
    import io

    from app.models import FileProxy

    enable("read_csv.ReadCSVJob")
    url = job_url("read_csv.ReadCSVJob")
    missing = web_client.post(url, data={"_run-csrf_token": page_csrf(web_client, url)})
    assert missing.status_code == 400 and "This field is required." in text(missing)
    response = web_client.post(
        url,
        content_type="multipart/form-data",
        data={
            "_run-csrf_token": page_csrf(web_client, url),
            "input_file": (io.BytesIO(b"hostname,ip_address\nr1,192.0.2.1\n"), "hosts.csv"),
        },
    )
    assert response.status_code == 302
    result = JobResult.get()
    upload = FileProxy.get(FileProxy.job_result == result)
    assert upload.purpose == "input" and upload.name == "hosts.csv"
    assert result.task_kwargs == {"input_file": str(upload.id)}
    page = text(web_client.get(response.location))
    assert f"/files/{upload.id}/download" in page
    rerun = web_client.post(f"/results/{result.id}/rerun", data={"csrf_token": page_csrf(web_client, "/")})
    assert rerun.status_code == 302
    again = JobResult.select().where(JobResult.id != result.id).get()
    copy = FileProxy.get(FileProxy.job_result == again)
    assert bytes(copy.content) == bytes(upload.content) and copy.name == "hosts.csv"


def test_job_that_cannot_load_shows_why(web_app, web_client):
    enable(HELLO)
    source = web_app.config["JOBDECK"].jobs_root / "hello_jobs.py"
    source.write_text(source.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    page = text(web_client.get(job_url(HELLO)))
    assert "This job cannot be loaded" in page and "broken on purpose" in page
    response = run(web_client, HELLO, {"person_name": "Ada", "greeting_count": "1"})
    assert response.status_code == 409 and "cannot be loaded" in text(response)
    assert JobResult.select().count() == 0


# --- enable / disable toggle --------------------------------------------------------------------


def toggle_url(class_path: str) -> str:
    return f"{job_url(class_path)}enabled/"


def test_job_list_toggle_enables_without_javascript(web_client):
    back = "/jobs/?enabled=false"
    listing = text(web_client.get(back))
    record = JobRecord.get_for_class_path(HELLO)
    assert f'action="{toggle_url(HELLO)}"' in listing and 'aria-label="Enable Say Hello"' in listing
    response = web_client.post(
        toggle_url(HELLO), data={"enabled": "true", "next": back, "csrf_token": page_csrf(web_client, back)}
    )
    assert response.status_code == 302 and response.location == back
    assert JobRecord.get_by_id(record.id).enabled is True
    page = text(web_client.get(back))
    assert "Job “Say Hello” enabled." in page and "Say Hello</a>" not in page  # no longer in the filter
    assert 'aria-label="Disable Say Hello"' in text(web_client.get("/jobs/"))

    response = web_client.post(toggle_url(HELLO), data={"enabled": "false", "csrf_token": page_csrf(web_client, back)})
    assert response.location == f"/jobs/{record.id}/"  # no "next": back to the job page
    assert JobRecord.get_by_id(record.id).enabled is False


def test_job_list_toggle_answers_htmx_with_the_row(web_client):
    record = JobRecord.get_for_class_path(HELLO)
    response = web_client.post(
        toggle_url(HELLO),
        headers={"HX-Request": "true"},
        data={"enabled": "true", "row": "1", "next": "/jobs/", "csrf_token": page_csrf(web_client, "/jobs/")},
    )
    row = text(response)
    assert response.status_code == 200 and row.lstrip().startswith(f'<tr id="job-{record.id}">')
    assert '<span class="badge badge-success">Enabled</span>' in row and 'aria-label="Disable Say Hello"' in row
    assert 'hx-target="closest tr"' in row and "<html" not in row
    assert JobRecord.get_by_id(record.id).enabled is True


def test_job_page_toggle(web_client):
    record = JobRecord.get_for_class_path(HELLO)
    url = job_url(HELLO)
    page = text(web_client.get(url))
    assert f'action="{toggle_url(HELLO)}"' in page and "hx-post" not in page  # a plain form: the page reloads
    response = web_client.post(
        toggle_url(HELLO), data={"enabled": "true", "next": url, "csrf_token": page_csrf(web_client, url)},
        follow_redirects=True,
    )
    page = text(response)
    assert "Job “Say Hello” enabled." in page and "disabled</strong>" not in page
    assert JobRecord.get_by_id(record.id).enabled is True


def test_toggle_refuses_without_csrf_token(web_client):
    response = web_client.post(toggle_url(HELLO), data={"enabled": "true"})
    assert response.status_code == 400 and "could not be accepted" in text(response)
    assert JobRecord.get_for_class_path(HELLO).enabled is False


def test_toggle_needs_change_permission(web_app):
    viewer = make_user("viewer")
    grant(viewer, ["extras.job"], ["view"])
    grant(viewer, ["extras.job"], ["change"], {"grouping": "Examples"})
    client = login_as(web_app, viewer)
    listing = text(client.get("/jobs/"))
    assert 'aria-label="Enable Say Hello"' not in listing  # the state only
    assert 'aria-label="Enable Everything Demo"' in listing  # a job in the grouping they may change
    page = text(client.get(job_url(HELLO)))
    assert "<span class=\"badge\">Disabled</span>" in page and f'action="{toggle_url(HELLO)}"' not in page
    response = client.post(toggle_url(HELLO), data={"enabled": "true", "csrf_token": page_csrf(client, "/")})
    assert response.status_code == 403 and "permission to change the job “Say Hello”" in text(response)
    assert JobRecord.get_for_class_path(HELLO).enabled is False
    assert client.post(toggle_url(EVERYTHING), data={
        "enabled": "true", "csrf_token": page_csrf(client, "/")}).status_code == 302
    assert JobRecord.get_for_class_path(EVERYTHING).enabled is True

    stranger = make_user("stranger")
    client = login_as(web_app, stranger)
    assert client.post(toggle_url(HELLO), data={"enabled": "true", "csrf_token": page_csrf(client, "/")
                                                }).status_code == 404


def test_toggle_refuses_bad_input_and_foreign_redirects(web_client):
    token = page_csrf(web_client, "/jobs/")
    response = web_client.post(toggle_url(HELLO), data={"enabled": "maybe", "csrf_token": token})
    assert response.status_code == 400 and "enabled=true or enabled=false" in text(response)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/"):
        response = web_client.post(toggle_url(HELLO), data={"enabled": "true", "next": target, "csrf_token": token})
        assert response.location == job_url(HELLO), target


def test_home_lists_jobs_waiting_to_be_enabled_and_links_to_all(web_client):
    waiting = JobRecord.select().where(JobRecord.enabled == False, JobRecord.hidden == False).count()  # noqa: E712
    JobRecord.insert_many(
        [{"module_name": f"m{n}", "job_class_name": "J", "class_path": f"m{n}.J", "name": f"Waiting {n:02}",
          "grouping": "Zz", "installed": True} for n in range(12)]
    ).execute()
    home = text(web_client.get("/"))
    shown = re.findall(r'aria-label="Enable ([^"]+)"', home)
    assert len(shown) == 10 and "Say Hello" in shown
    link = f"All {waiting + 12} jobs waiting to be enabled"
    assert f'href="/jobs/?enabled=false&amp;installed=true">{link}' in home
    listing = text(web_client.get("/jobs/?enabled=false&installed=true"))
    assert all(f">Waiting {n:02}</a>" in listing for n in range(12))

    response = web_client.post(toggle_url(HELLO), data={"enabled": "true", "next": "/",
                                                        "csrf_token": page_csrf(web_client, "/")})
    assert response.location == "/"
    assert "Say Hello" not in re.findall(r'aria-label="Enable ([^"]+)"', text(web_client.get("/")))


def test_home_without_more_waiting_jobs_has_no_link(web_client):
    JobRecord.update(enabled=True).where(JobRecord.class_path != HELLO).execute()
    home = text(web_client.get("/"))
    assert re.findall(r'aria-label="Enable ([^"]+)"', home) == ["Say Hello"]
    assert "jobs waiting to be enabled" not in home


def test_favicon_is_linked_and_served_without_login(web_app, web_client):
    assert '<link rel="icon" type="image/svg+xml" href="/favicon.ico">' in text(web_client.get("/"))
    response = web_app.test_client().get("/favicon.ico")  # anonymous, as a browser's own request is
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert text(response).startswith("<svg ")


def test_sensitive_notice_only_for_jobs_with_variables(web_client):
    for class_path in ("web_long_running.LongRunning", "lunch_order.LunchOrder"):
        assert JobRecord.get_for_class_path(class_path).has_sensitive_variables
    assert "sensitive variables" not in text(web_client.get(job_url("web_long_running.LongRunning")))
    page = text(web_client.get(job_url("lunch_order.LunchOrder")))
    assert "sensitive variables</strong>" in page and "Sensitive inputs" in page
