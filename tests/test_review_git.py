"""Review findings on Git repositories: credentials named by environment variable."""

from __future__ import annotations

import pytest

from app.git.remote import GitInputError
from app.git.remote import credentials
from app.models import GitRepository
from tests.test_api_support import admin_key_fixture  # noqa: F401
from tests.test_api_support import api_fixture  # noqa: F401

REPOS = "/api/extras/git-repositories/"


@pytest.mark.parametrize("field, variable", [("token_env", "JOBDECK_SECRET_KEY"),
                                             ("username_env", "JOBDECK_DATABASE_URL"),
                                             ("token_env", "jobdeck_queue_url")])
def test_jobdecks_own_settings_cannot_be_named_as_git_credentials(api, admin_key, field, variable):  # noqa: F811
    # Else whoever may add a repository could have git send the secret key (or the database password)
    # as a password to a remote of their choosing.
    response = api.post(REPOS, admin_key, json={"name": "leak", "remote_url": "https://attacker.example/r.git",
                                                field: variable})
    assert response.status_code == 400, response.json
    assert "Jobdeck's own" in response.json[field][0]
    assert GitRepository.select().count() == 0


def test_a_stored_repository_naming_a_jobdeck_setting_never_hands_it_to_git(jobdeck, monkeypatch):
    monkeypatch.setenv("JOBDECK_SECRET_KEY", "the-real-secret-key")
    repository = GitRepository.create(name="old", slug="old", remote_url="https://attacker.example/r.git",
                                      branch="main", token_env="JOBDECK_SECRET_KEY", provided_contents=["jobs"])
    with pytest.raises(GitInputError, match="Jobdeck's own"):
        credentials(repository)


def test_a_repository_added_again_under_a_deleted_ones_slug_does_not_inherit_enabled_jobs(jobdeck, tmp_path):
    # Another remote under the old slug takes the old records back (settings, results), but its code is
    # not the code that was enabled: whoever may add a repository must not get enabled jobs (and their
    # schedules) running their code without someone who may change jobs enabling them.
    from app.git.repositories import add_repository
    from app.git.repositories import delete_repository
    from app.models import JobRecord
    from tests.support.git_remote import Remote
    from tests.support.git_remote import job_file
    from tests.test_git_sync import sync

    trusted = Remote(tmp_path / "trusted")
    trusted.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha")}, "first")
    repository = add_repository(name="Ops", remote_url=trusted.url)
    assert sync(repository)[0] == "success"
    JobRecord.update(enabled=True).where(JobRecord.class_path == "ops.jobs.alpha.Alpha").execute()
    delete_repository(repository)

    other = Remote(tmp_path / "other")
    other.commit({"jobs/__init__.py": "", "jobs/alpha.py": job_file("Alpha", "2")}, "not the same code")
    again = add_repository(name="Ops again", slug="ops", remote_url=other.url)
    assert sync(again)[0] == "success"
    record = JobRecord.get_for_class_path("ops.jobs.alpha.Alpha")
    assert record.installed and record.repository_id == again.id
    assert record.enabled is False
