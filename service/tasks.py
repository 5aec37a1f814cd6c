"""The SLA sweep every minute (warnings, breaches, escalations, promises), the work after a
calendar or policy change, and the notices to the people concerned."""

from typing import Any

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from service import notices, sla


@db_periodic_task(crontab(minute="*"))
def sweep_sla() -> int:
    """Mark what came due since the last sweep, then tell the people concerned; one sweep
    at a time per cluster."""
    try:
        with HUEY.lock_task("sla-sweep"):
            result = sla.sweep()
    except TaskLockedException:
        return 0
    for user_id, items in result.notices.items():
        notify_sla(user_id, items)
    return result.warned + result.breached + result.escalated


@db_task(retries=3, retry_delay=30)
def recompute_deadlines(policy_ids: list[int] | None = None) -> int:
    """Work the open tickets' deadlines out again after the calendar or a policy changed
    (retried if a sweep holds the lock: the sweep must not mark by the old deadlines)."""
    with HUEY.lock_task("sla-sweep"):
        return sla.recompute_open_deadlines(policy_ids)


@db_task()
def notify_sla(user_id: int, items: list[list[Any]]) -> int:
    """Tell one person about the tickets warned, breached or escalated to them."""
    return notices.send_sla_notice(user_id, items)
