"""Downloading files a job created (output) or was given (input)."""

from __future__ import annotations

import io
import re

from flask import Blueprint
from flask import abort
from flask import send_file
from flask_login import current_user

from app.models import FileProxy
from app.security import can

bp = Blueprint("files", __name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """A download name without paths, control characters or quotes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned or "download"


@bp.route("/files/<uuid:file_id>/download")
def download(file_id):
    proxy = FileProxy.get_or_none(FileProxy.id == file_id)
    if proxy is None or not can(current_user._get_current_object(), "view", proxy):
        abort(404)
    return send_file(
        io.BytesIO(bytes(proxy.content)),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=safe_filename(proxy.name),
        max_age=0,
    )
