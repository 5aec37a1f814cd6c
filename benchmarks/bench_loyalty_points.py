"""Benchmark loyalty points at scale: the nightly expiry over a million members, and the
points a 10,000-order bulk call earns against bulk ingestion's throughput.

1. Night: `--members` members (1M) with three lots each spread over the coming year, and a
   bulk day's earnings pending; times loyalty.nightly's steps (confirm due earnings, expire
   the lots whose day has come, warn the members whose points expire in 30 days) on a
   normal night and on a catch-up night (a month of expiry at once).
2. Bulk: `--calls` calls of 10,000 orders through sales.services.create_orders (the API's
   bulk path) over `--customers` customers, each call followed by the delivery of its events
   (`core.events.deliver_pending`, what the worker does after the commit), first without the
   loyalty subscribers and then with them, alternating, so both meet the same machine.

    .venv/bin/python benchmarks/bench_loyalty_points.py                     # SQLite, both parts
    .venv/bin/python benchmarks/bench_loyalty_points.py --members 100000    # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_points \\
        .venv/bin/python benchmarks/bench_loyalty_points.py --postgres

The SQLite file lives under benchmarks/out/loyalty_points/ and is rebuilt each run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "loyalty_points"
sys.path.insert(0, str(ROOT))


def configure_django(postgres: bool) -> None:
    """Point Django at a fresh SQLite file (or DATABASE_URL with --postgres) and migrate."""
    if not postgres:
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        os.environ["HUITOU_VAR_DIR"] = str(OUT)
        os.environ["DATABASE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "huitou.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    if postgres:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def make_customers(count: int, owner_id: int) -> None:
    """Insert `count` customers (ids 1..count) with birthdays spread over the year."""
    from django.utils import timezone

    from core.bulk import insert_columns
    from customers.models import Customer

    rng = np.random.default_rng(2026)
    birthdays = [
        datetime.date(1980, 1, 1) + datetime.timedelta(days=int(d))
        for d in rng.integers(0, 365 * 30, count)
    ]
    for start in range(0, count, 200_000):
        end = min(start + 200_000, count)
        from django.db import transaction

        with transaction.atomic():
            insert_columns(
                Customer,
                ["id", "name", "owner_id", "birthday", "email", "updated_at"],
                [list(range(start + 1, end + 1)), [f"C{i}" for i in range(start + 1, end + 1)],
                 [owner_id] * (end - start), birthdays[start:end],
                 [f"c{i}@example.com" for i in range(start + 1, end + 1)],
                 [timezone.now()] * (end - start)],
            )  # fmt: skip


def make_members(count: int, today: datetime.date) -> None:
    """Give each customer a member with three lots expiring over the coming year (one lot
    in 300 expires today) and an earning entry per lot, balances equal to the lots."""
    from django.db import transaction

    from core.bulk import insert_columns
    from loyalty.models import EntryKind, Member, PointsEntry, PointsLot

    rng = np.random.default_rng(7)
    for start in range(0, count, 100_000):
        end = min(start + 100_000, count)
        ids = np.arange(start + 1, end + 1)
        lots_member = np.repeat(ids, 3)
        points = rng.integers(10, 500, lots_member.size)
        expires = [
            today + datetime.timedelta(days=int(d)) for d in rng.integers(0, 366, lots_member.size)
        ]
        balances = points.reshape(-1, 3).sum(axis=1)
        with transaction.atomic():
            insert_columns(
                Member,
                ["id", "customer_id", "points_balance"],
                [ids.tolist(), ids.tolist(), balances.tolist()],
            )
            insert_columns(
                PointsLot, ["member_id", "expires_on", "points", "remaining"],
                [lots_member.tolist(), expires, points.tolist(), points.tolist()],
            )  # fmt: skip
            insert_columns(
                PointsEntry, ["member_id", "kind", "points"],
                [lots_member.tolist(), [EntryKind.EARN] * lots_member.size, points.tolist()],
            )  # fmt: skip


def make_pending(count: int, members: int, now: Any) -> None:
    """Add `count` pending earnings due now (a bulk day's orders, confirmed tonight)."""
    from core.bulk import insert_columns
    from loyalty.models import EarningState, PointsEarning

    rng = np.random.default_rng(11)
    member_ids = rng.integers(1, members + 1, count).tolist()
    insert_columns(
        PointsEarning, ["order_id", "member_id", "amount", "points", "confirm_at", "state"],
        [list(range(10**9, 10**9 + count)), member_ids, [Decimal("250.00")] * count,
         [25] * count, [now] * count, [EarningState.PENDING] * count],
    )  # fmt: skip


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(action: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def night(members: int) -> dict[str, Any]:
    """Build the members and time a normal night and a catch-up night."""
    from django.utils import timezone

    from accounts.models import Role, User
    from loyalty import notices, points

    owner = User.objects.create(username="rep", role=Role.REP)
    today = timezone.localdate()
    log(f"building {members:,} customers and members with {3 * members:,} lots (load {load()})")
    make_customers(members, owner.pk)
    make_members(members, today)
    make_pending(10_000, members, timezone.now())
    analyze()
    log("built; the night:")
    results: dict[str, Any] = {}
    confirmed, wall, cpu = timed(lambda: points.confirm_due(timezone.now()))
    results["confirm"] = (confirmed, wall, cpu)
    log(f"  confirm {confirmed:,} pending earnings: {wall:.2f} s wall, {cpu:.2f} s CPU")
    expired, wall, cpu = timed(lambda: points.expire(today))
    results["expire"] = (expired, wall, cpu)
    log(f"  expire today's lots ({expired:,} points): {wall:.2f} s wall, {cpu:.2f} s CPU")
    warned, wall, cpu = timed(lambda: notices.expiry_warnings(today, 30))
    results["warn"] = (warned, wall, cpu)
    log(
        f"  warn {warned:,} members of points expiring in 30 days: {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU"
    )
    total = sum(results[k][1] for k in ("confirm", "expire", "warn"))
    log(f"  night total {total:.2f} s wall (load {load()})")
    month = today + datetime.timedelta(days=30)
    expired, wall, cpu = timed(lambda: points.expire(month))
    results["catch_up"] = (expired, wall, cpu)
    log(
        f"  catch-up: a month of lots at once ({expired:,} points): {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU"
    )
    _mismatched, wall, _cpu = timed(lambda: len(points.mismatches()))
    log(f"  rebuild check over {members:,} members: {_mismatched} differ, {wall:.2f} s")
    return results


def bulk(customers: int, calls: int) -> None:
    """Time bulk calls with their event delivery, without and with the loyalty subscribers."""
    from core import events
    from customers.models import Customer
    from loyalty import points
    from sales.models import Product
    from sales.services import LineInput, OrderInput, create_orders

    if not Customer.objects.exists():
        from accounts.models import Role, User

        owner = User.objects.create(username="rep", role=Role.REP)
        make_customers(customers, owner.pk)
    Product.objects.get_or_create(sku="B", defaults={"name": "B", "list_price": Decimal(10)})
    rng = np.random.default_rng(3)
    today = datetime.date.today()
    subscribers = {
        ("order.paid", "loyalty.earn"): None,
    }
    saved = {key: events._subscribers[key[0]].get(key[1]) for key in subscribers}
    numbers = iter(range(10**8))

    def call() -> tuple[float, float, float, float]:
        who = rng.integers(1, customers + 1, 10_000).tolist()
        amounts = rng.integers(1000, 100_000, 10_000).tolist()
        days = rng.integers(1, 365, 10_000).tolist()
        orders = [
            OrderInput(f"BULK-{next(numbers)}", c, today - datetime.timedelta(days=d),
                       [LineInput("B", 1, Decimal(a) / 100)])
            for c, a, d in zip(who, amounts, days, strict=True)
        ]  # fmt: skip
        started, cpu = time.perf_counter(), time.process_time()
        create_orders(None, orders, validated=True)
        written, written_cpu = time.perf_counter(), time.process_time()
        while events.deliver_pending():
            pass
        return (
            written - started, time.perf_counter() - written,
            written_cpu - cpu, time.process_time() - written_cpu,
        )  # fmt: skip

    figures: dict[bool, list[tuple[float, float, float, float]]] = {False: [], True: []}
    call()  # warm-up
    for index in range(2 * calls):
        with_points = index % 2 == 1
        for (kind, name), _ in subscribers.items():
            if with_points:
                events._subscribers[kind][name] = saved[(kind, name)]  # type: ignore[assignment]
            else:
                events._subscribers[kind].pop(name, None)
        figures[with_points].append(call())
    for with_points, runs in figures.items():
        write, deliver, write_cpu, deliver_cpu = (sum(column) for column in zip(*runs, strict=True))
        orders = 10_000 * len(runs)
        log(
            f"  {'with' if with_points else 'without'} points, {orders:,} orders: calls "
            f"{orders / write:,.0f} orders/s wall, {orders / write_cpu:,.0f} per CPU s; "
            f"calls + delivery {orders / (write + deliver):,.0f} orders/s wall, "
            f"{orders / (write_cpu + deliver_cpu):,.0f} per CPU s (delivery per 10,000: "
            f"{deliver / len(runs):.3f} s wall, {deliver_cpu / len(runs):.3f} s CPU)"
        )
    pending = points.confirm_due(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30))
    log(f"  then confirmed {pending:,} earnings; load {load()}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000, help="for the bulk part")
    parser.add_argument("--calls", type=int, default=5, help="bulk calls of 10,000 per side")
    parser.add_argument("--part", choices=["night", "bulk", "all"], default="all")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (flushed!)")
    args = parser.parse_args()
    configure_django(args.postgres)
    from django.db import connection

    log(f"database {connection.vendor}; load {load()}; {os.cpu_count()} cores")
    if args.part in ("night", "all"):
        night(args.members)
    if args.part in ("bulk", "all"):
        log(f"bulk: {args.calls} calls of 10,000 orders per side over {args.customers:,} customers")
        bulk(
            min(args.customers, args.members) if args.part == "all" else args.customers, args.calls
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
