"""Background runs of large imports and exports on the Huey queue."""

from django.db import transaction
from huey.contrib.djhuey import db_task

from imports import exports, services


@db_task()
def run_import(job_id: int, commit: bool) -> None:
    """Check or import a job's file in the worker; progress goes to the queue's store."""
    services.run_job(job_id, commit)


@db_task()
def run_export(record_id: int) -> None:
    """Write an export's file in the worker; progress goes to the queue's store."""
    exports.run_job(record_id)


def queue_export(record_id: int) -> None:
    """Queue a background export once its record is committed (the worker must see it)."""
    transaction.on_commit(lambda: run_export(record_id))
