"""Security headers on every response: pages, API, static files, errors and downloads.

No page of Jobdeck runs inline script or style (htmx's indicator style is switched off in base.html
and its rules live in jobdeck.css), so the policy needs neither ``'unsafe-inline'`` nor
``'unsafe-eval'``. A view that sets its own Content-Security-Policy (a download's sandbox, a docs
page) keeps it.

A job's own template (``template_name``, written for Nautobot) may carry inline ``<script>`` and
``<style>`` blocks. Its author is trusted (they write the job's code), so on the page rendered from
it exactly those blocks are allowed, by their SHA-256 as written in the file; blocks that contain
template tags cannot be known in advance and stay blocked.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask
from flask import g
from flask import template_rendered

from app.web.templating import JOB_TEMPLATE_PREFIX
from app.web.templating import JobTemplateLoader

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {sources}" for name, sources in POLICY.items())

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)


def inline_block_hashes(source: str) -> dict[str, list[str]]:
    """``{"script-src": [...], "style-src": [...]}``: CSP hashes of a template's literal inline blocks."""
    found: dict[str, list[str]] = {"script-src": [], "style-src": []}
    for kind, attributes, body in _INLINE_BLOCK.findall(source):
        if "src=" in attributes.lower() or "{{" in body or "{%" in body:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        found[f"{kind.lower()}-src"].append(f"'sha256-{digest}'")
    return found


def _remember_job_template(_app, template, context, **_extra):
    if template.name and template.name.startswith(JOB_TEMPLATE_PREFIX):
        source, _filename, _uptodate = JobTemplateLoader().get_source(None, template.name)
        g.csp_hashes = inline_block_hashes(source)


def content_security_policy() -> str:
    hashes = g.get("csp_hashes")
    if not hashes:
        return CONTENT_SECURITY_POLICY
    policy = {name: " ".join([sources, *hashes.get(name, ())]) for name, sources in POLICY.items()}
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


def _add_headers(response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    template_rendered.connect(_remember_job_template, app)
    app.after_request(_add_headers)
