"""Background runs of large imports and exports on the Huey queue, and the pruning of old
imports."""

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from imports import exports, privacy, services


@db_task()
def run_import(job_id: int, commit: bool) -> None:
    """Check or import a job's file in the worker; progress goes to the queue's store."""
    services.run_job(job_id, commit)


@db_periodic_task(crontab(hour="3", minute="50"))
@lock_task("prune-imports")
def prune_imports() -> int:
    """Delete old uploaded files and rejected rows' cells (IMPORT_RETENTION_DAYS)."""
    return privacy.prune()


@db_task()
def run_export(record_id: int) -> None:
    """Write an export's file in the worker; progress goes to the queue's store."""
    exports.run_job(record_id)


def queue_export(record_id: int) -> None:
    """Queue a background export once its record is committed (the worker must see it)."""
    transaction.on_commit(lambda: run_export(record_id))
