"""Uploaded files and rejected rows' cells are pruned after IMPORT_RETENTION_DAYS (item 29)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from imports import tasks
from imports.models import ImportJob, Kind, RejectedRow
from imports.privacy import prune
from imports.services import ImportDenied, may_run, prepare_run
from imports.tests.helpers import csv_bytes, run


def rejected_import(user, name: str, age_days: float) -> ImportJob:
    content = csv_bytes([["name", "mobile"], ["Wang Fang", "not a mobile"]])
    job = run(user, Kind.CUSTOMERS, content, name, commit=False)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=age_days)
    )
    job.refresh_from_db()
    return job


def test_old_files_and_cells_go_the_job_and_reasons_stay(rep, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    old = rejected_import(rep, "old.csv", 31)
    recent = rejected_import(rep, "recent.csv", 29)
    assert RejectedRow.objects.get(job=old).values

    assert prune() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and old.rejected_count == 1
    assert RejectedRow.objects.get(job=old).values == [] and RejectedRow.objects.get(job=old).reason
    assert RejectedRow.objects.get(job=recent).values and Path(recent.file.path).exists()
    assert not may_run(old)
    with pytest.raises(ImportDenied, match="upload the file again"):
        prepare_run(rep, old, commit=False)
    assert prune() == 0  # nothing left to do


@pytest.mark.django_db(transaction=True)
def test_the_file_is_deleted_after_the_commit(rep, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    old = rejected_import(rep, "old.csv", 31)
    old_path = Path(old.file.path)
    assert old_path.exists()
    prune()
    assert not old_path.exists()


def test_a_nightly_job_prunes(rep, settings, queue):
    settings.IMPORT_RETENTION_DAYS = 30
    rejected_import(rep, "old.csv", 40)
    assert tasks.prune_imports.s().validate_datetime(datetime.datetime(2026, 5, 1, 3, 50))
    assert tasks.prune_imports.call_local() == 1
