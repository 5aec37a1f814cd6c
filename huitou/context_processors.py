"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def huitou(request: HttpRequest) -> dict[str, object]:
    """Return the currency and the languages offered in the header switch."""
    return {"CURRENCY": settings.CURRENCY, "LANGUAGES": settings.LANGUAGES}
