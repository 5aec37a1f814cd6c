"""A file with any rejected row commits nothing, unless the user skips the invalid rows."""

import pytest

from customers.models import Customer
from imports import services
from imports.models import Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, snapshot

pytestmark = pytest.mark.django_db


def rows_with_a_bad_one_at_the_end(count: int) -> list[list[str]]:
    rows = [["name", "mobile"]] + [[f"C{n}", f"137{n:08d}"] for n in range(count)]
    rows.append(["Bad", "not a mobile"])
    return rows


def test_commit_rolls_back_rows_already_written_in_earlier_batches(rep, settings):
    # Batches of 5 rows: the bad row comes after two batches were written in the transaction.
    settings.IMPORT_BATCH_ROWS = 5
    before = snapshot()
    job = services.start_job(
        rep, Kind.CUSTOMERS, _stream(rows_with_a_bad_one_at_the_end(10)), "a.csv"
    )

    job = services.run_job(job.pk, commit=True)

    assert job.status == Status.NOT_COMMITTED and not job.committed
    assert rejected(job) == [(12, "mobile", "Enter a valid mobile number.")]
    assert snapshot() == before


def test_skip_invalid_imports_the_valid_rows(rep):
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows_with_a_bad_one_at_the_end(3)), skip_invalid=True)

    assert job.status == Status.COMMITTED and job.committed
    assert (job.created_count, job.rejected_count) == (3, 1)
    assert Customer.objects.count() == 3


def test_the_import_button_is_refused_after_a_check_with_rejections(rep):
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows_with_a_bad_one_at_the_end(2)), commit=False)

    assert not job.may_commit()
    with pytest.raises(services.ImportNotReady):
        services.prepare_run(rep, job, commit=True)
    assert not Customer.objects.exists()


def _stream(rows):
    import io

    return io.BytesIO(csv_bytes(rows))
