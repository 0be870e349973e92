"""Git repositories through the API (checked against the OpenAPI document) and the pages."""

from __future__ import annotations

from app import create_app
from app.models import GitRepository
from app.models import JobRecord
from tests.factories import login_as
from tests.factories import make_user as pages_user
from tests.factories import page_csrf
from tests.factories import text
from tests.support.git_remote import Remote
from tests.support.git_remote import job_file
from tests.support.worker import log_messages
from tests.support.worker import wait_for_result
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401
from tests.test_api_support import grant
from tests.test_api_support import key_for
from tests.test_api_support import make_user

REPOS = "/api/extras/git-repositories/"


def test_create_list_change_sync_and_delete_through_the_api(api, admin_key, jobdeck, tmp_path, worker):
    remote = Remote(tmp_path / "remote")
    remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})

    response = api.post(REPOS, admin_key, json={"name": "Ops", "remote_url": remote.url})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["slug"] == "ops" and body["branch"] == "main" and body["sync_status"] == "never"
    pk = body["id"]

    response = api.post(f"{REPOS}{pk}/sync/", admin_key)
    assert response.status_code == 200, response.json
    result = wait_for_result(response.json["job_result"]["id"], timeout=30)
    assert result.status == "SUCCESS" and "jobs/alpha.py: loaded Alpha" in log_messages(result.id)

    listed = api.get(REPOS, admin_key).json
    assert listed["count"] == 1 and listed["results"][0]["current_commit"] == remote.git("rev-parse", "HEAD")

    response = api.patch(f"{REPOS}{pk}/", admin_key, json={"branch": "--upload-pack=x"})
    assert response.status_code == 400 and "branch" in response.json
    response = api.patch(f"{REPOS}{pk}/", admin_key, json={"slug": "other"})
    assert response.status_code == 400 and "slug" in response.json
    response = api.patch(f"{REPOS}{pk}/", admin_key, json={"token_env": "OPS_TOKEN"})
    assert response.status_code == 200 and response.json["token_env"] == "OPS_TOKEN"

    response = api.delete(f"{REPOS}{pk}/", admin_key)
    assert response.status_code == 204
    assert GitRepository.select().count() == 0
    assert not JobRecord.get_for_class_path("ops.jobs.alpha.Alpha").installed
    assert not (jobdeck.git_root / "ops").exists()


def test_bad_urls_and_permissions(api, admin_key, jobdeck):
    response = api.post(REPOS, admin_key, json={"name": "evil", "remote_url": "ext::sh -c id"})
    assert response.status_code == 400 and "ext::" in response.json["remote_url"][0]
    response = api.post(REPOS, admin_key, json={"name": "creds", "remote_url": "https://u:pw-x@h.example/r.git"})
    assert response.status_code == 400 and "password" in response.json["remote_url"][0]
    response = api.post(REPOS, admin_key, json={"name": "creds", "remote_url": "https://u@h.example/r.git"})
    assert response.status_code == 201 and response.json["remote_url"] == "https://***@h.example/r.git"

    viewer = make_user("viewer")
    grant(viewer, ["view"], ["extras.gitrepository"])
    key = key_for(viewer)
    assert api.get(REPOS, key).json["count"] == 1
    pk = GitRepository.get().id
    assert api.post(f"{REPOS}{pk}/sync/", key).status_code == 403
    assert api.delete(f"{REPOS}{pk}/", key).status_code == 403
    assert api.get(REPOS, key_for(make_user("nobody"))).json["count"] == 0
    assert api.post(f"{REPOS}999/sync/", admin_key).status_code == 404


