"""Security headers on every response: pages, API, static files, errors and downloads.

No page runs inline script or style (htmx's indicator style is switched off in base.html and its
rules live in jobdeck.css), so the policy needs neither ``'unsafe-inline'`` nor ``'unsafe-eval'``.
A view that sets its own Content-Security-Policy (a download's sandbox, a docs page) keeps it.
"""

from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
