"""The one rule for text from outside: no control characters, and no NUL in an address.

Control characters (U+0000-U+001F except tab, line feed and carriage return, and U+007F)
have no business in a name, a note or an order number: PostgreSQL refuses NUL in text,
spreadsheets refuse the rest, and none of them can be typed. Forms (core.forms), API
schemas (core.schemas.Input) and import cells (imports.rows) refuse them with the same
words; NulQueryMiddleware answers a query string with a NUL before any view reads it.
Carriage return is allowed because browsers send a textarea's line breaks as CR LF and
Excel keeps them in multi-line cells.
"""

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """Return whether the text holds a character no one can type (see the module)."""
    return CONTROL_CHARACTERS.search(value) is not None


def control_characters_message() -> str:
    """Return the refusal in the user's language (never quoting the text: it may be data)."""
    return _(
        "This text contains a control character (such as NUL); remove it or type the text again."
    )


def validate_text(value: object) -> None:
    """Raise ValidationError when a text (or a list of texts) holds a control character."""
    values = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(item, str) and has_control_characters(item) for item in values):
        raise ValidationError(control_characters_message(), code="control_characters")


def without_control_characters(value: str) -> str:
    """Return the text with its control characters removed, for writing stored text out."""
    return CONTROL_CHARACTERS.sub("", value)


class NulQueryMiddleware:
    """Answer 400 to a query string with a NUL byte, before a view passes it to a database.

    PostgreSQL refuses NUL in any text parameter (a DataError, answered 500), SQLite
    silently cuts the text there. A 400 names the parameter: the API in its error format,
    a page with the refusal page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return self.refuse(request, name.replace("\x00", ""))
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, name: str) -> HttpResponse:
        message = _("The address contains a NUL character in the parameter %(name)s.") % {
            "name": name
        }
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"field": name, "message": message}]}, status=400)
        return render(request, "refused.html", {"message": message}, status=400)
