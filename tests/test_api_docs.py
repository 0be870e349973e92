"""The API reference at /api/docs/: Swagger UI (vendored) rendering /api/openapi.json.

The page itself is checked here; tests/test_browser.py opens it in Chromium.
"""

from __future__ import annotations

import re

from tests.test_api_support import api_fixture  # noqa: F401

DOCS = "/api/docs/"


def test_docs_page_is_public_html_without_inline_script(api):
    response = api.get(DOCS, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'data-openapi-url="/api/openapi.json"' in html
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(body.strip() == "" for body in scripts)  # every script is a src= file
    assert "onclick" not in html and "javascript:" not in html


def test_docs_page_sets_its_own_content_security_policy(api):
    policy = api.get(DOCS).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"  # Swagger UI needs no inline styles
    assert directives["img-src"] == "'self' data:"  # its icons are data: SVGs (see app/api/views/docs.py)
    assert "unsafe-eval" not in policy


def test_vendored_files_are_served_with_their_license(api):
    html = api.get(DOCS).get_data(as_text=True)
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert api.client.get(path).status_code == 200, path
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert api.client.get("/static/vendor/swagger-ui-dist/LICENSE").status_code == 200


def test_root_and_document_link_to_the_docs(api):
    assert api.get("/api/").json["docs"] == "http://localhost/api/docs/"
    document = api.get("/api/openapi.json").json
    assert "text/html" in document["paths"]["/api/docs/"]["get"]["responses"]["200"]["content"]
