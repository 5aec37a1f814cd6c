"""The dry run checks every row, reports what would happen, and writes nothing."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from imports.models import ExportRecord, Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, snapshot

pytestmark = pytest.mark.django_db


def test_dry_run_reports_counts_and_writes_nothing(rep, make_customer):
    make_customer(rep, name="Same", mobile="13700000001", external_id="E-1")
    make_customer(rep, name="Before", mobile="13700000002", external_id="E-2")
    before = snapshot()
    rows = [
        ["name", "mobile", "external id"],
        ["Same", "13700000001", "E-1"],
        ["After", "13700000002", "E-2"],
        ["New", "13700000003", "E-3"],
        ["Bad", "12", "E-4"],
    ]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows), commit=False)

    assert job.status == Status.VALIDATED and not job.committed
    counts = (job.created_count, job.updated_count, job.unchanged_count, job.rejected_count)
    assert counts == (1, 1, 1, 1)
    assert rejected(job) == [(5, "mobile", "Enter a valid mobile number.")]
    assert snapshot() == before


def download_rejected(user, job) -> bytes:
    """Return the rejected rows as the import page's download link gives them (recorded)."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse("imports:rejected_csv", args=[job.pk]))
    assert response.status_code == 200
    record = ExportRecord.objects.latest("pk")
    assert (record.kind, record.created_by, record.filters) == (
        "rejected_rows",
        user,
        {"import": job.pk},
    )
    return response.getvalue()


def test_rejected_rows_download_as_csv_with_an_error_column(rep):
    rows = [["姓名", "手机"], ["好", "13700000001"], ["坏", "12"], ["", "13700000003"]]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows), commit=False)

    text = download_rejected(rep, job).decode("utf-8")

    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == ["姓名", "手机", "error"]
    assert table[1] == ["坏", "12", "手机: Enter a valid mobile number."]
    assert table[2][:2] == ["", "13700000003"] and "姓名" in table[2][2]


def test_fixed_rejected_file_imports_just_those_rows(rep):
    rows = [["name", "mobile"], ["Good", "13700000001"], ["Bad", "12"]]
    first = run(rep, Kind.CUSTOMERS, csv_bytes(rows), skip_invalid=True)
    assert first.committed and first.created_count == 1
    text = download_rejected(rep, first).decode("utf-8").lstrip("\ufeff")
    fixed = text.replace(",12,", ",13700000002,")

    second = run(rep, Kind.CUSTOMERS, fixed.encode())

    assert second.committed and second.created_count == 1, rejected(second)


def test_reasons_are_in_the_users_language(rep):
    rows = [["姓名", "手机"], ["坏", "12"]]
    from django.utils import translation

    with translation.override("zh-hans"):
        job = run(rep, Kind.CUSTOMERS, csv_bytes(rows), commit=False)

    assert job.language == "zh-hans"
    assert rejected(job)[0][2] != "Enter a valid mobile number."
