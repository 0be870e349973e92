"""Text helpers job bodies call on object names: ``slugify`` as Django's ``django.utils.text.slugify``."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify"]

_NOT_SLUG = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[\s-]+")


def slugify(value, allow_unicode: bool = False) -> str:
    """A URL-safe slug: ``slugify(" Branch 42 / Paris ")`` -> ``"branch-42-paris"``.

    Lowercases; drops what is not a letter, digit, underscore, space or hyphen; turns runs of spaces
    and hyphens into one hyphen; trims hyphens and underscores at both ends. Accented letters become
    ASCII (``"Zürich"`` -> ``"zurich"``) unless ``allow_unicode=True`` keeps them (``"zürich"``).
    """
    text = str(value)
    if allow_unicode:
        text = unicodedata.normalize("NFKC", text)
    else:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("", text.lower())
    return _SEPARATORS.sub("-", text).strip("-_")
