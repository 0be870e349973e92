"""Markdown for descriptions and log lines: Markdown → bleach allowlist → ``Markup``.

The only place Markdown becomes HTML. Raw HTML in the source is allowed through Markdown and then
filtered: tags outside the allowlist are escaped (shown as text), attributes outside it (event
handlers, ``style``) are dropped, and links keep only http, https, mailto or relative targets.
"""

from __future__ import annotations

import re
import textwrap
import threading

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markupsafe import Markup

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "init_app",
    "markdown_summary",
    "render_markdown",
    "render_markdown_inline",
]

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "del", "kbd", "span", "code", "pre",
        "ul", "ol", "li", "a", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
# Characters that can start inline Markdown or HTML; a log line without any is plain text.
_INLINE_SYNTAX = re.compile(r"[*_`\[\]<>&\\~\n]")


def _cell_align(tag: str, name: str, value: str) -> bool:
    return name == "align" and value in ("left", "center", "right")


def _code_language(tag: str, name: str, value: str) -> bool:
    # fenced_code marks the language as class="language-x", which a highlighter can use.
    return name == "class" and value.startswith("language-") and " " not in value


ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "th": _cell_align, "td": _cell_align, "code": _code_language}


class _LinkRelFilter(Filter):
    """Mark every surviving link nofollow/noopener (runs after bleach's sanitizer)."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


def _block_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    _drop_images(md)
    return md


def _inline_markdown() -> markdown.Markdown:
    """Markdown that only knows inline syntax: a log line "1. done" or "# of hosts" stays text."""
    md = markdown.Markdown(output_format="html")
    for name in [item.name for item in md.parser.blockprocessors._priority]:
        if name not in ("empty", "paragraph"):
            md.parser.blockprocessors.deregister(name)
    md.preprocessors.deregister("html_block")
    _drop_images(md)
    return md


def _drop_images(md: markdown.Markdown) -> None:
    # <img> is not allowed; without the image patterns "![x](url)" renders as "!" plus a link
    # instead of an escaped <img> tag.
    for name in ("image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name, strict=False)


class _Renderers(threading.local):
    """Markdown and Cleaner instances are stateful and not thread-safe: one set per thread."""

    def __init__(self):
        self.block = _block_markdown()
        self.inline = _inline_markdown()
        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=False,
            strip_comments=True,
            filters=[_LinkRelFilter],
        )


_renderers = _Renderers()


def _dedent(text: str) -> str:
    """Dedent an indented description, including the docstring style whose first line is not."""
    text = textwrap.dedent(text)
    head, newline, tail = text.partition("\n")
    if head.strip():
        text = head + newline + textwrap.dedent(tail)
    return text.strip("\n")


def _convert(md: markdown.Markdown, text: str) -> str:
    md.reset()
    return md.convert(text)


def render_markdown(text: str | None) -> Markup:
    """Render a Markdown document (a job description, say) to safe HTML."""
    if not text:
        return Markup("")
    html = _convert(_renderers.block, _dedent(str(text)))
    return Markup(_renderers.cleaner.clean(html))


def render_markdown_inline(text: str | None) -> Markup:
    """Render one log line: inline Markdown only, no wrapping ``<p>``."""
    if not text:
        return Markup("")
    text = str(text)
    if not _INLINE_SYNTAX.search(text):
        return Markup.escape(text)  # most log lines: skip the Markdown and bleach passes
    html = _convert(_renderers.inline, text).strip()
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    # Blank lines in a multi-line message: keep the break, not the paragraph markup.
    html = html.replace("</p>\n<p>", "<br><br>")
    return Markup(_renderers.cleaner.clean(html))


def markdown_summary(text: str | None) -> Markup:
    """The first non-blank line of a description, rendered inline."""
    for line in _dedent(str(text or "")).splitlines():
        if line.strip():
            return render_markdown_inline(line.strip())
    return Markup("")


def init_app(app) -> None:
    """Register the ``markdown``, ``markdown_inline`` and ``markdown_summary`` Jinja filters."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_markdown_inline, "markdown_inline")
    app.add_template_filter(markdown_summary, "markdown_summary")
