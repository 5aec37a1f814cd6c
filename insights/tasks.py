"""The nightly scoring job and its clean-up."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from insights.records import RunStatus
from insights.services import prune_old_scores, run_scoring
from sales.services import keep_purchases_up_to_date


@db_periodic_task(crontab(hour=str(settings.INSIGHTS["nightly_hour"]), minute="0"))
@lock_task("nightly-scoring")
def nightly_scoring() -> int:
    """Score every customer as of today, then clear old runs' scores in a task of its own.

    The lock keeps one run per cluster at a time.
    """
    run = run_scoring()
    if run.status == RunStatus.SUCCEEDED:
        prune_scores()
    return run.pk


@db_task()
@lock_task("nightly-scoring")
def prune_scores() -> None:
    """Delete the scores of runs older than the kept ones; bring the purchase file up to date.

    Both after the nightly run, where nobody waits: deleting a run's scores and writing the
    purchase file (or reading every order again, weekly: ~8 s at ten million) are costs the
    run itself then never pays.
    """
    prune_old_scores()
    keep_purchases_up_to_date()
