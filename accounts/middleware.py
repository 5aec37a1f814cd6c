"""Per-request behaviour of signed-in users: their language, and the idle sign-out."""

import time
from collections.abc import Callable
from contextlib import suppress

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the user's saved language after LocaleMiddleware picked one from the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


SEEN_KEY = "_seen_at"


class SessionIdleMiddleware:
    """Push a signed-in session's expiry back as it is used, writing at most every few minutes.

    Saving the session on every request turned every page view into a write, which on
    SQLite waits for the single write lock: while a long import committed, browsing users
    got errors. The server-side expiry (SESSION_COOKIE_AGE after the last refresh) is the
    idle sign-out; the cookie itself lasts until the browser closes. When the database is
    busy the refresh is skipped: the session is still valid, and the next request retries.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or session.modified:
            return response
        now = int(time.time())
        if now - session.get(SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[SEEN_KEY] = now
            # Busy (the session backend reports it as UpdateError) or signed out meanwhile.
            with suppress(UpdateError, OperationalError):
                session.save()
            # Saved here or skipped: either way SessionMiddleware has nothing left to write.
            session.modified = False
        return response
