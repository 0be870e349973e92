"""Output files of job results (``/api/extras/file-proxies/``): metadata and download.

Only output files are served; uploaded inputs stay private (they may belong to a sensitive job).
A file is visible to whoever may view its job result.
"""

from __future__ import annotations

from app.api import filters
from app.api.access import api_user
from app.api.access import visible
from app.api.filters import Filter
from app.api.filters import FilterSet
from app.api.pagination import paginate
from app.api.registry import api_route
from app.api.rendering import render
from app.api.serializers import file_proxy as serialize_file
from app.downloads import attachment
from app.models import FileProxy
from app.security import restrict

FILE_FILTERS = FilterSet(
    Filter("job_result", "The job result's id.", filters.any_of(FileProxy.job_result), filters.parse_uuid,
           filters.UUID),
    Filter("name", "Exact file name.", filters.any_of(FileProxy.name)),
)
_METADATA = [field for field in FileProxy._meta.sorted_fields if field is not FileProxy.content]


def _outputs(*columns):
    return FileProxy.select(*columns).where(FileProxy.purpose == FileProxy.PURPOSE_OUTPUT)


@api_route("/extras/file-proxies/", summary="List the output files you may view.", tag="file-proxies",
           filters=FILE_FILTERS, response="FileProxy")
def file_list():
    query = FILE_FILTERS.apply(restrict(_outputs(*_METADATA), api_user(), "view"))
    return render(paginate(query.order_by(FileProxy.uploaded_at.desc(), FileProxy.id), serialize_file))


@api_route("/extras/file-proxies/<uuid:file_id>/", summary="Get one output file's metadata.",
           tag="file-proxies", response="FileProxy", errors=(404,))
def file_detail(file_id):
    return render(serialize_file(visible(_outputs(*_METADATA), "FileProxy", FileProxy.id == file_id)))


@api_route("/extras/file-proxies/<uuid:file_id>/download/", summary="Download an output file.",
           tag="file-proxies", binary=True, errors=(404,))
def file_download(file_id):
    proxy = visible(_outputs(), "FileProxy", FileProxy.id == file_id)
    return attachment(proxy.name, bytes(proxy.content))
