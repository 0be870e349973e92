"""JSON from users (request bodies, form fields, CLI arguments), parsed with a depth and a size limit.

``json.loads`` recurses once per nesting level, so 100,000 ``[`` end in a RecursionError (a 500).
Every JSON the server parses from outside goes through ``loads`` here instead; a document over a
limit raises JSONLimitError, a ``json.JSONDecodeError``, so each caller's existing handling of
invalid JSON answers it with a sentence.
"""

from __future__ import annotations

import json
import re

__all__ = ["MAX_CHARS", "MAX_DEPTH", "JSONLimitError", "loads"]

MAX_DEPTH = 64
MAX_CHARS = 4 * 1024 * 1024

# A whole string (skipped, so brackets inside it do not count) or one bracket.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class JSONLimitError(json.JSONDecodeError):
    """A JSON document nested too deeply or too long; ``pos`` is where the limit was passed."""


def _too_deep_at(text: str) -> int | None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def loads(text: str | bytes | bytearray):
    """``json.loads`` for untrusted input: at most MAX_DEPTH levels of nesting and MAX_CHARS characters."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    if len(text) > MAX_CHARS:
        raise JSONLimitError(f"JSON longer than {MAX_CHARS:,} characters is not accepted", text, MAX_CHARS)
    position = _too_deep_at(text)
    if position is not None:
        raise JSONLimitError(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted", text, position)
    return json.loads(text)
