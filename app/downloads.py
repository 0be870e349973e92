"""How a job's file leaves the server, from the web page and the API alike: always as a download.

A file a job wrote is data from the job, not a page of this site: it is sent as an attachment, never
with a type a browser renders as active content (HTML, SVG, XML, script), with ``nosniff`` and a
sandboxing policy, so even a file opened in place cannot run script in Jobdeck's origin.
"""

from __future__ import annotations

import io
import mimetypes
import re

from flask import send_file

# Types kept as guessed from the name; anything else (HTML, SVG, XML, JavaScript, unknown) is bytes.
PASSIVE_TYPES = frozenset({
    "text/plain",
    "text/csv",
    "application/json",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
})
POLICY = "default-src 'none'; sandbox"

# Letters and digits of any script survive (sent RFC 5987-encoded); paths, quotes and controls do not.
_UNSAFE = re.compile(r"[^\w.()\[\]+,@= -]+")


def safe_filename(name: str) -> str:
    """A download name without folders, quotes or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned or "download"


def content_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed in PASSIVE_TYPES else "application/octet-stream"


def attachment(name: str, content: bytes):
    """The response that downloads ``content`` as ``name``."""
    response = send_file(
        io.BytesIO(content),
        mimetype=content_type(name),
        as_attachment=True,
        download_name=safe_filename(name),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = POLICY
    return response
