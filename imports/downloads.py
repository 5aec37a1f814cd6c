"""The one answer to every export button, for the pages of every app."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect

from accounts.access import request_user
from customers.services import CustomerFilter
from imports import exports, tasks
from imports.models import ExportFormat


def export_response(
    request: HttpRequest, kind: str, file_format: str, filters: CustomerFilter | Mapping[str, Any]
) -> HttpResponse | StreamingHttpResponse:
    """Answer an export button: stream a small CSV now, or queue the file and show its page.

    Every export view of every app answers through here, so each one is recorded.
    """
    started = exports.start_export(request_user(request), kind, file_format, filters)
    record = started.record
    if started.rows is None:
        tasks.queue_export(record.pk)
        return redirect("imports:export", pk=record.pk)
    content_type, _suffix = exports.FORMATS[ExportFormat(file_format)]
    chunks = exports.csv_chunks(started.rows, exports.encoding_of(file_format))
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(record)}"'
    return response
