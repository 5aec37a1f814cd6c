"""Benchmark the care calendar: occasions_between for a whole customer base on SQLite.

Builds a base once into benchmarks/out/care-<N>/ (a tenth of the base on lunar birthdays,
six tenths on solar ones, seven tenths with a first purchase, one in twenty with a life
event) and times the morning run's question: every customer's occasions on one day and over
a week, on an ordinary day and on Christmas (every customer has one).

    .venv/bin/python benchmarks/bench_care.py --customers 100000
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED = 2026


def configure_django(var_dir: Path) -> None:
    """Point Django at the benchmark's own SQLite file (never DATABASE_URL) and set it up."""
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["HUITOU_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "huitou.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def build(count: int) -> None:
    """Create the base unless it is there already."""
    from decimal import Decimal

    from accounts.models import Role, User
    from customers.models import Customer
    from engagement.models import LifeEvent
    from sales.models import CustomerStats

    if Customer.objects.count() >= count:
        return
    rng = random.Random(SEED)
    owners = [
        User.objects.get_or_create(username=f"rep{n}", defaults={"role": Role.REP})[0]
        for n in range(20)
    ]
    epoch = datetime.date(1950, 1, 1)
    batch: list[Customer] = []
    for n in range(count):
        kind = rng.random()
        fields: dict[str, object] = {}
        if kind < 0.6:
            fields["birthday"] = epoch + datetime.timedelta(days=rng.randrange(20000))
        elif kind < 0.7:
            fields["birthday_calendar"] = "lunar"
            fields["lunar_birth_month"] = rng.randint(1, 12)
            fields["lunar_birth_day"] = rng.randint(1, 30)
            fields["lunar_leap_month"] = rng.random() < 0.03
        batch.append(Customer(name=f"Customer {n}", owner=owners[n % 20], **fields))
    Customer.objects.bulk_create(batch, batch_size=5000)
    ids = list(Customer.objects.values_list("pk", "owner_id"))
    stats = []
    for pk, owner_id in ids:
        if rng.random() < 0.7:
            first = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3000))
            stats.append(CustomerStats(
                customer_id=pk, owner_id=owner_id, first_purchase_on=first,
                last_purchase_on=first, purchase_days=1, orders_count=1, total_spend=Decimal(10),
            ))  # fmt: skip
    CustomerStats.objects.bulk_create(stats, batch_size=5000)
    events = [
        LifeEvent(customer_id=pk, kind="wedding",
                  date=datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(5000)))
        for pk, _owner in ids if rng.random() < 0.05
    ]  # fmt: skip
    LifeEvent.objects.bulk_create(events, batch_size=5000)


def timed(label: str, start: datetime.date, days: int) -> float:
    """Time one call over the whole base; print and return the seconds."""
    from engagement.care import occasions_between

    began = time.perf_counter()
    found = occasions_between(start, start + datetime.timedelta(days=days))
    seconds = time.perf_counter() - began
    print(f"{label:<32} {days:>2} day(s): {len(found):>9,} occasions in {seconds:6.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    configure_django(ROOT / "benchmarks" / "out" / f"care-{args.customers}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    build(args.customers)
    print(f"base of {args.customers:,} customers ready in {time.perf_counter() - began:.1f} s")
    timed("an ordinary day", datetime.date(2026, 12, 3), 1)
    timed("Christmas (everyone)", datetime.date(2026, 12, 25), 1)
    timed("a week with Christmas", datetime.date(2026, 12, 21), 7)
    timed("Spring Festival week", datetime.date(2027, 2, 3), 7)


if __name__ == "__main__":
    main()
