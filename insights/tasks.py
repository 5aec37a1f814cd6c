"""The nightly scoring job and its clean-up."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from core.actors import Actor, acting_as
from insights import services
from insights.models import RunStatus
from insights.services import run_scoring, tidy_after_run


@db_periodic_task(crontab(hour=str(settings.INSIGHTS["nightly_hour"]), minute="0"))
@lock_task("nightly-scoring")
def nightly_scoring() -> int:
    """Score every customer as of today, then clear old runs' scores in a task of its own.

    The lock keeps one run per cluster at a time.
    """
    with acting_as(Actor.of_job("nightly-scoring")):
        run = run_scoring()
    if run.status == RunStatus.SUCCEEDED:
        prune_scores()
    return run.pk


@db_task()
@lock_task("nightly-scoring")
def prune_scores() -> None:
    """Delete old runs' scores and bring the purchase file up to date (tidy_after_run)."""
    tidy_after_run()


@db_task()
def run_backtest(record_id: int) -> None:
    """Run a back-test started from its page; progress goes to the queue's store."""
    services.run_backtest(record_id)
