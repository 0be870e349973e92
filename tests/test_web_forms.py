"""The generated job form in the web UI: ObjectVar choices, the error summary, the empty job list."""

from __future__ import annotations

import re

from app.models import JobRecord
from app.models import JobResult
from tests.conftest import enable
from tests.factories import grant
from tests.factories import login_as
from tests.factories import make_user
from tests.factories import page_csrf
from tests.factories import text

PICK = "web_object_choice.PickJobs"
LONG = "web_long_form.LongForm"
HELLO = "hello_jobs.HelloJobs"


def job_url(class_path: str) -> str:
    return f"/jobs/{JobRecord.get_for_class_path(class_path).id}/"


def post(client, class_path, data):
    url = job_url(class_path)
    return client.post(url, data={**data, "_run-csrf_token": page_csrf(client, url)})


def options_of(page: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the options of <select name=name>."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [
        (re.search(r'value="([^"]*)"', attributes).group(1), label, " selected" in attributes)
        for attributes, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    ]


def names(record_ids) -> list[str]:
    return sorted(JobRecord.get_by_id(pk).name for pk in record_ids)


# -- ObjectVar choices -----------------------------------------------------------------------------


def test_optional_object_choice_is_blank_and_runs_with_none(web_client):
    enable(PICK)
    page = text(web_client.get(job_url(PICK)))
    assert options_of(page, "related")[0] == ("", "No related job", True)
    assert not any(selected for _, _, selected in options_of(page, "related")[1:])
    assert options_of(page, "subject")[0] == ("", "---------", True)  # the disabled placeholder
    assert '<option disabled selected value="">---------</option>' in page
    subject = JobRecord.get_for_class_path(HELLO)
    response = post(web_client, PICK, {"subject": str(subject.id), "related": ""})
    assert response.status_code == 302, text(response)
    result = JobResult.get()
    assert result.task_kwargs == {"subject": str(subject.id), "related": None, "others": []}


def test_required_object_choice_left_on_the_placeholder_is_required(web_client):
    enable(PICK)
    response = post(web_client, PICK, {"related": ""})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert JobResult.select().count() == 0


def restricted_user(web_app):
    """May view and run Pick Jobs and view Say Hello, nothing else."""
    user = make_user("rita")
    grant(user, ["extras.job"], ["view", "run"], {"name": "Pick Jobs"})
    grant(user, ["extras.job"], ["view"], {"name": "Say Hello"})
    return login_as(web_app, user)


def test_object_choices_offer_only_rows_the_user_may_view(web_app):
    enable(PICK)
    client = restricted_user(web_app)
    page = text(client.get(job_url(PICK)))
    assert sorted(label for _, label, _ in options_of(page, "subject")[1:]) == ["Pick Jobs", "Say Hello"]
    assert sorted(label for _, label, _ in options_of(page, "others")[1:]) == ["Pick Jobs", "Say Hello"]


def test_an_object_the_user_may_not_view_is_refused_on_the_form(web_app):
    enable(PICK)
    client = restricted_user(web_app)
    hidden = JobRecord.get_for_class_path("compass.CompassJob")
    response = post(client, PICK, {"subject": str(hidden.id)})
    assert response.status_code == 400
    page = text(response)
    assert "is not one of the available choices." in page
    assert "Compass" not in page  # neither offered nor named back
    assert JobResult.select().count() == 0
    allowed = JobRecord.get_for_class_path(HELLO)
    assert post(client, PICK, {"subject": str(allowed.id)}).status_code == 302


# -- error summary ---------------------------------------------------------------------------------


def test_error_summary_lists_every_field_error_with_a_link(web_client):
    enable(LONG)
    response = post(web_client, LONG, {"hostname": "db1", "site": "par", "rack_units": "60",
                                       "management_ip": "10.0.0", "network": "10.0.0.0/8", "owner": ""})
    assert response.status_code == 400
    page = text(response)
    summary = re.search(r'<div class="alert alert-danger error-summary" id="error-summary"(.*?)</div>', page, re.S)
    assert summary, page
    assert 'tabindex="-1"' in summary.group(1) and "autofocus" in summary.group(1)
    assert "Please correct the 5 errors below" in summary.group(1)
    links = re.findall(r'<a href="#([\w-]+)">([^<]*)</a>', summary.group(1))
    assert [anchor for anchor, _ in links] == ["site", "rack_units", "management_ip", "network", "owner"]
    assert dict(links)["site"] == "Site: Select one of: ams (Amsterdam), lon (London), nyc (New York)."
    assert dict(links)["management_ip"] == "Management ip: Enter an IPv4 or IPv6 address, e.g. 192.0.2.1."
    assert "between 1 and 48" in dict(links)["rack_units"]
    for anchor, _ in links:
        assert f'id="{anchor}"' in page
    # The summary comes before the first field.
    assert page.index('id="error-summary"') < page.index('id="hostname"')


def test_one_error_is_summarized_in_the_singular(web_client):
    enable(LONG)
    response = post(web_client, LONG, {"hostname": "db1", "site": "ams", "rack_units": "2",
                                       "management_ip": "192.0.2.1", "network": "10.0.0.0/16", "owner": ""})
    assert "Please correct the error below" in text(response)


def test_no_summary_without_errors(web_client):
    enable(LONG)
    assert 'id="error-summary"' not in text(web_client.get(job_url(LONG)))


# -- a user who may view no jobs -------------------------------------------------------------------


def test_user_without_permissions_is_told_to_ask_an_administrator(web_app):
    client = login_as(web_app, make_user("newbie"))
    message = "You may not view any jobs yet; ask an administrator."
    assert message in text(client.get("/jobs/"))
    assert "No jobs yet" not in text(client.get("/jobs/"))
    home = text(client.get("/"))
    assert message in home and "All clear" not in home


def test_superuser_without_jobs_still_gets_the_setup_hint(web_client):
    JobRecord.delete().execute()
    page = text(web_client.get("/jobs/"))
    assert "No jobs yet: add job modules" in page
    assert "You may not view any jobs" not in page
