"""Delivery of domain events (kicked after each commit that emitted, swept every minute) and
the pruning of what core keeps only for a while."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from core import events, idempotency


@db_task()
def dispatch_events() -> int:
    """Deliver every due event; return how many completed."""
    return _deliver_all()


@db_periodic_task(crontab(minute="*"))
def sweep_events() -> int:
    """Deliver what a kick missed (a worker that died, a queue that was down)."""
    return _deliver_all()


@db_periodic_task(crontab(hour="3", minute="30"))
def prune_events() -> int:
    """Delete events kept past their retention."""
    return events.prune_delivered()


@db_periodic_task(crontab(hour="3", minute="40"))
def prune_idempotency_answers() -> int:
    """Delete stored API answers past IDEMPOTENCY_RETENTION_DAYS (one pruner per cluster)."""
    try:
        with HUEY.lock_task("prune-idempotency-answers"):
            return idempotency.prune_answers()
    except TaskLockedException:
        return 0


def _deliver_all() -> int:
    """Deliver until nothing is due; one dispatcher at a time per cluster.

    Two dispatchers would still deliver each event once in effect (core.events), but on
    SQLite the loser would wait on the write lock and back the event off for nothing. A
    kick that finds the lock taken returns at once: the running dispatcher, or the next
    sweep, delivers what it was kicked for.
    """
    try:
        with HUEY.lock_task("event-dispatch"):
            total = 0
            while delivered := events.deliver_pending():
                total += delivered
            return total
    except TaskLockedException:
        return 0
