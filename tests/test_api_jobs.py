"""Jobs endpoints: list, filters, pagination, detail, PATCH and variables (app/api/views/jobs*.py)."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

from app.models import JobQueue
from app.models import JobRecord
from tests.test_api_support import COMPASS
from tests.test_api_support import HELLO
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import grant
from tests.test_api_support import job
from tests.test_api_support import key_for
from tests.test_api_support import make_user

JOBS = "/api/extras/jobs/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["results"]]


def test_list_envelope_and_job_shape(api, admin_key):
    body = api.get(JOBS, admin_key).json
    assert body["count"] == JobRecord.select().count() == len(body["results"])
    assert body["next"] is None and body["previous"] is None
    hello = next(item for item in body["results"] if item["name"] == "Say Hello")
    record = job(HELLO)
    assert hello["id"] == str(record.id)
    assert hello["object_type"] == "extras.job"
    assert hello["display"] == "Say Hello"
    assert hello["url"] == f"http://localhost/api/extras/jobs/{record.id}/"
    assert hello["grouping"] == "Hello Jobs"
    assert hello["module_name"] == "hello_jobs" and hello["job_class_name"] == "HelloJobs"
    assert hello["enabled"] is False and hello["installed"] is True
    assert hello["grouping_override"] is False and hello["task_queues"] == []


def test_filters(api, admin_key):
    record = job(HELLO)
    assert names(api.get(f"{JOBS}?name=Say+Hello", admin_key)) == ["Say Hello"]
    assert names(api.get(f"{JOBS}?grouping=Time+Limits", admin_key)) == ["Hard Time Limit", "Soft Time Limit"]
    assert names(api.get(f"{JOBS}?module_name=compass", admin_key)) == ["CompassJob"]
    assert names(api.get(f"{JOBS}?job_class_name=HelloJobs", admin_key)) == ["Say Hello"]
    assert names(api.get(f"{JOBS}?class_path=local/hello_jobs/HelloJobs", admin_key)) == ["Say Hello"]
    assert names(api.get(f"{JOBS}?id={record.id}", admin_key)) == ["Say Hello"]
    assert names(api.get(f"{JOBS}?q=csv", admin_key)) == ["Read CSV Upload"]
    both = names(api.get(f"{JOBS}?name=Say+Hello&name=CompassJob", admin_key))
    assert sorted(both) == ["CompassJob", "Say Hello"]


def test_boolean_filters(api, admin_key):
    record = job(COMPASS)
    record.enabled, record.hidden = True, True
    record.save()
    gone = job(HELLO)
    gone.installed = False
    gone.save()
    assert names(api.get(f"{JOBS}?enabled=true", admin_key)) == ["CompassJob"]
    assert names(api.get(f"{JOBS}?hidden=True", admin_key)) == ["CompassJob"]
    assert names(api.get(f"{JOBS}?installed=false", admin_key)) == ["Say Hello"]
    assert "CompassJob" not in names(api.get(f"{JOBS}?enabled=0", admin_key))


def test_unknown_filter_is_400(api, admin_key):
    response = api.get(f"{JOBS}?bogus=1&name=x", admin_key)
    assert response.status_code == 400
    assert response.json == {"bogus": ["Unknown filter field"]}


def test_unusable_filter_values_are_400(api, admin_key):
    response = api.get(f"{JOBS}?enabled=maybe&id=nope", admin_key)
    assert response.status_code == 400
    assert set(response.json) == {"enabled", "id"}
    assert "not a valid UUID" in response.json["id"][0]


def test_pagination_links_are_absolute_and_keep_filters(api, admin_key):
    first = api.get(f"{JOBS}?limit=2&q=e", admin_key).json
    assert len(first["results"]) == 2 and first["previous"] is None
    parts = urlsplit(first["next"])
    assert parts.scheme == "http" and parts.netloc == "localhost" and parts.path == JOBS
    assert parse_qs(parts.query) == {"q": ["e"], "limit": ["2"], "offset": ["2"]}
    second = api.get(first["next"], admin_key).json
    assert parse_qs(urlsplit(second["previous"]).query) == {"q": ["e"], "limit": ["2"]}
    seen = [item["id"] for item in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url, admin_key).json
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == first["count"]


def test_limit_zero_gives_the_largest_page(api, admin_key):
    body = api.get(f"{JOBS}?limit=0", admin_key).json
    assert len(body["results"]) == body["count"] and body["next"] is None


def test_limit_is_capped_and_bad_values_fall_back(api, admin_key, monkeypatch):
    from app.api import pagination

    monkeypatch.setattr(pagination, "MAX_LIMIT", 3)
    body = api.get(f"{JOBS}?limit=500", admin_key).json
    assert len(body["results"]) == 3
    assert "limit=3" in body["next"]
    assert len(api.get(f"{JOBS}?limit=0", admin_key).json["results"]) == 3
    assert len(api.get(f"{JOBS}?limit=abc&offset=-4", admin_key).json["results"]) == 3


def test_offset_past_the_end(api, admin_key):
    body = api.get(f"{JOBS}?offset=500", admin_key).json
    assert body["results"] == [] and body["next"] is None and body["previous"]


def test_list_shows_only_viewable_jobs(api):
    user = make_user()
    grant(user, ["view"], ["extras.job"], {"grouping": "Hello Jobs"})
    assert names(api.get(JOBS, key_for(user))) == ["Say Hello"]
    assert names(api.get(JOBS, key_for(make_user()))) == []


def test_detail(api, admin_key):
    record = job(HELLO)
    body = api.get(f"{JOBS}{record.id}/", admin_key).json
    assert body["id"] == str(record.id) and body["class_path"] == HELLO
    assert body["variables_url"] == f"http://localhost/api/extras/jobs/{record.id}/variables/"


def test_detail_404_for_unknown_or_invisible(api, admin_key):
    unknown = api.get(f"{JOBS}00000000-0000-0000-0000-000000000000/", admin_key)
    assert unknown.status_code == 404
    assert unknown.json == {"detail": "No Job matches the given query."}
    user = make_user()
    grant(user, ["view"], ["extras.job"], {"grouping": "Hello Jobs"})
    assert api.get(f"{JOBS}{job(COMPASS).id}/", key_for(user)).status_code == 404
    assert api.get(f"{JOBS}{job(HELLO).id}/", key_for(user)).status_code == 200


def test_patch_enables(api, admin_key):
    record = job(HELLO)
    response = api.patch(f"{JOBS}{record.id}/", admin_key, json={"enabled": True})
    assert response.status_code == 200
    assert response.json["enabled"] is True
    assert job(HELLO).enabled


def test_patch_override_sets_the_flag_and_clearing_restores(api, admin_key):
    JobQueue.ensure(["fast"])  # an override chooses among the job queues
    record = job(HELLO)
    body = api.patch(f"{JOBS}{record.id}/", admin_key,
                     json={"grouping": "Greetings", "soft_time_limit": 30, "task_queues": ["fast"]}).json
    assert body["grouping"] == "Greetings" and body["grouping_override"] is True
    assert body["soft_time_limit"] == 30.0 and body["soft_time_limit_override"] is True
    assert body["task_queues"] == ["fast"] and body["task_queues_override"] is True
    assert body["name_override"] is False
    body = api.patch(f"{JOBS}{record.id}/", admin_key, json={"grouping_override": False}).json
    assert body["grouping"] == "Hello Jobs" and body["grouping_override"] is False
    assert body["soft_time_limit"] == 30.0
    stored = job(HELLO)
    assert stored.grouping == "Hello Jobs" and stored.soft_time_limit_override


def test_patch_validation(api, admin_key):
    record = job(HELLO)
    response = api.patch(f"{JOBS}{record.id}/", admin_key,
                         json={"enabled": "yes", "name": "", "time_limit": -1, "task_queues": "fast",
                               "nonsense": 1, "hidden_override": 3})
    assert response.status_code == 400
    assert set(response.json) == {"enabled", "name", "time_limit", "task_queues", "nonsense", "hidden_override"}
    conflicting = api.patch(f"{JOBS}{record.id}/", admin_key, json={"name": "X", "name_override": False})
    assert conflicting.status_code == 400
    assert job(HELLO).name == "Say Hello"


def test_patch_ignores_read_only_fields(api, admin_key):
    record = job(HELLO)
    body = api.patch(f"{JOBS}{record.id}/", admin_key, json={"installed": False, "module_name": "x"}).json
    assert body["installed"] is True and body["module_name"] == "hello_jobs"


def test_patch_needs_change_permission(api):
    viewer = make_user()
    grant(viewer, ["view"], ["extras.job"])
    record = job(HELLO)
    response = api.patch(f"{JOBS}{record.id}/", key_for(viewer), json={"enabled": True})
    assert response.status_code == 403
    assert not job(HELLO).enabled
    editor = make_user()
    grant(editor, ["view", "change"], ["extras.job"], {"grouping": "Hello Jobs"})
    assert api.patch(f"{JOBS}{record.id}/", key_for(editor), json={"enabled": True}).status_code == 200
    assert api.patch(f"{JOBS}{job(COMPASS).id}/", key_for(editor), json={"enabled": True}).status_code == 404


def test_patch_rejects_non_object_and_bad_json(api, admin_key):
    record = job(HELLO)
    assert api.patch(f"{JOBS}{record.id}/", admin_key, json=[1]).status_code == 400
    response = api.patch(f"{JOBS}{record.id}/", admin_key, data="{", content_type="application/json;")
    assert response.status_code == 400 and "JSON parse error" in response.json["detail"]


def test_variables(api, admin_key):
    body = api.get(f"{JOBS}{job(HELLO).id}/variables/", admin_key).json
    assert body == [
        {"name": "person_name", "type": "StringVar", "label": "Person name",
         "help_text": "Name of the person to greet", "required": True, "default": "world"},
        {"name": "greeting_count", "type": "IntegerVar", "label": "Greeting count",
         "help_text": "How many times to greet", "required": True, "default": 1, "min_value": 1},
    ]
    compass = api.get(f"{JOBS}{job(COMPASS).id}/variables/", admin_key).json
    assert compass[0]["type"] == "ChoiceVar"
    assert compass[0]["choices"][0] == ["n", "North"]


def test_variables_of_an_unloadable_job_is_503(api, admin_key, jobdeck):
    (jobdeck.jobs_root / "hello_jobs.py").write_text("raise ImportError('broken on purpose')\n")
    response = api.get(f"{JOBS}{job(HELLO).id}/variables/", admin_key)
    assert response.status_code == 503
    assert "cannot be loaded" in response.json["detail"]


def test_variables_404(api):
    user = make_user()
    assert api.get(f"{JOBS}{job(HELLO).id}/variables/", key_for(user)).status_code == 404


def test_detail_patch_and_variables_by_class_path_or_name(api, admin_key):
    """GET, PATCH and variables take the same keys run does: id, class path (also legacy), name."""
    record = job(HELLO)
    for key in (HELLO, "local/hello_jobs/HelloJobs", quote("Say Hello")):
        detail = api.get(f"{JOBS}{key}/", admin_key)
        assert detail.status_code == 200, (key, detail.json)
        assert detail.json["id"] == str(record.id)
        variables = api.get(f"{JOBS}{key}/variables/", admin_key)
        assert variables.status_code == 200, (key, variables.json)
        assert [item["name"] for item in variables.json] == ["person_name", "greeting_count"]
    response = api.patch(f"{JOBS}{HELLO}/", admin_key, json={"enabled": True})
    assert response.status_code == 200, response.json
    assert job(HELLO).enabled
    response = api.patch(f"{JOBS}{quote('Say Hello')}/", admin_key, json={"description": "By name"})
    assert response.status_code == 200, response.json
    assert job(HELLO).description == "By name"


def test_unknown_or_ambiguous_key(api, admin_key):
    for key in ("nope.Nope", quote("No Such Job")):
        for path in (f"{JOBS}{key}/", f"{JOBS}{key}/variables/"):
            response = api.get(path, admin_key)
            assert response.status_code == 404, path
            assert response.json == {"detail": "No Job matches the given query."}
        assert api.patch(f"{JOBS}{key}/", admin_key, json={"enabled": True}).status_code == 404
    other = job(COMPASS)
    other.name = "Say Hello"
    other.save()
    response = api.get(f"{JOBS}{quote('Say Hello')}/", admin_key)
    assert response.status_code == 400
    assert "More than one job" in response.json["detail"]


def test_class_path_lookup_needs_view_permission(api):
    runner = make_user()
    grant(runner, ["run"], ["extras.job"])
    assert api.get(f"{JOBS}{HELLO}/", key_for(runner)).status_code == 404
    viewer = make_user()
    grant(viewer, ["view"], ["extras.job"], {"grouping": "Hello Jobs"})
    assert api.get(f"{JOBS}{HELLO}/", key_for(viewer)).status_code == 200
    assert api.get(f"{JOBS}{COMPASS}/variables/", key_for(viewer)).status_code == 404
