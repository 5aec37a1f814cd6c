"""Benchmark membership tiers and the quote: the nightly tier review over `--members`
(default 1,000,000) members, and POST /api/v1/loyalty/quote over real HTTP.

Builds once, under benchmarks/out/, customers with the archive benchmark's builders, their
simulated orders (about 1.5 per customer over 1,000 days, amounts × 60 in yuan, 3 % refunded;
no order lines: neither the review nor the quote reads them), the purchase summaries and a
member row per customer, without a tier. Then:

- the programme's first review: every member is due (no tier yet) — the worst night;
- an ordinary night: review dates spread over the year, 1 % of members at a grace period's end;
- the same night again (nothing due);
- the quote through gunicorn with an API token, lines by id and SKU, a coupon on every
  other request (target p95 <= 50 ms).

    .venv/bin/python benchmarks/bench_loyalty_tiers.py                     # SQLite, 1M members
    .venv/bin/python benchmarks/bench_loyalty_tiers.py --members 20000     # a quick look
    .venv/bin/python benchmarks/bench_loyalty_tiers.py --database-url postgres://postgres@127.0.0.1/h_tiers

A second run reuses the base and puts every member back without a tier first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_archive as archive  # the builders of the archive benchmark
import bench_today as today  # configure, COPY-or-executemany insert, gunicorn, CPU time

OUT = archive.OUT
ROOT = archive.ROOT
REVIEW_TARGET_S = 30.0
QUOTE_TARGET_MS = 50.0
AMOUNT_SCALE = 60
REFUNDED_SHARE = 0.03
GRACE_SHARE = 0.01
BENCH_REP = "rep101"
PRODUCTS = [
    ("LT-TEA", "Tea", "88.00"),
    ("LT-CUP", "Cup", "35.50"),
    ("LT-BOX", "Gift box", "199.00"),
]


def build(members: int, seed: int) -> dict[str, Any]:
    """Build customers, orders, purchase summaries and members."""
    from django.core.management import call_command
    from django.db import connection

    from customers.models import Customer
    from loyalty.models import Member
    from sales.models import CustomerStats, Order, Product

    rng = np.random.default_rng(seed)
    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)
    org = archive.create_organisation()
    for sku, name, price in PRODUCTS:
        Product.objects.create(sku=sku, name=name, list_price=price)
    sim = archive.simulate(members, int(members * 1.5), seed)
    archive.step(lambda: today.insert(Customer, archive.CUSTOMER_COLUMNS,
                                      archive.customer_rows(sim, members, org, rng)),
                 "customers")  # fmt: skip
    owners = dict(Customer.objects.values_list("id", "owner_id"))
    dates = archive.day_strings(sim.end_day)
    amounts = np.round(sim.amount * AMOUNT_SCALE, 2)
    refunded = rng.random(sim.n_orders) < REFUNDED_SHARE
    archive.step(lambda: today.insert(Order, (
        "number", "customer_id", "ordered_on", "status", "channel", "amount", "created_at",
    ), (
        (f"B{i:08d}", int(c) + 1, dates[d], "refunded" if r else "paid", "", f"{a:.2f}",
         f"{dates[d]} 03:00:00")
        for i, (c, d, a, r) in enumerate(zip(sim.customer.tolist(), sim.day.tolist(),
                                             amounts.tolist(), refunded.tolist(), strict=True))
    )), "orders")  # fmt: skip
    archive.step(lambda: today.insert(CustomerStats, (
        "customer_id", "owner_id", "first_purchase_on", "last_purchase_on", "purchase_days",
        "orders_count", "total_spend",
    ), summary_rows(sim, amounts, ~refunded, owners, dates)), "purchase summaries")  # fmt: skip
    archive.step(lambda: today.insert(Member, ("customer_id",), ((c,) for c in owners)),
                 "members")  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        archive.analyze()
    connection.close()
    return {"members": members, "orders": sim.n_orders, "refunded": int(refunded.sum())}


def summary_rows(
    sim: archive.Simulation, amounts: np.ndarray, paid: np.ndarray, owners: dict[int, int],
    dates: list[str],
) -> Any:  # fmt: skip
    """Yield the purchase summary of each customer with a paid order."""
    customers = sim.customer[paid]
    days = sim.day[paid]
    spent = amounts[paid]
    starts = np.flatnonzero(np.r_[True, customers[1:] != customers[:-1]])
    ends = np.r_[starts[1:], customers.size]
    totals = np.add.reduceat(spent, starts)
    for start, end, total in zip(starts.tolist(), ends.tolist(), totals.tolist(), strict=True):
        c = int(customers[start]) + 1
        first, last = int(days[start:end].min()), int(days[start:end].max())
        yield (c, owners[c], dates[first], dates[last], end - start, end - start,
               f"{total:.2f}")  # fmt: skip


def reset_members() -> None:
    """Put every member back without a tier, and forget the tier history."""
    from django.db import connection

    from loyalty.models import Member, TierChange

    TierChange.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE \"{Member._meta.db_table}\" SET tier = '', tier_since = NULL, "
            "review_on = NULL, grace_until = NULL"
        )


def spread_reviews(day: datetime.date, members: int, rng: np.random.Generator) -> int:
    """Give each member a review date over the coming year (one day's share today) and put
    1 % at the end of a grace period today; return how many are due."""
    from django.db import connection

    from loyalty.models import Member

    table = Member._meta.db_table
    offsets = rng.integers(0, 365, members)
    graced = rng.random(members) < GRACE_SHARE
    rows = [
        ((day + datetime.timedelta(days=int(o))).isoformat(), day.isoformat() if g else None, i + 1)
        for i, (o, g) in enumerate(zip(offsets.tolist(), graced.tolist(), strict=True))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{table}" SET review_on = %s, grace_until = %s WHERE customer_id = %s', rows
        )
        # Those in a grace period hold gold, which their spend may no longer reach.
        cursor.execute(f'UPDATE "{table}" SET tier = %s WHERE grace_until IS NOT NULL', ["gold"])
    return int(((offsets == 0) | graced).sum())


def timed_review(day: datetime.date, label: str) -> dict[str, Any]:
    from django.db import connection

    from loyalty.tiers import review_tiers

    started = time.perf_counter()
    cpu = time.process_time()
    result = review_tiers(day)
    seconds = time.perf_counter() - started
    changes = {str(kind): n for kind, n in result.changes.items()}
    figures = {"scenario": label, "reviewed": result.reviewed, "changes": changes,
               "seconds": round(seconds, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
               "load_average": os.getloadavg()}  # fmt: skip
    connection.close()
    mark = "ok" if seconds <= REVIEW_TARGET_S else f"ABOVE TARGET ({REVIEW_TARGET_S:.0f} s)"
    archive.log(f"  {label:<38} {result.reviewed:>9,} reviewed in {seconds:6.1f} s "
                f"(CPU {figures['cpu_seconds']:.1f} s) {changes}  {mark}")  # fmt: skip
    return figures


def distribution() -> dict[str, int]:
    from django.db.models import Count

    from loyalty.models import Member

    return dict(Member.objects.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))


def quote_bodies(requests: int, rng: np.random.Generator) -> tuple[str, list[bytes]]:
    """Return an API token of the rep and the quote bodies for the rep's customers."""
    from django.utils import timezone

    from accounts.models import ApiToken, User
    from customers.models import Customer
    from loyalty.models import Coupon
    from sales.models import Product

    rep = User.objects.get(username=BENCH_REP)
    ApiToken.objects.filter(user=rep).delete()
    _token, raw = ApiToken.objects.issue(rep, "bench")
    now = timezone.now()
    Coupon.objects.get_or_create(code="BENCH10", defaults={
        "name": "Bench", "percent_off": 10, "valid_from": now - datetime.timedelta(days=1),
        "valid_until": now + datetime.timedelta(days=30),
    })  # fmt: skip
    customers = list(Customer.objects.filter(owner=rep).values_list("pk", flat=True)[:5000])
    products = list(Product.objects.filter(sku__startswith="LT-").values_list("pk", "sku"))
    bodies = []
    for i in range(requests):
        (pid, _sku), (_pid2, sku2) = products[i % 3], products[(i + 1) % 3]
        body: dict[str, Any] = {
            "customer_id": int(customers[int(rng.integers(0, len(customers)))]),
            "lines": [{"product_id": pid, "quantity": int(rng.integers(1, 4))},
                      {"sku": sku2, "quantity": 1, "unit_price": "12.50"}],
        }  # fmt: skip
        if i % 2:
            body["coupon"] = "BENCH10"
        bodies.append(json.dumps(body).encode())
    return raw, bodies


def post(base: str, token: str, body: bytes) -> float:
    request = urllib.request.Request(
        f"{base}/api/v1/loyalty/quote", data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )  # fmt: skip
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"the quote answered {response.status}")
    return (time.perf_counter() - started) * 1000


