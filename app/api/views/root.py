"""The API's entry points: the root (version handshake), app roots, status and the OpenAPI document.

The root lists every app section, registered models' (``dcim``, ``ipam``, ...) included; their own
app roots are answered by app/objects/api.py.
"""

from __future__ import annotations

import datetime
import platform

from flask import current_app

from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import api_url
from app.db import utcnow
from app.models import WorkerHeartbeat
from app.objects.api import app_labels
from app.objects.api import section_index
from app.supervision import worker_supervision

EXTRAS = ("jobs", "job-results", "job-logs", "file-proxies", "scheduled-jobs", "object-changes", "job-queues",
          "workers")


@api_route("/", summary="List the API's sections; its API-Version header is the version handshake.",
           tag="root", public=True, response="ApiRoot")
def root():
    sections = {label: api_url(f"{label}/") for label in {*app_labels(), "extras", "users"}}
    return render({
        **dict(sorted(sections.items())),
        "status": api_url("status/"),
        "openapi": api_url("openapi.json"),
        "docs": api_url("docs/"),
    })


@api_route("/extras/", summary="List the extras endpoints.", tag="root", response="EndpointIndex")
def extras_root():
    return render({**{name: api_url(f"extras/{name}/") for name in EXTRAS}, **section_index("extras")})


@api_route("/users/", summary="List the users endpoints.", tag="root", response="EndpointIndex")
def users_root():
    return render({**{name: api_url(f"users/{name}/") for name in ("users", "groups", "permissions")},
                   **section_index("users")})


def live_workers() -> int:
    config = current_app.config["JOBDECK"]
    since = utcnow() - datetime.timedelta(seconds=config.worker_lost_after)
    return WorkerHeartbeat.select().where(WorkerHeartbeat.last_seen >= since).count()


@api_route("/status/", summary="Versions, the number of live workers, and how `jobdeck serve`'s worker is doing.",
           tag="root", response="Status")
def status():
    from app import __version__

    workers = live_workers()
    return render({
        "jobdeck-version": __version__,
        "python-version": platform.python_version(),
        "workers-running": workers,
        "celery-workers-running": workers,
        "worker-supervision": worker_supervision(current_app),
    })


@api_route("/openapi.json", summary="This API described as an OpenAPI 3 document.", tag="root",
           public=True, response="OpenApiDocument")
def openapi_document():
    from app.api.openapi import build_document

    return render(build_document())
