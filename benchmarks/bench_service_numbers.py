"""Benchmark the service numbers (service.numbers, review, rd) over many tickets.

Builds, once, a database of CUSTOMERS customers with about two paid orders each over the
year, and TICKETS tickets opened over the three months from FIRST_DAY (half complaints,
a quarter requests; 50 agents in five teams; 20 categories; 100 products), most answered
and resolved within working days, one in three with an answered survey, one in ten with an
approved gift, a few breached and reopened. Then times, best of --repeat:

1. the figures page's computation for one month and for the three months: read the tickets
   as columns (load), the total with the complaint rate, by agent, team, category, and the
   weekly trend;
2. the key-figures contribution for a month over every customer;
3. the week's review and the three months' R&D report (counts and top phrases).

    .venv/bin/python benchmarks/bench_service_numbers.py --customers 200000 --tickets 100000
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_service_numbers.py ...

The data are written with bulk_create straight into the tables: this measures reading.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "service-numbers"
sys.path.insert(0, str(ROOT))
FIRST_DAY = datetime.date(2026, 3, 2)  # a Monday
DAYS = 91
BATCH = 5000
WORDS = (
    "质量差", "包装破损", "物流太慢", "退款", "客服态度", "发票", "quality", "broken box",
    "late delivery", "refund please", "wrong size", "换货",
)  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def configure() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HUITOU_VAR_DIR", str(OUT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huitou.settings")
    import django

    django.setup()


def build(customers: int, tickets: int) -> None:
    """Write the data set (only into an empty database)."""
    from accounts.models import Membership, Role, Team, User
    from customers.models import Customer
    from sales.models import Order, Product
    from service.models import Category, Gift, GiftStatus, Survey, Ticket

    rng = random.Random(2026)
    tz = datetime.timezone(datetime.timedelta(hours=8))
    owner = User.objects.create_user("rep", password="x", role=Role.REP)
    User.objects.create_user("admin", password="x", role=Role.ADMIN)
    agents = []
    for t in range(5):
        team = Team.objects.create(name=f"Service {t}")
        for a in range(10):
            agent = User.objects.create_user(f"agent{t}-{a}", password="x", role=Role.AGENT)
            Membership.objects.create(user=agent, team=team)
            agents.append(agent.pk)
    categories = [Category.objects.create(code=f"c{n}", name=f"Category {n}").pk for n in range(20)]
    products = [
        Product.objects.create(sku=f"P{n}", name=f"Product {n}", list_price=Decimal(10)).pk
        for n in range(100)
    ]
    Customer.objects.bulk_create(
        (Customer(name=f"C{n}", owner=owner) for n in range(customers)), batch_size=BATCH
    )
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    start = FIRST_DAY - datetime.timedelta(days=365)
    orders = (
        Order(number=f"O{n}", customer_id=customer, amount=Decimal(20),
              ordered_on=start + datetime.timedelta(days=rng.randrange(365 + DAYS)))
        for n, customer in enumerate(c for c in ids for _ in range(rng.randint(0, 4)))
    )  # fmt: skip
    Order.objects.bulk_create(orders, batch_size=BATCH)
    kinds = ["complaint"] * 2 + ["request", "question"]
    rows = []
    for n in range(tickets):
        day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
        opened = datetime.datetime.combine(day, datetime.time(9), tz) + datetime.timedelta(
            minutes=rng.randrange(600)
        )
        responded = opened + datetime.timedelta(minutes=rng.randrange(10, 600))
        resolved = opened + datetime.timedelta(hours=rng.randrange(2, 120))
        done = rng.random() < 0.8
        rows.append(
            Ticket(
                number=f"T{n:07d}",
                kind=rng.choice(kinds),
                channel="phone",
                customer_id=rng.choice(ids),
                assignee_id=rng.choice(agents),
                category_id=rng.choice(categories),
                product_id=rng.choice(products),
                subject=rng.choice(WORDS),
                description=" ".join(rng.sample(WORDS, 3)),
                opened_at=opened,
                first_responded_at=responded,
                resolved_at=resolved if done else None,
                first_response_due=opened + datetime.timedelta(hours=4),
                resolution_due=opened + datetime.timedelta(days=3),
                first_response_breached_at=responded if rng.random() < 0.05 else None,
                promise_kept=rng.choice([True, True, False, None]),
                reopen_count=1 if rng.random() < 0.05 else 0,
                root_cause=rng.choice(["", "packaging", "courier", "size chart"]),
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=BATCH)
    ticket_ids = list(Ticket.objects.values_list("pk", flat=True))
    Survey.objects.bulk_create(
        (
            Survey(ticket_id=pk, token_hash=f"h{pk}", expires_at=datetime.datetime.now(tz),
                   answered_at=datetime.datetime.now(tz), csat=rng.randint(1, 5),
                   nps=rng.randint(0, 10))
            for pk in ticket_ids[::3]
        ),
        batch_size=BATCH,
    )  # fmt: skip
    Gift.objects.bulk_create(
        (
            Gift(ticket_id=pk, description="coupon", cost=Decimal("20.00"),
                 status=GiftStatus.APPROVED)
            for pk in ticket_ids[::10]
        ),
        batch_size=BATCH,
    )  # fmt: skip


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> int:
    args = parse_args()
    configure()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from accounts.models import User
    from customers.models import Customer
    from sales.services import keep_purchases_up_to_date
    from service import numbers, numbers_page, rd, review
    from service.models import Ticket
    from service.numbers import Group

    call_command("migrate", verbosity=0, skip_checks=True)
    if not Ticket.objects.exists():
        began = time.perf_counter()
        build(args.customers, args.tickets)
        print(f"built in {time.perf_counter() - began:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The analyses' file of paid orders, as the nightly run leaves it.
    keep_purchases_up_to_date()
    admin = User.objects.get(username="admin")
    print(f"{connection.vendor}: {Ticket.objects.count():,} tickets, "
          f"{Customer.objects.count():,} customers")  # fmt: skip
    scope = numbers.Scope(numbers.visible_tickets_q(admin), None)
    for label, days in (("one month", 28), ("three months", DAYS)):
        end = FIRST_DAY + datetime.timedelta(days=days - 1)
        seconds, table = best(args.repeat, partial(numbers.load, scope.tickets, FIRST_DAY, end))
        print(f"{label:>13}: load {len(table):,} tickets {seconds:.2f} s")
        names = numbers_page.names(table)
        seconds, _ = best(args.repeat, partial(numbers.total, table, scope))
        print(f"{'':>13}  total with complaint rate {seconds:.2f} s")
        for group in (Group.AGENT, Group.TEAM, Group.CATEGORY, Group.WEEK):
            seconds, rows = best(args.repeat, partial(numbers.rows, table, scope, group, names))
            print(f"{'':>13}  by {group:<8} {len(rows):3d} rows {seconds:.2f} s")

    def figures_page(end: datetime.date, group: Group) -> int:
        """Work out what the figures page shows: tiles, the group's rows, the charts."""
        page_scope = numbers.Scope(numbers.visible_tickets_q(admin), None)
        table = numbers.load(page_scope.tickets, FIRST_DAY, end)
        total = numbers.total(table, page_scope)
        rows = numbers.rows(table, page_scope, group, numbers_page.names(table))
        numbers_page.table_rows(rows, total)
        return len(numbers_page.charts(table, page_scope, rows, group))

    for days in (28, DAYS):
        end = FIRST_DAY + datetime.timedelta(days=days - 1)
        for group in (Group.AGENT, Group.CATEGORY):
            seconds, _ = best(args.repeat, partial(figures_page, end, group))
            print(f"figures page, {days} days by {group}: {seconds:.2f} s")

    from insights.key_figures import PeriodScope

    ids = np.fromiter(Customer.objects.values_list("pk", flat=True).iterator(), dtype=np.int64)
    period = PeriodScope(admin, FIRST_DAY, FIRST_DAY + datetime.timedelta(days=27), ids, None, {})  # type: ignore[arg-type]
    seconds, _ = best(args.repeat, lambda: numbers_page.key_figures(period))
    print(f"key figures for a month over {ids.size:,} customers: {seconds:.2f} s")
    seconds, r = best(args.repeat, lambda: review.review(Q(), review.Span.WEEK, FIRST_DAY))
    print(f"the week's review ({r.complaints:,} complaints): {seconds:.2f} s")
    end = FIRST_DAY + datetime.timedelta(days=DAYS - 1)
    seconds, report = best(args.repeat, lambda: rd.report(Q(), FIRST_DAY, end))
    print(f"R&D report, three months ({report.total:,} tickets): {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
