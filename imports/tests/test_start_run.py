"""Starting a run: small files at once, large ones queued only once the claim has committed."""

import io

import pytest

from imports import services
from imports.models import Kind, Status
from imports.tests.helpers import csv_bytes

ROWS = [["name", "mobile"]] + [[f"C{n}", f"137{n:08d}"] for n in range(20)]


def uploaded(user):
    return services.start_job(user, Kind.CUSTOMERS, io.BytesIO(csv_bytes(ROWS)), "c.csv")


def test_a_large_file_is_queued_on_commit(rep, settings, queue, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_ROWS = 10
    job = uploaded(rep)
    with django_capture_on_commit_callbacks() as callbacks:
        services.start_run(rep, job, commit=False)
        assert queue.pending_count() == 0  # nothing is sent while the claim may roll back
    assert len(callbacks) == 1
    callbacks[0]()
    assert queue.pending_count() == 1
    job.refresh_from_db()
    assert job.status == Status.VALIDATING


def test_a_small_file_runs_at_once(rep, queue):
    job = services.start_run(rep, uploaded(rep), commit=False)
    assert job.status == Status.VALIDATED and queue.pending_count() == 0


def test_a_user_who_may_not_import_is_refused_403(agent, rep):
    job = uploaded(rep)
    with pytest.raises(services.ImportDenied) as refused:
        services.start_run(agent, job, commit=False)
    assert refused.value.status == 403


def test_a_second_start_is_a_conflict_409(rep, settings, queue):
    settings.IMPORT_BACKGROUND_ROWS = 10
    job = uploaded(rep)
    services.start_run(rep, job, commit=False)
    with pytest.raises(services.ImportNotReady) as refused:
        services.start_run(rep, job, commit=False)
    assert refused.value.status == 409
