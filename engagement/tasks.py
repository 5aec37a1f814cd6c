"""Sending in the background (one task per message or chunk, queued on commit, and a
sweep) and the morning run."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException

from engagement import campaigns, morning, services


@db_task()
def deliver_message(message_id: int) -> str:
    """Send one queued message (a second worker on the same message does nothing)."""
    return services.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> int:
    """Send what is due and was not sent: the end of quiet hours, retries, killed workers."""
    try:
        with HUEY.lock_task("message-sweep"):
            return services.sweep()
    except TaskLockedException:
        return 0


@db_task()
def deliver_messages(message_ids: list[int]) -> int:
    """Send a bulk send's queued messages due at one time (one task per chunk and time)."""
    return services.deliver_many(message_ids)


@db_periodic_task(crontab(hour=str(settings.MORNING_RUN_HOUR), minute="0"))
@lock_task("morning-run")
def morning_run() -> int:
    """Plan the day (engagement.morning); the lock keeps one run per cluster at a time."""
    return morning.run_morning(timezone.localdate()).greetings


@db_task()
def prepare_campaign_task(campaign_id: int) -> int:
    """Draw and send a campaign (engagement.campaigns.prepare); one worker per campaign."""
    try:
        with HUEY.lock_task(f"campaign-{campaign_id}"):
            return campaigns.prepare(campaign_id)
    except TaskLockedException:
        return 0
