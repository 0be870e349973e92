"""Adding, changing and deleting Git repositories (the CLI, the pages and the API call these)."""

from __future__ import annotations

import re

from app.db import database
from app.db import utcnow
from app.git.checkout import remove_checkouts
from app.git.remote import GitInputError
from app.git.remote import check_branch
from app.git.remote import check_credential_variable
from app.git.remote import check_slug
from app.git.remote import check_url
from app.models import GitRepository
from app.models import JobRecord

__all__ = ["GitInputError", "add_repository", "cleaned_values", "delete_repository", "slugify", "validate"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:100] or "repository"


def validate(values: dict, instance: GitRepository | None = None) -> dict[str, str]:
    """Per-field errors for a repository's values (empty when they may be saved)."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter a name."
    elif _others(instance).where(GitRepository.name == name).exists():
        errors["name"] = f"A Git repository named \u201c{name}\u201d already exists."
    slug = values.get("slug") or ""
    try:
        check_slug(slug)
        if instance is not None and slug != instance.slug:
            errors["slug"] = "The slug cannot change: it names the checkout folder and the jobs' class paths."
        elif _others(instance).where(GitRepository.slug == slug).exists():
            errors["slug"] = f"A Git repository with the slug \u201c{slug}\u201d already exists."
    except GitInputError as exc:
        errors["slug"] = str(exc)
    for field, check in (("remote_url", check_url), ("branch", check_branch)):
        try:
            check(values.get(field) or "")
        except GitInputError as exc:
            errors[field] = str(exc)
    for field in ("username_env", "token_env"):
        value = values.get(field) or ""
        if value and not _ENV_NAME.match(value):
            errors[field] = "Give the NAME of an environment variable (letters, digits and _), not its value."
        elif value:
            try:
                check_credential_variable(value)
            except GitInputError as exc:
                errors[field] = str(exc)
    return errors


def _others(instance):
    query = GitRepository.select()
    return query if instance is None else query.where(GitRepository.id != instance.id)


def cleaned_values(values: dict, instance: GitRepository | None = None) -> dict:
    """The values as stored: stripped, the slug from the name when blank (an edit keeps its slug)."""
    values = {**values, "slug": instance.slug} if instance is not None and not values.get("slug") else values
    return _clean(values)


def _clean(values: dict) -> dict:
    return {
        "name": (values.get("name") or "").strip(),
        "slug": (values.get("slug") or "").strip() or slugify(values.get("name") or ""),
        "remote_url": (values.get("remote_url") or "").strip(),
        "branch": (values.get("branch") or "").strip() or "main",
        "username_env": (values.get("username_env") or "").strip(),
        "token_env": (values.get("token_env") or "").strip(),
    }


def add_repository(**values) -> GitRepository:
    """Create a repository; raises GitInputError naming every bad field."""
    cleaned = _clean(values)
    errors = validate(cleaned)
    if errors:
        raise GitInputError(" ".join(f"{field}: {message}" for field, message in errors.items()))
    return GitRepository.create(**cleaned, provided_contents=["jobs"])


def delete_repository(repository: GitRepository) -> int:
    """Delete a repository: its jobs become uninstalled (their results stay), its checkouts go."""
    with database.atomic():
        count = (JobRecord.update(installed=False, last_updated=utcnow())
                 .where(JobRecord.repository == repository.id).execute())
        repository.delete_instance()
    remove_checkouts(repository.slug)
    return count