def test_the_pages_add_show_sync_edit_and_delete(jobdeck, tmp_path):
    client = login_as(create_app(jobdeck), pages_user("root", superuser=True))
    assert client.get("/git-repositories/").status_code == 200

    def post(url, form_url, **data):
        return client.post(url, data={**data, "csrf_token": page_csrf(client, form_url)})

    page = post("/git-repositories/add/", "/git-repositories/add/", name="evil", remote_url="ext::x", branch="main")
    assert page.status_code == 200 and "ext::" in text(page)
    page = post("/git-repositories/add/", "/git-repositories/add/", name="Ops",
                remote_url="https://u:pw-x@h.example/r.git", branch="main")
    assert page.status_code == 200 and "Do not put a password" in text(page)
    response = post("/git-repositories/add/", "/git-repositories/add/", name="Ops",
                    remote_url="https://u@h.example/r.git", branch="main")
    assert response.status_code == 302
    repository = GitRepository.get()
    detail = f"/git-repositories/{repository.id}/"
    assert response.headers["Location"].endswith(detail)  # where Sync now is: a new repository has no jobs yet
    page = text(client.get(detail))
    assert "Sync now" in page and "https://***@h.example/r.git" in page
    assert client.post(f"{detail}sync/").status_code == 400  # no CSRF token: refused, nothing queued
    assert GitRepository.get().sync_status == "never"
    response = post(f"{detail}sync/", detail)
    assert response.status_code == 302 and "/results/" in response.headers["Location"]
    assert GitRepository.get().sync_status == "pending"
    sync_page = text(client.get(response.headers["Location"]))
    assert "Git sync: Ops" in sync_page
    # A sync has no inputs: not "This job has sensitive variables: its inputs were not stored".
    assert "sensitive variables" not in sync_page and "A Git sync takes no input." in sync_page
    edit = f"{detail}edit/"
    response = post(edit, edit, name="Ops", slug="ops", remote_url="https://h.example/r.git", branch="dev")
    assert response.status_code == 302 and GitRepository.get().branch == "dev"
    assert post(f"{detail}delete/", f"{detail}delete/").status_code == 302
    assert GitRepository.select().count() == 0

    other = login_as(create_app(jobdeck), pages_user("viewer"))
    assert other.get("/git-repositories/").status_code == 403


def test_the_run_api_takes_the_legacy_git_class_path(api, admin_key, jobdeck, tmp_path, worker):
    from app.git.repositories import add_repository
    from app.git.sync import create_sync_result
    from app.git.sync import run_sync

    remote = Remote(tmp_path / "remote")
    commit = remote.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")})
    run_sync(create_sync_result(add_repository(name="ops", remote_url=remote.url)).id)
    record = JobRecord.get_for_class_path("ops.jobs.alpha.Alpha")
    record.enabled = True
    record.save()

    response = api.post("/api/extras/jobs/git/ops/alpha/Alpha/run/", admin_key, json={"data": {}})

    assert response.status_code == 201, response.json
    assert response.json["job_result"]["job_model"]["id"] == str(record.id)
    result = wait_for_result(response.json["job_result"]["id"])
    assert result.status == "SUCCESS" and result.git_commit == commit
    assert api.get(f"/api/extras/job-results/{result.id}/", admin_key).json["git_commit"] == commit


def test_the_repository_page_shows_times_with_their_zone_and_statuses_as_badges(jobdeck):
    import datetime
    import re

    client = login_as(create_app(jobdeck), pages_user("root", superuser=True))
    form = "/git-repositories/add/"
    client.post(form, data={"name": "Ops", "remote_url": "https://h.example/r.git", "branch": "main",
                            "csrf_token": page_csrf(client, form)})
    repository = GitRepository.get()
    repository.last_sync_time = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901)
    repository.sync_status = "success"
    repository.save()
    detail = f"/git-repositories/{repository.id}/"
    client.post(f"{detail}sync/", data={"csrf_token": page_csrf(client, detail)})
    page = text(client.get(detail))
    assert "2026-01-02 03:04:05 UTC" in page and ".678901" not in page
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", page), "a sync's time shown raw, without its zone"
    assert '<dl class="props">' in page and 'data-status="PENDING"' in page
