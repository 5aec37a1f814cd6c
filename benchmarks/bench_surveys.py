"""Benchmark the satisfaction figures and the low-satisfaction warning reason on SQLite.

Builds a base once into benchmarks/out/surveys-<N>/: N customers with one closed ticket and
one survey each (its link's message sent; 40 % answered within the last 90 days, a fifth of
the answers low), and times what the numbers pages and the nightly scoring ask:

1. service.surveys.satisfaction over every survey, and over one owner's customers;
2. the warning reason's flag over a scored base of all N customers (the scoring run's
   question).

    .venv/bin/python benchmarks/bench_surveys.py --customers 100000
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
OWNERS = 20


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
    from django.utils import timezone

    from accounts.models import Role, User
    from customers.models import Customer
    from engagement.models import Message
    from service.models import Survey, Ticket
    from service.surveys import token_hash

    if Survey.objects.count() >= count:
        return
    rng = random.Random(SEED)
    now = timezone.now()
    owners = [
        User.objects.get_or_create(username=f"rep{n}", defaults={"role": Role.REP})[0]
        for n in range(OWNERS)
    ]
    Customer.objects.bulk_create(
        [Customer(name=f"Customer {n}", owner=owners[n % OWNERS]) for n in range(count)],
        batch_size=5000,
    )
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    Ticket.objects.bulk_create(
        [Ticket(number=f"T-{n:07d}", kind="complaint", channel="phone", subject="s",
                description="d", status="closed", customer_id=pk, closed_at=now)
         for n, pk in enumerate(customers)],
        batch_size=5000,
    )  # fmt: skip
    Message.objects.bulk_create(
        [Message(customer_id=pk, channel="sms", purpose="service", text="survey",
                 occasion_date=datetime.date(2026, 1, 1), status="sent", cause_kind="survey")
         for pk in customers],
        batch_size=5000,
    )  # fmt: skip
    tickets = dict(Ticket.objects.values_list("customer_id", "pk"))
    messages = dict(Message.objects.values_list("customer_id", "pk"))
    surveys = []
    for pk in customers:
        answered = rng.random() < 0.4
        low = rng.random() < 0.2
        moment = now - datetime.timedelta(days=rng.randrange(90))
        surveys.append(Survey(
            ticket_id=tickets[pk], message_id=messages[pk], token_hash=token_hash(f"t{pk}"),
            sent_at=moment, expires_at=moment + datetime.timedelta(days=14),
            answered_at=moment if answered else None,
            csat=(rng.randint(1, 2) if low else rng.randint(3, 5)) if answered else None,
            nps=(rng.randint(0, 6) if low else rng.randint(7, 10)) if answered else None,
        ))  # fmt: skip
    Survey.objects.bulk_create(surveys, batch_size=5000)


def timed(label: str, call: object) -> None:
    """Run the call three times; print the best time."""
    assert callable(call)
    best = float("inf")
    result = None
    for _ in range(3):
        began = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<46} {best * 1000:8.1f} ms  {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    configure_django(ROOT / "benchmarks" / "out" / f"surveys-{args.customers}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    build(args.customers)
    print(f"base of {args.customers:,} surveyed customers ready in "
          f"{time.perf_counter() - began:.1f} s")  # fmt: skip

    from service.models import Survey
    from service.surveys import low_satisfaction, satisfaction

    everyone = Survey.objects.all()
    one_owner = Survey.objects.filter(ticket__customer__owner__username="rep0")
    timed("satisfaction, every survey", lambda: satisfaction(everyone))
    timed("satisfaction, one owner's customers", lambda: satisfaction(one_owner))
    timed("warning reason's facts (read before flagging)",
          lambda: f"{len(low_satisfaction()):,} flagged")  # fmt: skip


if __name__ == "__main__":
    main()
