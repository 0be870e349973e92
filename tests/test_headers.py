"""Security headers on every kind of response, and job output files that always download."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from app.models import FileProxy
from app.models import JobRecord
from app.models import JobResult
from app.models import Token
from app.models import User
from app.web import headers
from tests.factories import client_login
from tests.support.server import ADMIN_PASSWORD
from tests.support.server import create_user

HTML = b"<html><script>alert(document.cookie)</script></html>"


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'self'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp, (directive, csp)
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


@pytest.fixture
def token(web_client):
    return Token.issue(User.get(User.username == "admin"))[1]


def output_file(name: str, content: bytes = HTML) -> FileProxy:
    record = JobRecord.get_for_class_path("hello_jobs.HelloJobs")
    result = JobResult.create(name=record.name, job_record=record, status="SUCCESS", task_name=record.class_path)
    return FileProxy.create(job_result=result, name=name, size=len(content), content=content)


@pytest.mark.parametrize("url", ["/", "/jobs/", "/results/", "/login", "/static/css/jobdeck.css",
                                 "/static/js/htmx.min.js", "/no-such-page/"])
def test_pages_static_files_and_errors_carry_the_headers(web_client, url):
    response = web_client.get(url)
    assert response.status_code in (200, 302, 404)
    assert_security_headers(response)


def test_anonymous_pages_carry_the_headers(web_app):
    client = web_app.test_client()
    assert_security_headers(client.get("/login"))
    assert_security_headers(client.get("/"))  # the redirect to /login
    assert_security_headers(client.get("/api/extras/jobs/"))  # 403


def test_api_responses_carry_the_headers(web_client, token):
    auth = {"Authorization": f"Token {token}"}
    assert_security_headers(web_client.get("/api/", headers=auth))
    assert_security_headers(web_client.get("/api/no-such-route/", headers=auth))


def test_a_views_own_policy_is_kept(web_app):
    @web_app.route("/own-policy")
    def own_policy():
        return "ok", 200, {"Content-Security-Policy": "default-src 'none'"}

    create_user("ada")
    response = client_login(web_app.test_client(), "ada", ADMIN_PASSWORD).get("/own-policy")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_policy_matches_the_module(web_client):
    assert web_client.get("/").headers["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY


def download_urls(proxy: FileProxy) -> list[str]:
    return [f"/files/{proxy.id}/download", f"/api/extras/file-proxies/{proxy.id}/download/"]


@pytest.mark.parametrize("name", ["report.html", "chart.svg", "feed.xml", "app.js", "page.xhtml"])
def test_active_content_never_downloads_as_renderable(web_client, token, name):
    proxy = output_file(name)
    for url in download_urls(proxy):
        response = web_client.get(url, headers={"Authorization": f"Token {token}"})
        assert response.status_code == 200, url
        assert response.data == HTML
        assert response.mimetype in ("application/octet-stream", "text/plain"), (url, response.mimetype)
        assert response.headers["Content-Disposition"].startswith("attachment;"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_plain_types_are_kept_and_names_are_quoted(web_client, token):
    proxy = output_file('devices "final".csv', b"a,b\n")
    for url in download_urls(proxy):
        response = web_client.get(url, headers={"Authorization": f"Token {token}"})
        assert response.mimetype == "text/csv", url
        assert 'filename="devices _final_.csv"' in response.headers["Content-Disposition"], url


def test_non_ascii_names_use_rfc_5987(web_client, token):
    proxy = output_file("résumé\r\nSet-Cookie: x=1.txt", b"hello")
    for url in download_urls(proxy):
        response = web_client.get(url, headers={"Authorization": f"Token {token}"})
        disposition = response.headers["Content-Disposition"]
        assert response.status_code == 200, url
        assert "filename*=UTF-8''r%C3%A9sum%C3%A9" in disposition, (url, disposition)
        assert "\n" not in disposition
        assert not any("x=1" in cookie for cookie in response.headers.getlist("Set-Cookie"))


TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_templates_hold_no_inline_script_or_style():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE_CODE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_a_job_template_may_keep_its_literal_inline_blocks(web_client):
    record = JobRecord.get_for_class_path("custom_template.ExampleWithCustomTemplate")
    policy = web_client.get(f"/jobs/{record.id}/").headers["Content-Security-Policy"]
    source = (Path(record.source_file).parent / record.template_name).read_text()
    hashes = headers.inline_block_hashes(source)
    assert len(hashes["script-src"]) == 1 and len(hashes["style-src"]) == 1
    assert f"script-src 'self' {hashes['script-src'][0]}" in policy
    assert f"style-src 'self' {hashes['style-src'][0]}" in policy
    # Other pages keep the strict policy.
    assert web_client.get("/jobs/").headers["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY


def test_inline_blocks_with_template_tags_or_a_source_are_not_allowed():
    source = '<script src="/x.js"></script><script>var a = "{{ name }}";</script><style>p{}</style>'
    assert headers.inline_block_hashes(source) == {
        "script-src": [],
        "style-src": ["'sha256-" + base64.b64encode(hashlib.sha256(b"p{}").digest()).decode() + "'"],
    }
