"""A clear "busy, try again" answer when SQLite's single write lock is held too long.

While a long import or the nightly run commits, a request that must write waits for the
lock (SQLITE_BUSY_TIMEOUT_MS) and then fails with "database is locked". That is not a
fault of the request: the user gets 503 with Retry-After and a sentence in their language,
and nothing was changed (the request's transaction rolled back).
"""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5


def is_busy(error: BaseException) -> bool:
    """Return whether the error is SQLite's "database is locked" (or "table is locked")."""
    return isinstance(error, OperationalError) and "is locked" in str(error)


def busy_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer for a request that could not get the write lock in time."""
    message = _(
        "Huitou is busy saving a large change. Nothing was changed; try again in a few seconds."
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = TemplateResponse(request, "busy.html", {"message": message}, status=503)
        response.render()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    """Answer a request that failed on the write lock with busy_response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None
