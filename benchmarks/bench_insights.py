"""Benchmark the old-customer insights at scale: the nightly scoring run and its two pages.

Works on a copy of the database bench_archive.py builds (never on the archive's own file):

    mkdir -p benchmarks/out/insights-1000000
    cp benchmarks/out/archive-1000000-10000000/{huitou.sqlite3,secret_key} \\
        benchmarks/out/insights-1000000/
    .venv/bin/python benchmarks/bench_insights.py --var-dir benchmarks/out/insights-1000000

and measures

1. insights.services.run_scoring end to end (read every paid order, fit BG/NBD and Gamma-Gamma,
   score, tiers, RFM, warnings, per-team dashboard aggregates, all stored), with the stage
   breakdown the run records in counts["timings"] (target <= 15 s at 1M customers);
2. /insights/ (dashboard) and /insights/warnings/ (first page, ?page=N, ?owner=...) through
   gunicorn after logging in through the login form, as the East team's manager and as the
   admin (target p95 <= 300 ms).

Figures are printed as text and written as JSON to benchmarks/out/insights-results-*.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive import (
    OUT,
    PASSWORD,
    ROOT,
    Client,
    Timing,
    configure_django,
    free_port,
    log,
    machine,
    start_server,
    summarise_times,
    timed,
)

RUN_TARGET_SECONDS = 15.0
PAGE_TARGET_MS = 300.0
USERS = ("manager1", "admin")  # bench_archive.create_organisation's East manager and admin


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, default=OUT / "insights-1000000",
                        help="HUITOU_VAR_DIR of the copied database")  # fmt: skip
    parser.add_argument("--requests", type=int, default=200, help="requests per page and user")
    parser.add_argument("--skip-run", action="store_true", help="time the pages only")
    parser.add_argument("--skip-pages", action="store_true", help="time the run only")
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None,
                        help="scoring date (default: today, as the nightly job)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--day-of-orders", type=int, default=10_000,
                        help="orders (and a tenth as many refunds) between the runs")  # fmt: skip
    return parser.parse_args()


def housekeeping() -> dict[str, float]:
    """Run what the nightly job queues after a run (insights.tasks.prune_scores), timed."""
    from insights.services import prune_old_scores
    from sales.services import keep_purchases_up_to_date

    started = time.perf_counter()
    prune_old_scores()
    pruned = time.perf_counter()
    read_all = keep_purchases_up_to_date()
    return {
        "prune_seconds": round(pruned - started, 2),
        "purchase_file_seconds": round(time.perf_counter() - pruned, 2),
        "read_every_order": read_all,
    }


def add_a_day(n: int, seed: int) -> dict[str, int]:
    """Write a day of business before the nightly run: n new paid orders, n/10 refunds."""
    from decimal import Decimal

    from django.utils import timezone

    from sales.models import Order, OrderStatus, Product
    from sales.services import LineInput, OrderInput, create_orders, set_order_status

    rng = np.random.default_rng(seed)
    sku = Product.objects.values_list("sku", flat=True).first()
    highest = Order.objects.order_by("-customer_id").values_list("customer_id", flat=True)[0]
    today, stamp = timezone.localdate(), time.strftime("%Y%m%d%H%M%S")
    orders = [
        OrderInput(f"DAY-{stamp}-{i}", int(c), today,
                   [LineInput(sku=str(sku), quantity=1, unit_price=Decimal(f"{a:.2f}"))])
        for i, (c, a) in enumerate(zip(rng.integers(1, highest + 1, n),
                                       rng.gamma(6, 4, n) + 1, strict=True))
    ]  # fmt: skip
    create_orders(None, orders, validated=True)
    refunded = rng.integers(
        1, Order.objects.order_by("-pk").values_list("pk", flat=True)[0], n // 10
    )
    for order in Order.objects.filter(pk__in=refunded.tolist(), status=OrderStatus.PAID):
        set_order_status(None, order, OrderStatus.REFUNDED)
    return {"new_orders": n, "refunds": int(refunded.size)}


def measure_run(as_of: datetime.date | None) -> dict[str, Any]:
    """Run the nightly job once and return its wall time, stage breakdown and counts."""
    from django.db import connection

    from insights.models import RunStatus
    from insights.services import run_scoring

    cpu_before = time.process_time()
    started = time.perf_counter()
    run = run_scoring(as_of)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(f"the run failed: {run.message}")
    counts = dict(run.counts)
    stages = counts.pop("timings", {})
    with connection.cursor() as cursor:  # the write-ahead log is folded back, as overnight
        started = time.perf_counter()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        checkpoint = time.perf_counter() - started
    return {
        "run_id": run.pk, "as_of": str(run.as_of), "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2), "recorded_seconds": run.duration_seconds,
        "stages": stages, "unaccounted_seconds": round(wall - sum(stages.values()), 2),
        "wal_checkpoint_seconds": round(checkpoint, 2), "counts": counts,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


def page_paths(username: str, requests: int, rng: np.random.Generator) -> dict[str, list[str]]:
    """Return the URLs to time per scenario, as the user would reach them."""
    from django.urls import reverse

    from accounts.access import assignable_owners
    from accounts.models import User
    from insights import services

    user = User.objects.get(username=username)
    run = services.latest_run()
    if run is None:
        raise RuntimeError("no successful run stored: run without --skip-run first")
    warnings_url = reverse("insights:warnings")
    pages = max(1, -(-services.visible_warnings(user, run).count() // 25))
    owners = [owner.pk for owner in assignable_owners(user) if owner.pk != user.pk]
    page_numbers = rng.integers(2, max(3, pages + 1), size=requests)
    return {
        "dashboard": [reverse("insights:dashboard")] * requests,
        "warnings page 1": [warnings_url] * requests,
        f"warnings ?page=N (2..{pages})": [f"{warnings_url}?page={n}" for n in page_numbers],
        "warnings ?owner=rep": [
            f"{warnings_url}?owner={owners[i % len(owners)]}" for i in range(requests)
        ],
    }


def measure_pages(var_dir: Path, requests: int, workers: int, seed: int) -> dict[str, Any]:
    """Start gunicorn on the copy and time the dashboard and the warnings list per user."""
    from django.urls import reverse

    rng = np.random.default_rng(seed)
    scenarios = {username: page_paths(username, requests, rng) for username in USERS}
    port = free_port()
    server, name = start_server(var_dir, port, workers, proposed=False)
    timings: list[Timing] = []
    try:
        for username, paths in scenarios.items():
            client = Client(f"http://127.0.0.1:{port}")
            client.login(reverse("accounts:login"), username, PASSWORD)
            # Warm up: each worker's first requests load templates and fill its caches.
            timed(client, [p[0] for p in paths.values()] * workers)
            for scenario, urls in paths.items():
                timings.append(summarise_times(username, scenario, timed(client, urls)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [{k: v for k, v in asdict(t).items() if k != "samples"} for t in timings]
    return {"server": name, "requests": requests, "timings": rows}


def report_run(result: dict[str, Any]) -> None:
    verdict = "met" if result["wall_seconds"] <= RUN_TARGET_SECONDS else "NOT MET"
    log(f"run_scoring: {result['wall_seconds']:.1f} s wall, {result['cpu_seconds']:.1f} s CPU, "
        f"peak RSS {result['peak_rss_mib']:,} MiB "
        f"(target {RUN_TARGET_SECONDS:.0f} s: {verdict})")  # fmt: skip
    for stage, seconds in result["stages"].items():
        log(f"  {stage:<18} {seconds:7.2f} s")
    log(f"  {'(unaccounted)':<18} {result['unaccounted_seconds']:7.2f} s")
    log(f"  then WAL checkpoint {result['wal_checkpoint_seconds']:.2f} s")
    counts = result["counts"]
    log(f"  {counts['purchase_days']:,} order rows, {counts['customers_scored']:,} customers "
        f"scored, {counts['warnings']:,} warnings")  # fmt: skip


def report_pages(result: dict[str, Any]) -> None:
    log(f"pages through {result['server']}, {result['requests']} requests each")
    for t in result["timings"]:
        mark = "ok" if t["p95_ms"] <= PAGE_TARGET_MS else f"ABOVE TARGET ({PAGE_TARGET_MS:.0f})"
        log(f"  {t['page']:<9} {t['scenario']:<30} p50 {t['p50_ms']:7.1f} ms  "
            f"p95 {t['p95_ms']:7.1f} ms  max {t['max_ms']:7.1f} ms  {mark}")  # fmt: skip


def main() -> int:
    args = parse_args()
    var_dir = args.var_dir.resolve()
    if not (var_dir / "huitou.sqlite3").exists():
        raise SystemExit(f"{var_dir}/huitou.sqlite3 missing: copy the archive's database first")
    configure_django(var_dir)
    from django.core.management import call_command

    from customers.models import Customer
    from sales.models import Order

    call_command("migrate", verbosity=0, skip_checks=True)
    results: dict[str, Any] = {
        "machine": machine(), "database": str(var_dir / "huitou.sqlite3"),
        "customers": Customer.objects.count(), "orders": Order.objects.count(),
    }  # fmt: skip
    log(f"{results['customers']:,} customers, {results['orders']:,} orders in {var_dir}")
    if not args.skip_run:
        log("run_scoring, first run (reads the purchase file, or every order without one) ...")
        results["first_run"] = measure_run(args.as_of)
        report_run(results["first_run"])
        log("housekeeping after the run (prune old scores, bring the purchase file up to date)")
        results["housekeeping"] = housekeeping()
        log(f"  {results['housekeeping']}")
        log(f"a day of business: {args.day_of_orders:,} new orders and refunds ...")
        results["day"] = add_a_day(args.day_of_orders, args.seed)
        log("run_scoring, the next night (purchase cache brought up to date) ...")
        results["run"] = measure_run(args.as_of)
        report_run(results["run"])
    if not args.skip_pages:
        results["pages"] = measure_pages(var_dir, args.requests, args.workers, args.seed)
        report_pages(results["pages"])
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = OUT / f"insights-results-{results['customers']}-{stamp}.json"
    report.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    log(f"results written to {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
