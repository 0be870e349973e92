"""slugify behaves as Django's django.utils.text.slugify."""

import pytest

from app.objects.text import slugify


@pytest.mark.parametrize(("value", "slug"), [
    ("Hello World", "hello-world"),
    ("  Branch 42 / Paris  ", "branch-42-paris"),
    ("multiple   spaces -- and---hyphens", "multiple-spaces-and-hyphens"),
    ("-_edges_-", "edges"),
    ("keep_underscores inside", "keep_underscores-inside"),
    ("Zürich Café", "zurich-cafe"),
    ("ﬁle ①", "file-1"),
    ("日本語 text", "text"),
    ("100% sure!?", "100-sure"),
    (42, "42"),
    ("", ""),
])
def test_slugify_ascii(value, slug):
    assert slugify(value) == slug


@pytest.mark.parametrize(("value", "slug"), [
    ("Zürich Café", "zürich-café"),
    ("日本語 text", "日本語-text"),
    ("ﬁle ①", "file-1"),
    ("Ünïcödé -- ÉTÉ", "ünïcödé-été"),
])
def test_slugify_unicode(value, slug):
    assert slugify(value, allow_unicode=True) == slug
