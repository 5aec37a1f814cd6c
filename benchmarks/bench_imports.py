"""Benchmark the import of a large orders CSV and the export of many customers to CSV.

Each step runs in a fresh child process against its own file-based SQLite database (under a
temporary directory), so wall time is end to end (process start, reading, checking,
writing, committing) and peak RSS is the child's own. Targets on the 2-core reference
machine: 1,000,000 orders imported in <= 60 s with memory bounded; 1,000,000 customers
exported in <= 30 s.

    .venv/bin/python benchmarks/bench_imports.py [--orders 1000000] [--customers 100000]
        [--export-customers 1000000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from accounts.models import User
from customers.models import Customer
from customers.services import bulk_create_customers
from sales.models import Product
boss = User.objects.create_user("boss", password="x", role="admin")
Product.objects.create(sku="CD-ROCK", name="Rock CD", list_price=15)
for start in range(0, {customers}, 50_000):
    stop = min(start + 50_000, {customers})
    bulk_create_customers(boss, [
        Customer(name=f"Customer {{n}}", external_id=f"C-{{n:07d}}", owner=boss)
        for n in range(start, stop)
    ])
"""

EXPORT = """
import time, resource
from accounts.models import User
from imports import exports
started = time.perf_counter()
selection = exports.select_customers(User.objects.get(), {{}})
size = 0
with open({target!r}, "wb") as out:
    for chunk in exports.csv_chunks(selection.rows, "utf-8"):
        size += len(chunk)
        out.write(chunk)
print("EXPORT", time.perf_counter() - started, size)
"""


def write_orders(path: Path, orders: int, customers: int) -> None:
    """Write one order of one line per row, each for one of `customers` customers."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["订单号", "外部编号", "日期", "商品", "数量", "金额", "状态", "渠道"])
        for n in range(orders):
            writer.writerow([
                f"SO-{n:08d}", f"C-{n % customers:07d}", f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "CD-ROCK", 1 + n % 3, f"¥{n % 900 + 0.5:,.2f}", "已支付", "门店",
            ])  # fmt: skip


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Run manage.py in a child; return wall seconds, the child's peak RSS in MB and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    return elapsed, max(peak, before) / 1024.0, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--export-customers", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "HUITOU_VAR_DIR": str(home / "var"), "PYTHONUNBUFFERED": "1",
               "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}"}  # fmt: skip
        run(env, "migrate", "--noinput", "-v0")
        run(env, "shell", "-c", SETUP.format(customers=max(args.customers, args.export_customers)))
        orders_csv = home / "orders.csv"
        write_orders(orders_csv, args.orders, args.customers)
        size_mb = orders_csv.stat().st_size / 1e6
        dry = ("import_orders", str(orders_csv), "--dry-run", "--format", "json")
        check_s, check_mb, _out = run(env, *dry)
        import_s, import_mb, out = run(env, "import_orders", str(orders_csv), "--format", "json")
        result = json.loads(out)
        export_s, export_mb, out = run(
            env, "shell", "-c", EXPORT.format(target=str(home / "c.csv"))
        )
        export_inner = float(out.split("EXPORT")[1].split()[0])
    report = {
        "orders": args.orders, "file_mb": round(size_mb, 1), "committed": result["committed"],
        "created": result["created"], "dry_run_s": round(check_s, 1),
        "dry_run_peak_mb": round(check_mb), "import_s": round(import_s, 1),
        "import_peak_mb": round(import_mb), "import_target_s": 60,
        "export_customers": args.export_customers, "export_s": round(export_s, 1),
        "export_inside_s": round(export_inner, 1), "export_peak_mb": round(export_mb),
        "export_target_s": 30,
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
