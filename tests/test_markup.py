"""Markdown rendering and sanitizing (app/markup.py)."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import flask
import pytest
from markupsafe import Markup

from app import markup
from app.markup import markdown_summary
from app.markup import render_markdown
from app.markup import render_markdown_inline

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<span onmouseover="alert(1)">hover</span>',
    '<svg onload="alert(1)"></svg>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<p style="background:url(javascript:alert(1))">x</p>',
]


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (escaped text is not)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


@pytest.mark.parametrize("source", XSS)
@pytest.mark.parametrize("render", [render_markdown, render_markdown_inline, markdown_summary])
def test_xss_vectors_are_neutralised(render, source):
    for tag, attrs in _Elements(str(render(source))).elements:
        assert tag in markup.ALLOWED_TAGS
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        href = (attrs.get("href") or "").strip().lower()
        assert href.startswith(("http:", "https:", "mailto:", "/", "#")) or href == ""
        assert tag != "a" or attrs.get("rel") == "nofollow noopener"


def test_script_is_escaped_so_the_reader_sees_it():
    assert str(render_markdown("<script>alert(1)</script>")) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_javascript_link_keeps_text_loses_href():
    html = str(render_markdown("[click](javascript:alert(1))"))
    assert html == '<p><a rel="nofollow noopener">click</a></p>'


def test_links_allow_http_https_mailto_and_get_rel():
    html = str(render_markdown('[a](https://example.com "Example") [b](http://x.org) [c](mailto:ops@x.org)'))
    assert '<a href="https://example.com" title="Example" rel="nofollow noopener">a</a>' in html
    assert '<a href="http://x.org" rel="nofollow noopener">b</a>' in html
    assert '<a href="mailto:ops@x.org" rel="nofollow noopener">c</a>' in html


def test_raw_link_rel_is_overridden():
    html = str(render_markdown('<a href="https://x.org" rel="opener" target="_blank">x</a>'))
    assert html == '<p><a href="https://x.org" rel="nofollow noopener">x</a></p>'


def test_relative_links_are_kept():
    assert 'href="/jobs/results/"' in str(render_markdown("[results](/jobs/results/)"))


def test_bold_italic_and_inline_code():
    html = str(render_markdown("**bold** *it* `x < y` <kbd>Ctrl</kbd> <del>old</del>"))
    assert html == (
        "<p><strong>bold</strong> <em>it</em> <code>x &lt; y</code> <kbd>Ctrl</kbd> <del>old</del></p>"
    )


def test_lists_use_sane_lists():
    html = str(render_markdown("- one\n- two\n\n1. first\n2. second"))
    assert html == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>"


def test_tables_with_alignment():
    html = str(render_markdown("| Host | Ports |\n|:-----|------:|\n| rtr1 | 48 |"))
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th align="left">Host</th>' in html and '<td align="right">48</td>' in html


def test_fenced_code_is_escaped_and_keeps_language_class():
    html = str(render_markdown("```python\nprint('<b>hi</b>')\n```"))
    assert html == "<pre><code class=\"language-python\">print('&lt;b&gt;hi&lt;/b&gt;')\n</code></pre>"


def test_code_class_other_than_language_is_dropped():
    assert str(render_markdown('<code class="evil x">y</code>')) == "<p><code>y</code></p>"


def test_headings_blockquote_and_rule():
    html = str(render_markdown("# Title\n\n> quoted\n\n---"))
    assert html == "<h1>Title</h1>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr>"


def test_single_newline_is_not_a_line_break():
    assert str(render_markdown("line one\nline two")) == "<p>line one\nline two</p>"


def test_indented_triple_quoted_description_is_dedented():
    description = """
        Back up device configurations.

        Steps:

        - connect
        - save
    """
    html = str(render_markdown(description))
    assert html.startswith("<p>Back up device configurations.</p>")
    assert "<li>connect</li>" in html and "<pre>" not in html


def test_docstring_style_description_is_dedented():
    html = str(render_markdown("Summary line.\n\n    Details, not a code block."))
    assert html == "<p>Summary line.</p>\n<p>Details, not a code block.</p>"


def test_returns_markup_and_handles_empty_values():
    assert isinstance(render_markdown("x"), Markup)
    assert isinstance(render_markdown_inline("x"), Markup)
    for render in (render_markdown, render_markdown_inline, markdown_summary):
        assert render(None) == Markup("") and render("") == Markup("")


def test_inline_has_no_paragraph_wrapper():
    assert str(render_markdown_inline("Saved **3** configs to `/backups`")) == (
        "Saved <strong>3</strong> configs to <code>/backups</code>"
    )


@pytest.mark.parametrize(
    "line", ["1. done", "# of hosts: 5", "- not a list", "    not code", "> not a quote"]
)
def test_inline_ignores_block_syntax(line):
    html = str(render_markdown_inline(line))
    for tag in ("<ol", "<ul", "<h1", "<pre", "<blockquote", "<p>"):
        assert tag not in html
    assert line.strip().lstrip(">").strip() in html.replace("&gt;", ">")


def test_inline_keeps_links_safe():
    html = str(render_markdown_inline("see [result](https://x.org/r/1) and [bad](javascript:x)"))
    assert html == (
        'see <a href="https://x.org/r/1" rel="nofollow noopener">result</a> '
        'and <a rel="nofollow noopener">bad</a>'
    )


def test_inline_blank_line_becomes_break():
    assert str(render_markdown_inline("first\n\nsecond")) == "first<br><br>second"


def test_summary_is_first_non_blank_line_rendered_inline():
    description = """
        **Backup** all configs.

        Long explanation that must not appear.
    """
    assert str(markdown_summary(description)) == "<strong>Backup</strong> all configs."


def test_summary_of_heading_is_not_a_heading():
    assert str(markdown_summary("# Title\n\nBody")) == "# Title"


def test_init_app_registers_filters():
    app = flask.Flask(__name__)
    markup.init_app(app)
    with app.app_context():
        rendered = flask.render_template_string(
            "{{ a|markdown }}|{{ b|markdown_inline }}|{{ c|markdown_summary }}",
            a="*x*",
            b="<script>",
            c="\n    **S**\n    more",
        )
    assert rendered == "<p><em>x</em></p>|&lt;script&gt;|<strong>S</strong>"


def test_renderers_are_per_thread():
    results = {}

    def work(name):
        results[name] = (id(markup._renderers.block), str(render_markdown(f"**{name}**")))

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["a"][1] == "<p><strong>a</strong></p>" and results["b"][1] == "<p><strong>b</strong></p>"
    assert results["a"][0] != results["b"][0] != id(markup._renderers.block)


def test_markdown_state_does_not_leak_between_documents():
    render_markdown("[ref]: https://leak.example\n\ntext")
    assert "leak.example" not in str(render_markdown("[ref]"))


def test_html_comments_are_dropped():
    assert str(render_markdown("before <!-- internal note --> after")) == "<p>before  after</p>"
