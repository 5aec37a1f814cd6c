"""The day's cache of Today's slow sources: their per-day work done once per (user, day).

Care occasions and customers left without contact change with the day, not with the hour,
yet each reads every customer of the rep. `day_cached` keeps what such a source computed
for a user and day until that day ends; the source applies what may change during the day
on top of it, cheaply, and reads the customers fresh (names, owner, archived), so the
cached part holds only ids, dates and settings, never words in one language. The morning
run's `today.snapshot_day` calls every source for every rep, which fills the cache before
the reps start.
"""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

from accounts.models import User

T = TypeVar("T")
# Bumped when the shape of what a source caches changes: an old entry is then never read.
VERSION = 1


# How many items Today asks each source for: the limit whose day's work `forget` drops.
SOURCE_LIMIT = 60


def cache_key(source: str, user_id: int, day: datetime.date, limit: int) -> str:
    """Return the cache key of the source's work for the user, day and limit."""
    return f"today-source:v{VERSION}:{source}:{user_id}:{day.isoformat()}:{limit}"


def seconds_left(day: datetime.date) -> int:
    """Return the seconds from now until the end of the day (company time zone), at least 0."""
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), timezone.get_default_timezone()
    )
    return max(0, int((end - timezone.now()).total_seconds()))


def day_cached(
    source: str, user: User, day: datetime.date, limit: int, build: Callable[[], T]
) -> T:
    """Return the source's work for the user and day: cached, or built and cached until
    the day ends (a day already over is built each time, the cache left alone)."""
    timeout = seconds_left(day)
    if timeout == 0:
        return build()
    key = cache_key(source, user.pk, day, limit)
    found: T | None = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, timeout)
    return found


def forget(source: str, user_id: int, day: datetime.date) -> None:
    """Drop the source's work for the user's Today of the day: something it read changed
    (a life event added or deleted), so the next view builds it again."""
    cache.delete(cache_key(source, user_id, day, SOURCE_LIMIT))
