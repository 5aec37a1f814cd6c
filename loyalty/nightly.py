"""The nightly points run: confirmations, expiry and expiry warnings, in that order."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from loyalty import notices, points


@dataclass(frozen=True)
class NightResult:
    confirmed: int
    expired: int
    warned: int


def run_night(now: datetime.datetime | None = None) -> NightResult:
    """Confirm the earnings due, expire the lots whose day has come, and warn the members
    whose points expire LOYALTY_EXPIRY_WARNING_DAYS from today; return the counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    confirmed = points.confirm_due(now)
    expired = points.expire(today)
    warned = notices.expiry_warnings(today, settings.LOYALTY_EXPIRY_WARNING_DAYS)
    return NightResult(confirmed, expired, warned)
