"""Git repository pages: list, add, one repository (with "Sync now"), edit, delete."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from app.git.remote import redact_url
from app.git.repositories import delete_repository
from app.git.sync import TASK_NAME
from app.git.sync import start_sync
from app.models import GitRepository
from app.models import JobRecord
from app.models import JobResult
from app.security import can
from app.security import restrict
from app.web.admin.access import get_or_404
from app.web.admin.access import me
from app.web.admin.access import permit
from app.web.admin.crud import delete_page
from app.web.admin.crud import form_page
from app.web.admin_forms import ConfirmForm
from app.web.git_form import GitRepositoryForm
from app.web.git_form import save_repository

bp = Blueprint("git", __name__, url_prefix="/git-repositories")
bp.add_app_template_filter(redact_url, "redact_url")


@bp.app_context_processor
def _navigation():
    from flask_login import current_user

    return {"can_view_git_repositories": lambda: current_user.is_authenticated and can(me(), "view", GitRepository)}


@bp.route("/")
def repository_list():
    permit("view", GitRepository)
    repositories = list(restrict(GitRepository.select().order_by(GitRepository.name), me(), "view"))
    return render_template("git/list.html", repositories=repositories, can_add=can(me(), "add", GitRepository))


@bp.route("/add/", methods=["GET", "POST"])
def repository_add():
    permit("add", GitRepository)
    return _form_page(GitRepositoryForm(), GitRepository())


@bp.route("/<int:repository_id>/")
def repository_detail(repository_id):
    repository = _visible(repository_id)
    jobs = list(restrict(JobRecord.select().where(JobRecord.repository == repository.id)
                         .order_by(JobRecord.grouping, JobRecord.name), me(), "view"))
    syncs = list(restrict(JobResult.select().where(JobResult.task_name == TASK_NAME)
                          .where(JobResult.options.contains(f'"git_repository":{repository.id}}}'))
                          .order_by(JobResult.date_created.desc()).limit(5), me(), "view"))
    user = me()
    return render_template(
        "git/detail.html", repository=repository, jobs=jobs, syncs=syncs, sync_form=ConfirmForm(),
        can_change=can(user, "change", repository), can_delete=can(user, "delete", repository),
    )


@bp.route("/<int:repository_id>/edit/", methods=["GET", "POST"])
def repository_edit(repository_id):
    repository = _visible(repository_id)
    permit("change", repository)
    return _form_page(GitRepositoryForm(obj=repository, instance=repository), repository)


@bp.route("/<int:repository_id>/sync/", methods=["POST"])
def repository_sync(repository_id):
    repository = _visible(repository_id)
    permit("change", repository)
    if ConfirmForm().validate_on_submit():
        result = start_sync(repository, me())
        flash(f"Sync of {repository} queued.", "success")
        return redirect(url_for("results.result_detail", result_id=result.id))
    flash("The form expired; try again.", "danger")
    return redirect(url_for(".repository_detail", repository_id=repository.id))


@bp.route("/<int:repository_id>/delete/", methods=["GET", "POST"])
def repository_delete(repository_id):
    repository = _visible(repository_id)
    permit("delete", repository)
    return delete_page(
        repository, noun="Git repository", next_url=url_for(".repository_list"),
        cancel_url=url_for(".repository_detail", repository_id=repository.id),
        consequences=["Its jobs become not installed (their results stay).",
                      "Its checkouts under JOBDECK_GIT_ROOT are removed."],
        delete=delete_repository,
    )


def _visible(repository_id) -> GitRepository:
    repository = get_or_404(GitRepository, repository_id)
    permit("view", repository)
    return repository


def _form_page(form, repository):
    return form_page(form, repository, save_repository, noun="Git repository", template="git/form.html",
                     next_url=lambda: url_for(".repository_detail", repository_id=repository.id))
