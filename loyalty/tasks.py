"""The nightly tier review (loyalty.tiers), once per cluster."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loyalty import tiers


@db_periodic_task(crontab(hour="3", minute="15"))
@lock_task("loyalty-tier-review")
def review_tiers() -> int:
    """Review the members due today; return how many were reviewed."""
    return tiers.review_tiers(timezone.localdate()).reviewed
