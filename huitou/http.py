"""Small request helpers shared by the views."""

from django.http import HttpRequest

from accounts.models import User


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request, so a view can answer with a fragment."""
    return request.headers.get("HX-Request") == "true"


def request_user(request: HttpRequest) -> User:
    """Return the signed-in user of a view or API call that requires one."""
    assert isinstance(request.user, User)
    return request.user