def measure_quotes(
    var_dir: Path, database_url: str, requests: int, workers: int, seed: int
) -> dict[str, Any]:
    token, bodies = quote_bodies(requests, np.random.default_rng(seed))
    from django.db import connection

    connection.close()
    port = archive.free_port()
    server = today.start_server(var_dir, database_url, port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for body in bodies[: 4 * workers]:
            post(base, token, body)
        before = today.server_cpu_seconds(server)
        times = [post(base, token, body) for body in bodies]
        cpu_ms = (today.server_cpu_seconds(server) - before) * 1000 / len(bodies)
    finally:
        server.terminate()
        server.wait(timeout=30)
    timing = archive.summarise_times("api", "POST /api/v1/loyalty/quote", times)
    mark = "ok" if timing.p95_ms <= QUOTE_TARGET_MS else f"ABOVE TARGET ({QUOTE_TARGET_MS:.0f} ms)"
    archive.log(f"  quote n={timing.count} p50 {timing.p50_ms:.1f} ms  "
                f"p95 {timing.p95_ms:.1f} ms  max {timing.max_ms:.1f} ms  "
                f"server CPU {cpu_ms:.1f} ms/request  {mark}")  # fmt: skip
    return {**{k: v for k, v in vars(timing).items() if k != "samples"},
            "server_cpu_ms": round(cpu_ms, 1), "load_average": os.getloadavg()}  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="quotes timed")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--rebuild", action="store_true", help="build the base again")
    parser.add_argument("--seed", type=int, default=archive.SEED)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    var_dir = OUT / f"loyalty-{engine}-{args.members}"
    if args.rebuild and var_dir.exists():
        shutil.rmtree(var_dir)
    fresh = not (var_dir / "built.json").exists()
    today.configure(var_dir, args.database_url)
    results: dict[str, Any] = {"machine": archive.machine(), "engine": engine}
    if fresh:
        archive.log(f"building {args.members:,} members on {engine} in {var_dir}")
        started = time.perf_counter()
        results["base"] = build(args.members, args.seed)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        (var_dir / "built.json").write_text(json.dumps(results["base"]))
    else:
        archive.log(f"reusing the base in {var_dir} (--rebuild builds it again)")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)
        results["base"] = json.loads((var_dir / "built.json").read_text())
    reset_members()
    from django.utils import timezone

    day = timezone.localdate()
    archive.log(f"{engine}: {args.members:,} members, {results['base']['orders']:,} orders; "
                f"load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    reviews = [timed_review(day, "first review (every member due)")]
    results["tiers"] = distribution()
    archive.log(f"  tiers: {results['tiers']}")
    due = spread_reviews(day, args.members, np.random.default_rng(args.seed))
    archive.log(f"  {due:,} members due on an ordinary night")
    reviews.append(timed_review(day, "an ordinary night"))
    reviews.append(timed_review(day, "the same night again"))
    results["reviews"] = reviews
    results["quote"] = measure_quotes(
        var_dir, args.database_url, args.requests, args.workers, args.seed
    )
    one, five, _fifteen = os.getloadavg()
    archive.log(f"load average at the end: {one:.1f} (1 min), {five:.1f} (5 min)")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = OUT / f"loyalty-results-{engine}-{args.members}-{stamp}.json"
    report.write_text(json.dumps(results, indent=2, default=str))
    archive.log(f"results written to {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
