"""Background runs of large imports on the Huey queue, and the pruning of old imports."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from imports import privacy, services


@db_task()
def run_import(job_id: int, commit: bool) -> None:
    """Check or import a job's file in the worker; progress goes to the queue's store."""
    services.run_job(job_id, commit)


@db_periodic_task(crontab(hour="3", minute="50"))
@lock_task("prune-imports")
def prune_imports() -> int:
    """Delete old uploaded files and rejected rows' cells (IMPORT_RETENTION_DAYS)."""
    return privacy.prune()
