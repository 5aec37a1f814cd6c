"""Small request helpers shared by the views."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request, so a view can answer with a fragment."""
    return request.headers.get("HX-Request") == "true"
