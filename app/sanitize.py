"""Best-effort redaction of secrets from log messages before they are stored.

The built-in patterns cover credentials in URLs, ``key=value`` / ``key: value`` pairs whose key
names a secret (quoted, unquoted and JSON-ish), HTTP ``Authorization`` headers, bare ``Bearer``
tokens and ``--password value`` command lines. Deployments add their own regexes through
``JOBDECK_SANITIZER_PATTERNS``; see :func:`compile_patterns` for how they apply.

Redaction is best effort: it protects against the common mistakes, not against a job that is
determined to log a secret.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["REDACTED", "compile_patterns", "sanitize"]

REDACTED = "(redacted)"

# A message containing none of these (case-insensitively) cannot match a built-in pattern, so
# most log lines cost one regex search.
_TRIGGER = re.compile(r"pass|pwd|secret|token|key|auth|bearer|credential|@", re.IGNORECASE)

# Key names that announce a secret value. A plain "key" counts only in "key=value" form and must
# start a word (or follow _ or -): "monkey=3" and prose such as "missing key: key1" stay intact.
_SECRET_KEY = r"""
    (?:pass(?:word|wd|phrase)\w*
      | pwd
      | secrets?
      | token
      | api[_-]?key
      | (?:private|secret|access|auth|signing|ssh|encryption|client)[_-]?key
      | (?<![a-z0-9])key(?=["']?[ \t]*=)
      | credentials?)
"""

# A value: double- or single-quoted (with backslash escapes), or a bare word. A bare word stops at
# whitespace, quotes, & and ; (query and connection strings), closing brackets, and at a comma
# followed by a space ("password=x, user=y"); other commas are kept so "a,b" passwords don't leak.
_QUOTED = r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'"""
_BARE = r"""(?!\(redacted\))(?:[^\s"'&;,<>)\]}]|,(?![ \t]|$))+"""

_PAIR = re.compile(
    rf"""(?P<key>{_SECRET_KEY})
         (?P<sep>["']?[ \t]*(?:=>|[:=])[ \t]*)
         (?P<value>{_QUOTED}|{_BARE})""",
    re.IGNORECASE | re.VERBOSE,
)

# "Authorization: Token abc" keeps the scheme word: it tells a reader what kind of secret it was.
_AUTHORIZATION = re.compile(
    r"""(?P<key>authorization["']?[ \t]*(?:=>|[:=])[ \t]*["']?)
        (?P<scheme>(?:token|bearer|basic|digest|jwt|apikey|negotiate)[ \t]+)?+  # no backtracking
        (?!\(redacted\))(?P<value>[^\s"',;&)\]}]+)""",
    re.IGNORECASE | re.VERBOSE,
)

# A bare bearer token in prose; the digit requirement keeps "Bearer authentication" intact.
_BEARER = re.compile(
    r"(?P<key>\bbearer[ \t]+)(?P<value>(?=[\w.~+/-]*\d)[\w.~+/-]{8,}=*)",
    re.IGNORECASE,
)

# "--password hunter2" on a logged command line (the "=" form is covered by _PAIR).
_OPTION = re.compile(
    rf"(?P<key>--[\w-]*{_SECRET_KEY}[ \t]+)(?P<value>{_QUOTED}|(?!--)(?!\(redacted\))[^\s\"']+)",
    re.IGNORECASE | re.VERBOSE,
)

# scheme://user:password@host keeps the user; http(s)://token@host (how Git hosting tokens are
# usually embedded) loses the whole user part. Other schemes' bare users (ssh://git@) are kept.
_URL = re.compile(
    r"""\b(?P<scheme>[a-z][a-z0-9+.-]*://)
        (?:(?P<user>[^\s:/?#@]*):(?P<password>[^\s/?#]+)|(?P<token>[^\s:/?#@]+))@""",
    re.IGNORECASE | re.VERBOSE,
)


def _redact_value(value: str) -> str:
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return f"{value[0]}{REDACTED}{value[0]}"
    return REDACTED


def _pair(match: re.Match) -> str:
    return match["key"] + match["sep"] + _redact_value(match["value"])


def _keyed(match: re.Match) -> str:
    return match["key"] + (match.groupdict().get("scheme") or "") + _redact_value(match["value"])


def _url(match: re.Match) -> str:
    scheme = match["scheme"]
    if match["password"] is not None:
        return f"{scheme}{match['user']}:{REDACTED}@"
    if scheme.lower() in ("http://", "https://"):
        return f"{scheme}{REDACTED}@"
    return match[0]


_BUILTIN = (
    (_URL, _url),
    (_AUTHORIZATION, _keyed),
    (_PAIR, _pair),
    (_OPTION, _keyed),
    (_BEARER, _keyed),
)


def _redact_groups(match: re.Match) -> str:
    """Replace each matched top-level group (or the whole match, without groups)."""
    if match.start() == match.end():
        return ""  # zero-width matches would insert REDACTED between every character
    if not match.re.groups:
        return REDACTED
    text = match.string
    parts = []
    position = match.start()
    for index in range(1, match.re.groups + 1):
        start, end = match.span(index)
        # Unmatched (-1), empty, or nested inside a group already replaced.
        if start < position or start == end:
            continue
        parts.append(text[position:start])
        parts.append(REDACTED)
        position = end
    parts.append(text[position : match.end()])
    return "".join(parts)


@functools.lru_cache(maxsize=16)
def _compile(extra: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    compiled = []
    for pattern in extra:
        if not isinstance(pattern, str):
            raise ValueError(f"sanitizer pattern {pattern!r} is not a string")
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ValueError(f"invalid sanitizer pattern {pattern!r}: {exc}") from None
    return tuple(compiled)


def compile_patterns(extra: Iterable[str]) -> tuple[re.Pattern, ...]:
    """Compile configured extra patterns (cached); raise ValueError naming an invalid one.

    Each match of an extra pattern is redacted: when the pattern has capturing groups only the
    groups' text is replaced (so ``r"community (\\S+)"`` keeps the word "community"), otherwise
    the whole match is. Patterns are used as written: add ``(?i)`` for case-insensitivity.
    """
    return _compile(tuple(extra))


def sanitize(message: str, extra_patterns: tuple[str, ...] = ()) -> str:
    """Return message with the secrets the built-in and extra patterns recognise redacted."""
    if not isinstance(message, str):
        message = str(message)
    if _TRIGGER.search(message):
        for pattern, replace in _BUILTIN:
            message = pattern.sub(replace, message)
    if extra_patterns:
        for pattern in _compile(tuple(extra_patterns)):
            message = pattern.sub(_redact_groups, message)
    return message
