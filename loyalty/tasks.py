"""Loyalty's scheduled jobs: the allocation of closed limited products, referral rewards."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from loyalty import priority, referrals


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
