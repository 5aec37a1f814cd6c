"""Logging filters the settings attach to Django's loggers."""

import logging

from django.core.exceptions import PermissionDenied


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
