"""Git repositories (``/api/extras/git-repositories/``): a ``crud.py`` resource, plus ``.../<id>/sync/``.

Writes go through the pages' form (app/web/git_form.py), so the API accepts exactly what the pages do.
"""

from __future__ import annotations

from app.api import filters
from app.api.access import api_user
from app.api.access import visible
from app.api.crud import Resource
from app.api.crud import register
from app.api.errors import ApiError
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.form_input import NO_CSRF
from app.api.form_input import TEXT
from app.api.form_input import form_errors
from app.api.form_input import formdata
from app.api.registry import api_route
from app.api.rendering import format_datetime
from app.api.rendering import render
from app.api.schemas import COMPONENTS
from app.api.schemas import STRING
from app.api.schemas import TIME
from app.api.schemas import _header
from app.api.schemas import closed
from app.api.schemas import nullable
from app.api.schemas import ref
from app.api.serializers import api_url
from app.api.serializers import job_result as serialize_result
from app.git.remote import redact_url
from app.git.repositories import delete_repository
from app.git.sync import start_sync
from app.models import GitRepository
from app.models.git import SyncStatus
from app.security import require
from app.web.git_form import GitRepositoryForm
from app.web.git_form import save_repository

FIELDS = ("name", "slug", "remote_url", "branch", "username_env", "token_env")

COMPONENTS["GitRepository"] = closed({
    **_header("extras.gitrepository"), "name": STRING, "slug": STRING,
    "remote_url": {**STRING, "description": "Without any user:password@ part."}, "branch": STRING,
    "username_env": STRING, "token_env": STRING, "provided_contents": {"type": "array", "items": STRING},
    "current_commit": STRING, "last_sync_time": nullable(TIME), "sync_status": {"enum": list(SyncStatus.CHOICES)},
    "sync_error": STRING, "created": TIME, "last_updated": TIME,
})
COMPONENTS["GitRepositorySync"] = closed({"message": STRING, "job_result": ref("JobResult")})


def serialize(repository) -> dict:
    pk = repository.id
    return {
        "id": str(pk), "object_type": "extras.gitrepository", "display": repository.name,
        "url": api_url(f"extras/git-repositories/{pk}/"), "name": repository.name, "slug": repository.slug,
        "remote_url": redact_url(repository.remote_url), "branch": repository.branch,
        "username_env": repository.username_env, "token_env": repository.token_env,
        "provided_contents": list(repository.provided_contents or []), "current_commit": repository.current_commit,
        "last_sync_time": format_datetime(repository.last_sync_time), "sync_status": repository.sync_status,
        "sync_error": repository.sync_error, "created": format_datetime(repository.created),
        "last_updated": format_datetime(repository.last_updated),
    }


def prepare(repository, values: dict):
    instance = repository if repository.id is not None else None
    merged = {name: getattr(repository, name) or "" for name in FIELDS} if instance else {}
    merged.update(values)
    form = GitRepositoryForm(formdata=formdata(merged), instance=instance, meta=NO_CSRF)
    if not form.validate():
        raise ApiError(400, form_errors(form))
    return lambda: save_repository(form, repository)


register(Resource(
    model=GitRepository, rule="/extras/git-repositories/", name="gitrepository", noun="GitRepository",
    label="Git repository", tag="git-repositories",
    filters=FilterSet(
        Filter("id", "Repository id.", filters.any_of(GitRepository.id), filters.parse_integer, {"type": "integer"}),
        Filter("name", "Exact name.", filters.any_of(GitRepository.name)),
        Filter("slug", "Exact slug.", filters.any_of(GitRepository.slug)),
    ),
    order=(GitRepository.name,), serialize=lambda rows: [serialize(row) for row in rows],
    fields={name: TEXT for name in FIELDS},
    descriptions={
        "slug": "Folder and class path prefix; from the name when left out; cannot change.",
        "remote_url": "https://, http://, ssh:// or user@host:path "
                      "(file:// when JOBDECK_GIT_ALLOW_FILE_REMOTES is set).",
        "username_env": "NAME of the environment variable holding the username (credentials are never stored).",
        "token_env": "NAME of the environment variable holding the token.",
    },
    prepare=prepare, required=("name", "remote_url"), replace_required=("name", "remote_url"),
    before_delete=delete_repository,
))


@api_route("/extras/git-repositories/<int:repository_id>/sync/", method="POST", tag="git-repositories",
           summary="Queue a sync of the repository (needs change permission).", response="GitRepositorySync",
           errors=(404,))
def gitrepository_sync(repository_id):
    repository = visible(GitRepository.select(), "GitRepository", GitRepository.id == repository_id)
    user = api_user()
    require(user, "change", repository)
    result = start_sync(repository, user)
    return render({"message": f"Repository {repository.name} sync job added to queue.",
                   "job_result": serialize_result(result)})
