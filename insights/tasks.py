"""The nightly scoring job."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from insights.services import run_scoring


@db_periodic_task(crontab(hour=str(settings.INSIGHTS["nightly_hour"]), minute="0"))
@lock_task("nightly-scoring")
def nightly_scoring() -> int:
    """Score every customer as of today; the lock keeps one run per cluster at a time."""
    return run_scoring().pk
