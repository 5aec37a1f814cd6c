"""Background runs of large imports on the Huey queue."""

from huey.contrib.djhuey import db_task

from imports import services


@db_task()
def run_import(job_id: int, commit: bool) -> None:
    """Check or import a job's file in the worker; progress goes to the queue's store."""
    services.run_job(job_id, commit)
