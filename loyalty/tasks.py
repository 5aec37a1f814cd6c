"""Loyalty's scheduled jobs: points confirmations through the day and expiry at night, the
tier review, the allocation of closed limited products, referral rewards."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loyalty import nightly, points, priority, referrals, tiers


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


@db_periodic_task(crontab(minute="*/5"))
@lock_task("limited-allocation")
def allocate_closed_products() -> int:
    """Allocate the limited products whose reservations have closed (once each)."""
    return priority.allocate_closed()


@db_periodic_task(crontab(hour="3", minute="30"))
@lock_task("referral-rewards")
def issue_referral_rewards() -> int:
    """Reward the referrals whose first paid order has passed the refund window."""
    return referrals.issue_due_rewards().rewarded


@db_periodic_task(crontab(hour="3", minute="15"))
@lock_task("loyalty-tier-review")
def review_tiers() -> int:
    """Review the members due today; return how many were reviewed."""
    return tiers.review_tiers(timezone.localdate()).reviewed
