"""Downloading files a job created (output) or was given (input)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask_login import current_user

from app.downloads import attachment
from app.models import FileProxy
from app.security import can

bp = Blueprint("files", __name__)


@bp.route("/files/<uuid:file_id>/download")
def download(file_id):
    proxy = FileProxy.get_or_none(FileProxy.id == file_id)
    if proxy is None or not can(current_user._get_current_object(), "view", proxy):
        abort(404)
    return attachment(proxy.name, bytes(proxy.content))
