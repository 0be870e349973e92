"""What may reach git: remote URLs, branch names and slugs checked before git runs; secrets redacted.

Only ``https://``, ``http://``, ``ssh://``, scp-style ``user@host:path`` and (when
``JOBDECK_GIT_ALLOW_FILE_REMOTES`` is set) ``file://`` remotes are accepted. ``ext::`` and every
other ``<transport>::`` form, and anything git could read as an option, are refused.
"""

from __future__ import annotations

import os
import re

from app.config import get_config

__all__ = ["GitInputError", "check_branch", "check_credential_variable", "check_slug", "check_url", "credentials",
           "redact", "redact_url"]

_SCHEMES = ("https://", "http://", "ssh://")
_SCP = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9][A-Za-z0-9.-]*:(?!/)[^\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|$)")


class GitInputError(ValueError):
    """A remote URL, branch or slug that must not reach git; the message says why."""


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise GitInputError("Enter the repository's remote URL.")
    if url.startswith("-"):
        raise GitInputError("A remote URL may not start with \u201c-\u201d (git would read it as an option).")
    if "::" in url.split("/", 1)[0] or url.lower().startswith("ext:"):
        raise GitInputError("Remote helper URLs such as \u201cext::\u201d are refused: "
                            "use https://, ssh:// or user@host:path.")
    if re.search(r"[\x00-\x20\x7f]", url):
        raise GitInputError("A remote URL may not contain spaces or control characters.")
    lowered = url.lower()
    if lowered.startswith("file://"):
        if not get_config().git_allow_file_remotes:
            raise GitInputError("file:// remotes are refused unless JOBDECK_GIT_ALLOW_FILE_REMOTES is set.")
        return url
    if lowered.startswith(_SCHEMES):
        authority = url.split("://", 1)[1].split("/", 1)[0]
        if "@" in authority and ":" in authority.rsplit("@", 1)[0]:
            raise GitInputError("Do not put a password in the remote URL: give the names of environment variables "
                                "holding the username and token instead (they are never stored).")
        host = url.split("://", 1)[1].rsplit("@", 1)[-1]
        if not host or host.startswith(("-", "/")):
            raise GitInputError("The remote URL names no host.")
        return url
    if _SCP.match(url):
        return url
    raise GitInputError("Use an https://, http://, ssh:// or user@host:path remote URL"
                        + (" (or file://)." if get_config().git_allow_file_remotes else "."))


def check_branch(branch: str) -> str:
    branch = (branch or "").strip()
    if not branch:
        raise GitInputError("Enter a branch name.")
    if branch.startswith("-"):
        raise GitInputError("A branch name may not start with \u201c-\u201d (git would read it as an option).")
    if (_BAD_REF.search(branch) or branch.startswith(("/", ".")) or branch.endswith(("/", "."))
            or branch == "@" or len(branch) > 200):
        raise GitInputError(f"\u201c{branch}\u201d is not a valid branch name.")
    return branch


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug or ""):
        raise GitInputError("A slug is lowercase letters, digits, \u201c-\u201d and \u201c_\u201d, starting with a "
                            "letter or digit (at most 100).")
    return slug


def check_credential_variable(name: str) -> str:
    """Refuse Jobdeck's own settings as credentials: git would send them (the secret key, the database
    URL with its password) to whatever remote the repository names."""
    if name.upper().startswith("JOBDECK_"):
        raise GitInputError(f"\u201c{name}\u201d is one of Jobdeck's own settings, never a Git credential: name "
                            "the environment variable that holds the Git username or token.")
    return name


def credentials(repository) -> dict[str, str]:
    """{"username": ..., "token": ...} read from the environment variables the repository names."""
    found = {}
    for key, variable in (("username", repository.username_env), ("token", repository.token_env)):
        if variable:
            check_credential_variable(variable)
            value = os.environ.get(variable, "")
            if value:
                found[key] = value
    return found


def redact_url(url: str) -> str:
    """The URL without any ``user:password@`` part."""
    return _USERINFO.sub(r"\1***@", url or "")


def redact(text: str, secrets=()) -> str:
    """``text`` without URL credentials nor any of ``secrets``."""
    text = redact_url(text or "")
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
