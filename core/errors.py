"""One domain error type, raised by services and translated the same way by pages and API.

A service that refuses a change raises a DomainError whose message is already in the
user's language (gettext) and optionally names the field it is about. The API answers
with the one error format and the kind's status; pages answer with the same status and
the message (core.errors.DomainErrorMiddleware), or a view puts it on its form
(core.forms.add_domain_error). One HTTP status per kind of error, everywhere.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import Promise


class DomainError(Exception):
    """A rule refused what was asked; nothing was changed."""

    status = 422

    def __init__(self, message: str | Promise, field: str = "") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class Invalid(DomainError):
    """The request breaks a rule about the data (422)."""


class Forbidden(DomainError):
    """The acting user may not do this (403)."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist, or the user may not know it exists (404)."""

    status = 404


class Conflict(DomainError):
    """The request clashes with the current state, e.g. a duplicate (409)."""

    status = 409


def refused_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """Return the page answer for a refused request: its status and the message."""
    response = TemplateResponse(
        request, "refused.html", {"message": error.message}, status=error.status
    )
    response.render()
    return response


class DomainErrorMiddleware:
    """Answer a page request whose service raised a DomainError (the API has its handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return refused_response(request, exception)
        return None
