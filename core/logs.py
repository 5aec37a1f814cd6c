"""Log lines without personal data.

An exception's message may quote what the user typed or what is stored: openpyxl put a
customer's name in its IllegalCharacterError, PostgreSQL puts the clashing mobile in
"Key (mobile)=(...) already exists". The formatter keeps every frame of a traceback (file,
line, code) and the exception's type, and withholds its message.
"""

import logging
import traceback
from types import TracebackType

from django.core.exceptions import PermissionDenied

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RedactingFormatter(logging.Formatter):
    """A formatter whose tracebacks name each exception's type but never its message."""

    def formatException(self, ei: ExcInfo) -> str:
        _type, error, _tb = ei
        if error is None:
            return ""
        return "".join(_chain(error, set())).rstrip("\n")


def _chain(error: BaseException, seen: set[int]) -> list[str]:
    """Return the traceback lines of the error and of its causes, as Python prints them."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _chain(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _chain(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_list(traceback.extract_tb(error.__traceback__))
    kind = type(error)
    lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld from the log)\n")
    return lines


class RefusalWithoutTraceback(logging.Filter):
    """Keep a refused request (403) to its one warning line.

    A refusal is the access rule working, not a fault: Django logs it with the exception
    attached, and the console then shows a traceback for every click on a forbidden link.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
