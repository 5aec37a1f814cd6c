"""The points run in the background: confirmations through the day, expiry at night."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loyalty import nightly, points


@db_periodic_task(crontab(minute="7"))
@lock_task("points-confirmation")
def confirm_points() -> int:
    """Credit the earnings whose confirmation delay has passed (hourly)."""
    return points.confirm_due(timezone.now())


@db_periodic_task(crontab(hour=str(settings.LOYALTY_NIGHT_HOUR), minute="15"))
@lock_task("points-night")
def points_night() -> int:
    """Expire points and warn members (once per cluster at a time)."""
    return nightly.run_night().expired
