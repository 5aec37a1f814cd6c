"""Benchmark Today (今日待办): a rep's landing page and GET /api/v1/today over real HTTP.

Builds once, under benchmarks/out/, a customer base of `--customers` (default 1,000,000) with
the archive benchmark's builders, in which one rep owns `--rep-customers` (default 5,000), and
gives it what Today reads: open follow-ups (2% of all customers, and `--rep-follow-ups` for the
rep, due from ten days ago to twenty days ahead), contacts logged for 10% of the customers, and
one scoring run's rows (a score per customer, a churn warning for 8%). Orders are left out:
Today reads none of them. Then, through gunicorn, logged in through the login form:

- the rep's Today page and GET /api/v1/today (target p95 <= 150 ms each);
- the rep's Today as their manager opens it (?rep=);
- snapshot_day for every rep (what the morning run will call), once.

    .venv/bin/python benchmarks/bench_today.py                       # SQLite, 1M customers
    .venv/bin/python benchmarks/bench_today.py --customers 20000     # a quick look
    .venv/bin/python benchmarks/bench_today.py --database-url postgres://postgres@127.0.0.1/h_bench

With --database-url the base is built in that (empty) PostgreSQL database instead, with COPY.
A second run reuses the base; the day's Today lines are deleted first, so the first view of
the day (which records the lines) is measured again.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_archive as archive  # the builders of the archive benchmark

OUT = archive.OUT
ROOT = archive.ROOT
TARGET_MS = 150.0
BENCH_REP = "rep101"
BENCH_MANAGER = "manager1"
WARNED_SHARE = 0.08


def configure(var_dir: Path, database_url: str) -> None:
    """Set Django up on the benchmark's SQLite file, or on the PostgreSQL database given."""
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["HUITOU_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "huitou.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def insert(model: Any, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert raw rows: the archive's executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection
    from django.db.models.expressions import DatabaseDefault

    if connection.vendor == "sqlite":
        return archive.insert(model, names, rows)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    rest = [
        f for f in fields.values()
        if f.attname not in names and not f.primary_key
        and not isinstance(f.get_default(), DatabaseDefault)
    ]  # fmt: skip
    extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    columns = ", ".join(f'"{fields[n].column}"' for n in names) + "".join(
        f', "{f.column}"' for f in rest
    )
    count = 0
    connection.ensure_connection()
    sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((*row, *extra))
            count += 1
    connection.connection.commit()
    return count


def build(customers: int, rep_customers: int, rep_follow_ups: int, seed: int) -> dict[str, Any]:
    """Build the base: people, owners, follow-ups, contacts, one scoring run."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from customers.models import Customer
    from insights.models import ChurnWarning, CustomerScore, RunStatus, ScoreRun, score_key
    from interactions.models import FollowUp, Interaction

    rng = np.random.default_rng(seed)
    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)
    org = archive.create_organisation()
    # A few purchases per customer: the simulation only dates the customers' arrival.
    sim = archive.simulate(customers, int(customers * 1.5), seed)
    archive.step(
        lambda: insert(Customer, archive.CUSTOMER_COLUMNS,
                       archive.customer_rows(sim, customers, org, rng)),
        "customers",
    )  # fmt: skip
    rep = User.objects.get(username=BENCH_REP)
    owners = give_the_rep(rep.pk, rep_customers, [r for r in org.all_reps if r != rep.pk], rng)
    interactions, follow_ups = archive.activity_rows(customers, owners, rng)
    follow_ups += rep_follow_up_rows(rep.pk, owners, rep_follow_ups, rng)
    archive.step(lambda: insert(Interaction, (
        "customer_id", "user_id", "kind", "direction", "occurred_at", "summary", "outcome",
    ), interactions), "contacts")  # fmt: skip
    archive.step(lambda: insert(
        FollowUp, ("customer_id", "assignee_id", "due_on", "note", "created_at"), follow_ups,
    ), "follow-ups")  # fmt: skip
    run = ScoreRun.objects.create(
        as_of=timezone.localdate(), status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )
    scores = score_rows(run.pk, customers, rng)
    archive.step(lambda: insert(CustomerScore, SCORE_COLUMNS, scores.rows()), "scores")
    warned = np.flatnonzero(scores.churn_risk > np.quantile(scores.churn_risk, 1 - WARNED_SHARE))
    reason = '[{"code": "churn_risk", "params": {"risk": %.3f, "previous": null}}]'
    archive.step(lambda: insert(ChurnWarning, (
        "run_id", "customer_id", "score_id", "reasons", "value_at_risk",
    ), (
        (run.pk, int(i) + 1, score_key(run.pk, int(i) + 1), reason % scores.churn_risk[i],
         float(scores.clv[i] * scores.churn_risk[i]))
        for i in warned
    )), "churn warnings")  # fmt: skip
    describe_run(run, customers, int(warned.size))
    if connection.vendor == "postgresql":
        # VACUUM too: giving the rep their customers rewrote 50,000 rows, and until vacuumed
        # the owner index still points at the dead versions (the rep's 5,000 customers read
        # 20,000 pages instead of 2,000).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        archive.analyze()
    connection.close()
    return {"customers": customers, "rep_customers": rep_customers,
            "follow_ups": len(follow_ups), "contacts": len(interactions),
            "warnings": int(warned.size)}  # fmt: skip


def describe_run(run: Any, customers: int, warnings: int) -> None:
    """Store the counts a real run keeps: customers scored, warnings, each rep's customers."""
    from django.db.models import Count

    from customers.models import Customer
    from insights.services import owner_key

    owned = Customer.objects.values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n")
    run.counts = {"customers_scored": customers, "warnings": warnings}
    run.summary = {owner_key(owner): {"customers": n} for owner, n in owned}
    run.save(update_fields=["counts", "summary"])


def give_the_rep(
    rep_id: int, count: int, others: list[int], rng: np.random.Generator
) -> dict[int, int]:
    """Leave the rep exactly `count` customers, the rest of theirs to the other reps."""
    from django.db import connection

    from customers.models import Customer

    owned = list(
        Customer.objects.filter(owner_id=rep_id).order_by("pk").values_list("pk", flat=True)
    )
    moved = owned[count:]
    new_owners = np.array(others)[rng.integers(0, len(others), len(moved))]
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{table}" SET owner_id = %s WHERE id = %s',
            list(zip(new_owners.tolist(), moved, strict=True)),
        )
    archive.log(f"  the rep keeps {min(count, len(owned)):,} customers")
    return dict(Customer.objects.values_list("id", "owner_id"))


def rep_follow_up_rows(
    rep_id: int, owners: dict[int, int], count: int, rng: np.random.Generator
) -> list[tuple[Any, ...]]:
    """Return the rep's own open follow-ups, due from ten days ago to twenty days ahead."""
    today = datetime.date.today()
    mine = np.array([c for c, owner in owners.items() if owner == rep_id])
    chosen = rng.choice(mine, size=min(count, mine.size), replace=False)
    due = rng.integers(-10, 21, chosen.size)
    return [
        (int(c), rep_id, (today + datetime.timedelta(days=int(d))).isoformat(),
         "Ask about the renewal", f"{today} 01:00:00")
        for c, d in zip(chosen.tolist(), due.tolist(), strict=True)
    ]  # fmt: skip


SCORE_COLUMNS = (
    "id", "run_id", "customer_id", "purchase_count", "first_purchase_on", "last_purchase_on",
    "revenue", "is_returning", "typical_interval_days", "p_alive", "churn_risk",
    "expected_purchases_30", "expected_purchases_90", "expected_purchases_365",
    "expected_spend", "clv", "value_tier", "r_score", "f_score", "m_score", "segment",
)  # fmt: skip


class Scores:
    """One run's synthetic scores: a CLV and a churn risk per customer."""

    def __init__(self, run_id: int, customers: int, rng: np.random.Generator) -> None:
        self.run_id = run_id
        self.clv = np.round(rng.lognormal(5.0, 1.0, customers), 2)
        self.churn_risk = np.round(rng.beta(2.0, 5.0, customers), 3)

    def rows(self) -> Iterable[tuple[Any, ...]]:
        from insights.models import score_key

        today = datetime.date.today()
        first, last = (today - datetime.timedelta(days=400)).isoformat(), today.isoformat()
        tiers = np.where(self.clv > 400, "A", np.where(self.clv > 120, "B", "C"))
        for i, (clv, risk, tier) in enumerate(
            zip(self.clv.tolist(), self.churn_risk.tolist(), tiers.tolist(), strict=True)
        ):
            customer = i + 1
            yield (
                score_key(self.run_id, customer), self.run_id, customer, 3, first, last,
                f"{clv / 2:.2f}", True, 60.0, 1 - risk, risk, 0.3, 0.8, 2.5, clv / 3, clv,
                tier, 3, 3, 3, "loyal",
            )  # fmt: skip


def score_rows(run_id: int, customers: int, rng: np.random.Generator) -> Scores:
    return Scores(run_id, customers, rng)


def start_server(var_dir: Path, database_url: str, port: int, workers: int) -> Any:
    """Start gunicorn on the benchmark's database."""
    env = {**os.environ, "HUITOU_VAR_DIR": str(var_dir), "DATABASE_URL": database_url,
           "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "LOG_LEVEL": "ERROR"}  # fmt: skip
    command = [str(Path(sys.executable).parent / "gunicorn"), "huitou.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def server_cpu_seconds(server: Any) -> float:
    """Return the CPU time the server's workers have used so far (Linux /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def timed_batch(
    server: Any, client: archive.Client, page: str, scenario: str, paths: list[str]
) -> tuple[archive.Timing, float]:
    """Time the requests; return their timing and the server's CPU milliseconds per request.

    The CPU figure does not grow when other work shares the machine's cores; the wall time
    does, so both are reported.
    """
    before = server_cpu_seconds(server)
    times = archive.timed(client, paths)
    cpu_ms = (server_cpu_seconds(server) - before) * 1000 / len(paths)
    return archive.summarise_times(page, scenario, times), round(cpu_ms, 1)


def measure(
    var_dir: Path, database_url: str, requests: int, workers: int
) -> tuple[list[tuple[archive.Timing, float]], float, int]:
    """Time the first view of the day, then the page and the API as the rep and the manager."""
    from accounts.models import User

    rep = User.objects.get(username=BENCH_REP)
    port = archive.free_port()
    server = start_server(var_dir, database_url, port, workers)
    try:
        client = archive.Client(f"http://127.0.0.1:{port}")
        client.login("/accounts/login/", BENCH_REP, archive.PASSWORD)
        [first] = archive.timed(client, ["/engagement/today/"])
        archive.timed(client, ["/engagement/today/", "/api/v1/today"] * (2 * workers))
        lines = json.loads(client.get("/api/v1/today")[1])["total"]
        timings = [
            timed_batch(server, client, "page", "rep's Today", ["/engagement/today/"] * requests),
            timed_batch(server, client, "api", "GET /api/v1/today", ["/api/v1/today"] * requests),
        ]
        manager = archive.Client(f"http://127.0.0.1:{port}")
        manager.login("/accounts/login/", BENCH_MANAGER, archive.PASSWORD)
        path = f"/engagement/today/?rep={rep.pk}"
        archive.timed(manager, [path] * (2 * workers))
        label = "the rep's Today, opened by the manager"
        timings.append(timed_batch(server, manager, "page", label, [path] * requests))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return timings, first, lines


def time_snapshot() -> dict[str, Any]:
    """Time snapshot_day for every rep (tomorrow, so that nothing is recorded yet), then undo."""
    from django.db import connection
    from django.utils import timezone

    from engagement.models import TodayLine
    from engagement.today import snapshot_day

    day = timezone.localdate() + datetime.timedelta(days=1)
    started = time.perf_counter()
    written = snapshot_day(day)
    seconds = time.perf_counter() - started
    TodayLine.objects.filter(day=day).delete()
    connection.close()
    return {"lines": written, "seconds": round(seconds, 2)}


def rep_customers() -> int:
    from customers.models import Customer

    return Customer.objects.filter(owner__username=BENCH_REP).count()


def forget_today() -> None:
    """Delete the day's recorded lines, any snoozes and the cache (the benchmark's own, with
    the sources' work of the day): the next view is the day's first, with no morning run."""
    from django.core.cache import cache
    from django.utils import timezone

    from engagement.models import Snooze, TodayLine

    TodayLine.objects.filter(day=timezone.localdate()).delete()
    Snooze.objects.all().delete()
    cache.clear()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rep-customers", type=int, default=5_000)
    parser.add_argument("--rep-follow-ups", type=int, default=300,
                        help="the rep's open follow-ups (about a third of them due)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--rebuild", action="store_true", help="build the base again")
    parser.add_argument("--seed", type=int, default=archive.SEED)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    var_dir = OUT / f"today-{engine}-{args.customers}"
    if args.rebuild and var_dir.exists():
        shutil.rmtree(var_dir)
    fresh = not (var_dir / "built.json").exists()
    configure(var_dir, args.database_url)
    results: dict[str, Any] = {"machine": archive.machine(), "engine": engine}
    if fresh:
        archive.log(f"building {args.customers:,} customers on {engine} in {var_dir}")
        started = time.perf_counter()
        results["base"] = build(args.customers, args.rep_customers, args.rep_follow_ups, args.seed)
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        (var_dir / "built.json").write_text(json.dumps(results["base"]))
    else:
        archive.log(f"reusing the base in {var_dir} (--rebuild builds it again)")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)
        results["base"] = json.loads((var_dir / "built.json").read_text())
    forget_today()
    results["snapshot_day"] = time_snapshot()
    archive.log(f"snapshot_day for every rep: {results['snapshot_day']['lines']:,} lines in "
                f"{results['snapshot_day']['seconds']:.2f}s")  # fmt: skip
    timings, first, lines = measure(var_dir, args.database_url, args.requests, args.workers)
    results["first_view_ms"] = round(first, 1)
    results["lines"] = lines
    results["timings"] = [
        {**{k: v for k, v in vars(t).items() if k != "samples"}, "server_cpu_ms": cpu}
        for t, cpu in timings
    ]
    results["load_average"] = os.getloadavg()
    archive.log(f"{engine}: {args.customers:,} customers, the rep owns "
                f"{rep_customers():,}; {lines} lines on their Today; "
                f"the day's first view (records the lines) {first:.1f} ms")  # fmt: skip
    for t, cpu in timings:
        mark = "ok" if t.p95_ms <= TARGET_MS else f"ABOVE TARGET ({TARGET_MS:.0f} ms)"
        archive.log(f"  {t.page:>4} {t.scenario:<40} n={t.count:<4} p50 {t.p50_ms:7.1f} ms  "
                    f"p95 {t.p95_ms:7.1f} ms  max {t.max_ms:7.1f} ms  "
                    f"server CPU {cpu:5.1f} ms/request  {mark}")  # fmt: skip
    one, five, _fifteen = os.getloadavg()
    archive.log(f"load average at the end: {one:.1f} (1 min), {five:.1f} (5 min)")
    report = OUT / f"today-results-{engine}-{args.customers}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report.write_text(json.dumps(results, indent=2, default=str))
    archive.log(f"results written to {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
