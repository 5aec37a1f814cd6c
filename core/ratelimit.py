"""Count failures per client in the cache, and lock the client out after too many.

The login has django-axes; a wrong API token is counted here, per client address, in the
shared cache (the database cache, or Redis), so every app process sees the same count.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the client's address as the server saw it."""
    return str(request.META.get("REMOTE_ADDR", ""))


class FailureLimit:
    """At most `limit` failures per key within `minutes`; then locked for the rest of them."""

    def __init__(self, scope: str, limit: int, minutes: int) -> None:
        self.scope = scope
        self.limit = limit
        self.seconds = minutes * 60

    def _key(self, who: str) -> str:
        return f"failures:{self.scope}:{who}"

    def locked(self, who: str) -> bool:
        """Return whether this client has used up its failures."""
        return int(cache.get(self._key(who), 0)) >= self.limit

    def fail(self, who: str) -> None:
        """Count one failure; the window starts at the first."""
        key = self._key(who)
        if not cache.add(key, 1, self.seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, self.seconds)


def token_failures() -> FailureLimit:
    """Return the limit on wrong API tokens (API_TOKEN_FAILURE_LIMIT per API_TOKEN_LOCK_MINUTES)."""
    return FailureLimit(
        "api-token", settings.API_TOKEN_FAILURE_LIMIT, settings.API_TOKEN_LOCK_MINUTES
    )
