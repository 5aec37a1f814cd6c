"""Benchmark the cadence planner and the no-contact item on Today at scale (SQLite).

Works on a copy of the database bench_archive.py builds (never on the archive's own file):

    .venv/bin/python benchmarks/bench_archive.py --customers 100000 --orders 1000000 \\
        --skip-pages --ingest 1000 --chunks 1000
    mkdir -p benchmarks/out/cadence-100000
    cp benchmarks/out/archive-100000-1000000/{huitou.sqlite3,secret_key} \\
        benchmarks/out/cadence-100000/
    .venv/bin/python benchmarks/bench_cadence.py --var-dir benchmarks/out/cadence-100000

It scores the base once if no run exists, gives 70% of the customers two or three logged
contacts over the last 120 days and one rep 5,000 customers, then measures

1. engagement.cadence.plan_day for a day (the first plan, when every customer a cadence
   matches and never contacted is due at once), the same day again (must create nothing),
   the next day (the steady state of a morning run), and with a cadence every customer is
   due under (the worst case: creating a follow-up, its history row and event for each);
2. engagement.cadence.no_contact_items for the rep with 5,000 customers (20 calls).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive import OUT, configure_django, log

BOOK = 5_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, default=OUT / "cadence-100000")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare(seed: int) -> int:
    """Score the base if needed, log contacts, give one rep BOOK customers; return the rep."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Role, User
    from core.bulk import insert_columns
    from customers.models import Customer
    from insights.services import latest_run, run_scoring
    from interactions.models import Interaction

    call_command("migrate", verbosity=0, skip_checks=True)
    if latest_run() is None:
        started = time.perf_counter()
        run = run_scoring()
        log(f"scoring run {run.pk} ({run.status}) in {time.perf_counter() - started:.1f}s")
    rep = User.objects.filter(role=Role.REP).order_by("username").first()
    assert rep is not None
    if Interaction.objects.count() < Customer.objects.count():
        rng = np.random.default_rng(seed)
        ids = np.array(Customer.objects.values_list("pk", flat=True))
        owners = dict(Customer.objects.values_list("pk", "owner_id"))
        chosen = rng.choice(ids, size=int(ids.size * 0.7), replace=False)
        contacts = np.repeat(chosen, rng.integers(2, 4, chosen.size))
        now = timezone.now()
        ago = rng.integers(0, 120 * 24 * 3600, contacts.size)
        moments = [now - datetime.timedelta(seconds=int(s)) for s in ago.tolist()]
        started = time.perf_counter()
        insert_columns(
            Interaction,
            ["customer_id", "user_id", "kind", "direction", "occurred_at", "summary"],
            [contacts.tolist(), [owners[int(c)] for c in contacts.tolist()],
             ["phone"] * contacts.size, ["out"] * contacts.size, moments,
             ["Called"] * contacts.size],
        )  # fmt: skip
        log(f"{contacts.size:,} interactions added in {time.perf_counter() - started:.1f}s")
        book = sorted(ids.tolist())[:BOOK]
        other = User.objects.filter(role=Role.REP).exclude(pk=rep.pk).order_by("pk").first()
        assert other is not None
        with connection.cursor() as cursor:
            # Exactly BOOK customers for the rep: the first BOOK ids, the rest to a teammate.
            cursor.execute(
                "UPDATE customers_customer SET owner_id = CASE WHEN id <= %s THEN %s ELSE %s END"
                " WHERE id <= %s OR owner_id = %s",
                [max(book), rep.pk, other.pk, max(book), rep.pk],
            )
            cursor.execute("ANALYZE")
    return rep.pk


def main() -> int:
    args = parse_args()
    configure_django(args.var_dir)
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from customers.models import Customer
    from engagement import cadence
    from interactions.models import FollowUp

    rep = User.objects.get(pk=prepare(args.seed))
    customers = Customer.objects.count()
    day = timezone.localdate()
    FollowUp.objects.exclude(origin="").delete()
    log(f"{customers:,} customers, {FollowUp.objects.filter(done_at__isnull=True).count():,} "
        f"open follow-ups before planning; planning {day}")  # fmt: skip
    for label, when in (("first plan", day), ("same day again", day),
                        ("next day", day + datetime.timedelta(days=1))):  # fmt: skip
        started = time.perf_counter()
        created = cadence.plan_day(when)
        seconds = time.perf_counter() - started
        log(f"plan_day {label:<15} {seconds:6.2f}s, {created:,} follow-ups created")
    # The worst case: a cadence every customer is due under (the first plan of a base with
    # no contacts logged), to measure creating follow-ups with their history and events.
    from engagement.models import Cadence

    every = Cadence.objects.create(name="Everyone, every day", interval_days=1)
    FollowUp.objects.exclude(origin="").delete()
    started = time.perf_counter()
    created = cadence.plan_day(day)
    seconds = time.perf_counter() - started
    log(f"plan_day everyone due    {seconds:6.2f}s, {created:,} follow-ups created "
        f"({created / seconds:,.0f}/s)")  # fmt: skip
    every.delete()
    FollowUp.objects.exclude(origin="").delete()
    cadence.plan_day(day)
    book = Customer.objects.filter(owner=rep).count()
    times = []
    for _ in range(20):
        connection.queries_log.clear()
        started = time.perf_counter()
        items = cadence.no_contact_items(rep, day, 50)
        times.append((time.perf_counter() - started) * 1000)
    log(f"no_contact_items for a rep with {book:,} customers: {len(items)} items, "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
