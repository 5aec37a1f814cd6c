"""The plausible range of a contact's time and of a follow-up's day.

A contact logged, or a follow-up planned, more than YEARS_AWAY years from today is a typo
(9999-12-31, 0001-01-01): it would sort first or last forever and never come due.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

YEARS_AWAY = 5


def _message() -> str:
    return ngettext(
        "The date must be within %(years)d year of today.",
        "The date must be within %(years)d years of today.",
        YEARS_AWAY,
    ) % {"years": YEARS_AWAY}


def _bounds() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    span = datetime.timedelta(days=round(365.25 * YEARS_AWAY))
    return today - span, today + span


def validate_contact_day(day: datetime.date | None) -> None:
    """Refuse a follow-up or next-contact day more than YEARS_AWAY years from today."""
    if day is None:
        return
    earliest, latest = _bounds()
    if not earliest <= day <= latest:
        raise ValidationError(_message(), code="too_far")


def validate_contact_time(moment: datetime.datetime | None) -> None:
    """Refuse a contact time more than YEARS_AWAY years from now, or one no database can
    store (an offset moving it into year 0 or 10000)."""
    if moment is None:
        return
    try:
        day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    except OverflowError:
        raise ValidationError(_message(), code="too_far") from None
    validate_contact_day(day)
