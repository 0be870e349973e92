"""The Git repository form: one validation for the pages and the API (``app.git.repositories``)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length
from wtforms.validators import Optional

from app.git.repositories import cleaned_values
from app.git.repositories import validate
from app.web.admin_forms import InstanceForm

__all__ = ["GitRepositoryForm"]


class GitRepositoryForm(InstanceForm):
    name = StringField("Name", [Length(max=100)])
    slug = StringField("Slug", [Optional(), Length(max=100)],
                       description="Folder under JOBDECK_GIT_ROOT and the jobs' class path prefix "
                                   "(<slug>.jobs.module.Class); from the name when blank. It cannot change later.")
    remote_url = StringField("Remote URL", [Length(max=500)],
                             description="https://, http://, ssh:// or user@host:path.")
    branch = StringField("Branch", [Length(max=200)], default="main")
    username_env = StringField("Username variable", [Optional(), Length(max=100)],
                               description="NAME of the environment variable holding the username (never the "
                                           "value: credentials are not stored).")
    token_env = StringField("Token variable", [Optional(), Length(max=100)],
                            description="NAME of the environment variable holding the token or password.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.slug.render_kw = {"readonly": True}

    def values(self) -> dict:
        return cleaned_values({name: self[name].data for name in
                               ("name", "slug", "remote_url", "branch", "username_env", "token_env")},
                              self.instance)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in validate(self.values(), self.instance).items():
            self[name].errors = [*self[name].errors, message]
            valid = False
        return valid


def save_repository(form: GitRepositoryForm, repository):
    from app.db import utcnow

    for name, value in form.values().items():
        setattr(repository, name, value)
    repository.last_updated = utcnow()
    repository.save()
    return repository
