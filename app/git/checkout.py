"""Fetching a repository's branch and keeping one read-only checkout per commit.

Layout under ``JOBDECK_GIT_ROOT``::

    <slug>/repo.git/             a bare clone: fetch updates refs/remotes/origin/<branch>
    <slug>/commits/<sha>/        the files of one commit (``git archive``), built in a temporary
                                 folder then renamed into place, never changed afterwards

Runs load a job from the folder of its commit, so a sync (a new folder) never changes running code,
and a machine that lacks a commit fetches it first. The remote URL is never stored in the clone:
it is given to each ``git fetch``, with credentials handed over by a credential helper that reads
them from the environment, so neither the URL's config nor any log holds them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

import git

from app.config import get_config
from app.git.remote import check_branch
from app.git.remote import check_slug
from app.git.remote import check_url
from app.git.remote import credentials
from app.git.remote import redact
from app.git.remote import redact_url

__all__ = ["GitError", "commit_dir", "ensure_commit", "fetch_branch", "prune_commits", "remove_checkouts",
           "repository_dir", "touch_commit"]

_SHA = re.compile(r"^[0-9a-f]{40}$")
# Reads the credentials from the environment of the git process: never on a command line or on disk.
_CREDENTIAL_HELPER = ('!f() { test "$1" = get || exit 0; '
                      'test -n "$JOBDECK_GIT_USERNAME" && echo "username=$JOBDECK_GIT_USERNAME"; '
                      'test -n "$JOBDECK_GIT_TOKEN" && echo "password=$JOBDECK_GIT_TOKEN"; }; f')


class GitError(Exception):
    """A git operation failed; the message is safe to show and log (no credentials)."""


def repository_dir(slug: str) -> Path:
    """``<git_root>/<slug>``, refused when it would not lie directly under the git root."""
    root = Path(get_config().git_root).resolve()
    path = (root / check_slug(slug)).resolve()
    if path.parent != root:
        raise GitError(f"The checkout of {slug!r} would leave the git root {root}.")
    return path


def commit_dir(slug: str, sha: str) -> Path:
    if not _SHA.match(sha or ""):
        raise GitError(f"{sha!r} is not a commit id.")
    return repository_dir(slug) / "commits" / sha


@contextlib.contextmanager
def _bare_repo(slug: str):
    """The repository's bare clone, held under a lock: syncs and the worker processes of one machine
    fetch and extract one at a time (git's own ref locks would make the second fail)."""
    folder = repository_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = folder / "repo.git"
        repo = git.Repo(path) if (path / "HEAD").is_file() else git.Repo.init(path, bare=True, mkdir=True)
        try:
            yield repo
        finally:
            repo.close()


def _environment(repository) -> tuple[dict[str, str], list[str]]:
    """The git process's environment for ``repository``, and the secret values to redact."""
    allowed = "https:http:ssh" + (":file" if get_config().git_allow_file_remotes else "")
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": allowed, "GIT_CONFIG_NOSYSTEM": "1",
           # ssh must fail rather than ask (a host key, a passphrase): no one is there to answer.
           "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}
    found = credentials(repository)
    if found:
        env.update(
            JOBDECK_GIT_USERNAME=found.get("username", ""),
            JOBDECK_GIT_TOKEN=found.get("token", ""),
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="credential.helper",
            GIT_CONFIG_VALUE_0=_CREDENTIAL_HELPER,
        )
    return env, [found.get("token", ""), found.get("username", "")]


def _explain(exc: git.GitCommandError, secrets) -> str:
    stderr = (exc.stderr or "").strip()
    stderr = re.sub(r"^stderr: '?|'$", "", stderr).strip()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return redact("; ".join(lines[-3:]) or f"git exited with status {exc.status}", secrets)


def _fetch(repo, repository, refspec: str) -> None:
    env, secrets = _environment(repository)
    url = check_url(repository.remote_url)
    try:
        with repo.git.custom_environment(**env):
            repo.git.fetch("--no-tags", "--force", "--end-of-options", url, refspec)
    except git.GitCommandError as exc:
        raise GitError(redact(f"git fetch from {redact_url(url)} failed: {_explain(exc, secrets)}", secrets)) from None


def _has_commit(repo, sha: str) -> bool:
    try:
        repo.git.cat_file("-e", f"{sha}^{{commit}}")
    except git.GitCommandError:
        return False
    return True


def fetch_branch(repository) -> str:
    """Fetch the repository's branch; return the commit it points to. Raises GitError."""
    branch = check_branch(repository.branch)
    with _bare_repo(repository.slug) as repo:
        try:
            _fetch(repo, repository, f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        except GitError as exc:
            if "couldn't find remote ref" in str(exc):
                remote = redact_url(repository.remote_url)
                raise GitError(f"The branch \u201c{branch}\u201d does not exist on {remote}.") from None
            raise
        return repo.git.rev_parse("--verify", "--end-of-options", f"refs/remotes/origin/{branch}^{{commit}}").strip()


def ensure_commit(repository, sha: str) -> Path:
    """The folder holding commit ``sha``'s files, fetched and extracted first when this machine lacks it."""
    target = commit_dir(repository.slug, sha)
    if target.is_dir():
        return target
    with _bare_repo(repository.slug) as repo:
        if target.is_dir():  # another process of this machine made it while we waited for the lock
            return target
        if not _has_commit(repo, sha):
            with contextlib.suppress(GitError):
                _fetch(repo, repository, f"+refs/heads/{check_branch(repository.branch)}:"
                                         f"refs/remotes/origin/{repository.branch}")
        if not _has_commit(repo, sha):
            with contextlib.suppress(GitError):
                _fetch(repo, repository, sha)
        if not _has_commit(repo, sha):
            raise GitError(
                f"commit {sha} of the Git repository \u201c{repository.name}\u201d is not on this machine and could "
                f"not be fetched from {redact_url(repository.remote_url)} (the branch may have been force-pushed "
                "since the last sync: sync the repository again)"
            )
        _extract(repo, sha, target)
    return target


def _extract(repo, sha: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=f".{sha}.", dir=target.parent))
    try:
        with tempfile.TemporaryFile() as archive:
            repo.archive(archive, sha, format="tar")
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(draft, filter="data")
        try:
            os.rename(draft, target)
        except OSError:
            if not target.is_dir():  # another process made it meanwhile: theirs is the same commit
                raise
    finally:
        shutil.rmtree(draft, ignore_errors=True)


def touch_commit(slug: str, sha: str) -> None:
    """Mark a commit's folder as used now (a run starts from it): pruning leaves it alone a while."""
    with contextlib.suppress(OSError):
        os.utime(commit_dir(slug, sha))


def prune_commits(slug: str, keep: set[str], idle_seconds: float) -> list[str]:
    """Delete this machine's commit folders of ``slug`` not in ``keep`` and unused for ``idle_seconds``."""
    folder = repository_dir(slug) / "commits"
    removed = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for entry in folder.iterdir():
        if not _SHA.match(entry.name) or entry.name in keep:
            continue
        try:
            idle = now - entry.stat().st_mtime
        except OSError:
            continue
        if idle > idle_seconds:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def remove_checkouts(slug: str) -> None:
    """Delete the clone and every commit folder of a repository."""
    shutil.rmtree(repository_dir(slug), ignore_errors=True)
