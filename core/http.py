"""Small request helpers shared by the views."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request, so a view can answer with a fragment."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest) -> str | None:
    """Return the page a form asked to go back to (`next`, e.g. Today), if it is on this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None
