"""SIGKILL the import in the middle of its commit: the database is exactly as before."""

import os
import re
import signal
import threading
import time

import pytest

from imports.tests.child import Child
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.slow

TABLES = (
    "customers_customer",
    "customers_profilechange",
    "sales_order",
    "sales_orderline",
    "sales_customerstats",
)
ROWS = 120_000


def counts(child: Child) -> dict[str, int]:
    return {table: child.query(f"SELECT COUNT(*) FROM {table}")[0][0] for table in TABLES}


def orders_file(path):
    rows = [["order no.", "mobile", "name", "date", "sku", "amount"]] + [
        [f"K-{n}", f"137{n % 20000:08d}", f"Buyer {n % 20000}", "2024-01-01", "CD-ROCK", "9.90"]
        for n in range(ROWS)
    ]
    path.write_bytes(csv_bytes(rows))
    return path


def read_stderr(process, sink: list[bytes]) -> None:
    while chunk := process.stderr.read1(4096):
        sink.append(chunk)


def test_sigkill_mid_commit_leaves_the_database_unchanged(tmp_path, migrated_child):
    child = Child(tmp_path / "child").copy_from(migrated_child)
    child.shell(
        "from accounts.models import User; from customers.models import Customer; "
        "Customer.objects.create(name='Before', mobile='13900000000', owner=User.objects.get())"
    )
    before = counts(child)
    path = orders_file(tmp_path / "orders.csv")
    process = child.start("import_orders", str(path))
    output: list[bytes] = []
    threading.Thread(target=read_stderr, args=(process, output), daemon=True).start()

    written = 0
    deadline = time.monotonic() + 120
    while written < 10_000 and time.monotonic() < deadline:
        found = re.findall(rb"Importing:.*?\| *(\d+)/", b"".join(output))
        written = int(found[-1]) if found else 0
        time.sleep(0.05)
    assert 10_000 <= written < ROWS, b"".join(output)[-500:]  # batches are in the transaction
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert process.returncode == -signal.SIGKILL
    assert counts(child) == before
    assert child.query("PRAGMA integrity_check") == [("ok",)]
    # The job is recorded as started and never finished; running the same file again works.
    assert child.query("SELECT status, committed FROM imports_importjob") == [("importing", 0)]
    again = child.manage("import_orders", str(path), "--format", "json")
    assert again.returncode == 0, again.stdout[-500:]
    assert counts(child)["sales_order"] == ROWS
