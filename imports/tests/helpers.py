"""Build import files in memory and run them through the services, as the pages do."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from accounts.models import User
from customers.models import Customer, ProfileChange
from imports import services
from imports.models import ImportJob
from sales.models import CustomerStats, Order, OrderLine


def csv_bytes(
    rows: Sequence[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(
    user: User,
    kind: str,
    content: bytes,
    name: str = "file.csv",
    *,
    commit: bool = True,
    skip_invalid: bool = False,
    encoding: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportJob:
    """Upload, check, and (when commit) import, as a user clicking through the pages."""
    job = services.start_job(
        user, kind, io.BytesIO(content), name, encoding=encoding, skip_invalid=skip_invalid
    )
    if not job.headers:
        return job
    if mapping is not None:
        services.set_mapping(user, job, mapping, skip_invalid)
    services.prepare_run(user, job, commit=False)
    job = services.run_job(job.pk, commit=False)
    if commit and job.may_commit():
        services.prepare_run(user, job, commit=True)
        job = services.run_job(job.pk, commit=True)
    return job


def rejected(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.reason) for r in job.rejected_rows.all()]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of the tables an import may write, to compare before and after."""
    return {
        "customers": sorted(Customer.objects.values_list()),
        "history": sorted(ProfileChange.objects.values_list("customer_id", "field", "new_value")),
        "orders": sorted(Order.objects.values_list()),
        "lines": sorted(OrderLine.objects.values_list()),
        "stats": sorted(CustomerStats.objects.values_list()),
        "tags": sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
    }


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path
