"""Benchmark the care-effect page's computation (engagement.effect.care_effect).

Builds, once, a database of CUSTOMERS customers (20 reps in two teams), about three paid
orders each over two years, MESSAGES care messages sent over twelve months (five care
types, three channels), an inbound contact after one message in five, responses on one in
ten, and two scoring runs (the eve of the year and of July); then times care_effect over
the twelve months for an admin (everyone), a manager (a team, half) and a rep (a
twentieth).

    .venv/bin/python benchmarks/bench_care_effect.py --customers 200000 --messages 100000
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_care_effect.py ...

The data are written with bulk_create straight into the tables: this measures reading.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "care-effect"
sys.path.insert(0, str(ROOT))
FIRST_MONTH = datetime.date(2025, 1, 1)
MONTHS = 12
KINDS = ("birthday", "spring_festival", "mid_autumn", "christmas", "first_purchase_anniversary")
CHANNELS = ("sms", "email", "phone")
BATCH = 5000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def configure() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HUITOU_VAR_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huitou.settings")
    import django

    django.setup()


def build(customers: int, messages: int) -> None:
    """Write the data set (only into an empty database)."""
    from accounts.models import Membership, Role, Team, User
    from customers.models import Customer
    from engagement.models import Message, MessageResponse
    from insights.models import CustomerScore, RunStatus, ScoreRun, score_key
    from interactions.models import Interaction
    from sales.models import Order

    rng = random.Random(2026)
    tz = datetime.timezone(datetime.timedelta(hours=8))
    admin = User.objects.create_user("admin", password="x", role=Role.ADMIN)
    teams = [Team.objects.create(name=name) for name in ("East", "West")]
    reps = []
    for t, team in enumerate(teams):
        manager = User.objects.create_user(f"manager{t}", password="x", role=Role.MANAGER)
        Membership.objects.create(user=manager, team=team)
        for r in range(10):
            rep = User.objects.create_user(f"rep{t}-{r}", password="x", role=Role.REP)
            Membership.objects.create(user=rep, team=team)
            reps.append(rep)
    Customer.objects.bulk_create(
        (Customer(name=f"C{n}", owner=reps[n % len(reps)]) for n in range(customers)),
        batch_size=BATCH,
    )
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    start = FIRST_MONTH - datetime.timedelta(days=365)
    span = (FIRST_MONTH - start).days + 365 + 90
    orders = (
        Order(number=f"O{n}", customer_id=customer, amount=Decimal(20),
              ordered_on=start + datetime.timedelta(days=rng.randrange(span)))
        for n, customer in enumerate(c for c in ids for _ in range(rng.randint(0, 6)))
    )  # fmt: skip
    Order.objects.bulk_create(orders, batch_size=BATCH)
    # Two kept runs: the eve of the year and of its seventh month.
    for as_of in (FIRST_MONTH - datetime.timedelta(days=1), datetime.date(2025, 6, 30)):
        run = ScoreRun.objects.create(as_of=as_of, status=RunStatus.SUCCEEDED)
        CustomerScore.objects.bulk_create(
            (
                CustomerScore(
                    id=score_key(run.pk, c),
                    run=run,
                    customer_id=c,
                    purchase_count=1,
                    first_purchase_on=as_of,
                    last_purchase_on=as_of,
                    revenue=1,
                    is_returning=True,
                    p_alive=0.5,
                    churn_risk=0.5,
                    expected_purchases_30=0,
                    expected_purchases_90=0,
                    expected_purchases_365=0,
                    expected_spend=0,
                    clv=0,
                    value_tier="ABC"[c % 3],
                    r_score=1,
                    f_score=1,
                    m_score=1,
                    segment="lost",
                )
                for c in ids
            ),
            batch_size=BATCH,
        )
    sends = []
    for n in range(messages):
        day = FIRST_MONTH + datetime.timedelta(days=rng.randrange(365))
        at = datetime.datetime.combine(day, datetime.time(11), tz)
        sends.append(
            Message(
                customer_id=rng.choice(ids),
                channel=rng.choice(CHANNELS),
                purpose="care",
                occasion_date=day + datetime.timedelta(days=n % 7),
                text="Hi",
                status="sent",
                cost=Decimal("0.05"),
                cause_kind=rng.choice(KINDS),
                created_at=at,
                scheduled_for=at,
                sent_at=at,
            )
        )
    Message.objects.bulk_create(sends, batch_size=BATCH, ignore_conflicts=True)
    sent = [
        (pk, c, at)
        for pk, c, at in Message.objects.values_list("pk", "customer_id", "sent_at")
        if at is not None
    ]
    Interaction.objects.bulk_create(
        (
            Interaction(customer_id=c, user=admin, kind="wechat", direction="in", summary="ok",
                        occurred_at=at + datetime.timedelta(days=rng.randrange(10)))
            for _pk, c, at in sent[::5]
        ),
        batch_size=BATCH,
    )  # fmt: skip
    MessageResponse.objects.bulk_create(
        (MessageResponse(message_id=pk, mark="positive") for pk, _c, _at in sent[::10]),
        batch_size=BATCH,
    )


def main() -> int:
    args = parse_args()
    configure()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from engagement.effect import care_effect
    from engagement.models import Message

    call_command("migrate", verbosity=0, skip_checks=True)
    if not Message.objects.exists():
        began = time.perf_counter()
        build(args.customers, args.messages)
        print(f"built in {time.perf_counter() - began:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    last = FIRST_MONTH.replace(month=MONTHS)
    today = datetime.date(2026, 6, 1)  # every 90-day window of the year is over
    print(f"{connection.vendor}: {Message.objects.count():,} messages")
    for username in ("admin", "manager0", "rep0-0"):
        user = User.objects.get(username=username)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            rows = care_effect(user, FIRST_MONTH, last, today)
            times.append(time.perf_counter() - began)
        sent = sum(r.sent for r in rows)
        print(f"{username:<9} {len(rows):4d} rows, {sent:7,} messages: "
              f"best {min(times):6.2f} s, worst {max(times):6.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
