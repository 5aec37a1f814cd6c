"""A fortnight of tickets whose service figures are worked out by hand in the tests.

Period 2026-03-02 (Monday) to 2026-03-15, Asia/Shanghai, working hours 09:00–18:00 with
lunch 12:00–13:00. Times in comments are working time.

    T1 complaint c1 quality  a1  Mon 03-02 09:00  response 10:30 (1.5 h)  resolved Tue 10:00 (9 h)
       SLA met, promise kept, CSAT 5, NPS 10, gifts 30.00 approved + 100.00 refused
    T2 complaint c2 delivery a1  Wed 03-04 17:00  response Thu 09:30 (1.5 h) resolved Fri 17:00
       (16 h), first response breached, promise broken, CSAT 3, NPS 6, reopened once,
       gift 12.50 approved
    T3 request   c3 quality  a2  Mon 03-09 11:00  response 14:00 (2 h), open, SLA running
    T6 request   c3 quality  a2  Tue 03-10 09:00  response 09:15 (0.25 h) resolved 11:30
       (2.5 h), SLA met, survey sent, not answered
    T4 question  c4 (other rep's customer), no category, unassigned, Fri 03-13 12:30, nothing
    outside: a complaint of c5 on Sun 03-01 23:50 and one on Mon 03-16 00:10

Purchases: c1 2026-02-01, c2 2025-06-01 (lost by then: 180 days), c3 2026-03-10,
c5 2026-01-01, c4 none.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Team, User
from conftest import make_user
from customers.models import Customer
from service.models import Category, Gift, GiftStatus, Kind, Survey, Ticket

ZONE = ZoneInfo("Asia/Shanghai")
START, END = datetime.date(2026, 3, 2), datetime.date(2026, 3, 15)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Fortnight:
    a1: User
    a2: User
    quality: Category
    delivery: Category
    customers: dict[str, Customer]
    tickets: dict[str, Ticket]


_numbers = iter(range(1, 10_000))


def ticket(customer: Customer, kind: str, opened: datetime.datetime, **fields: Any) -> Ticket:
    number = next(_numbers)
    values: dict[str, Any] = {
        "subject": f"Ticket {number}", "description": "In the customer's words.",
        "channel": "phone", **fields,
    }  # fmt: skip
    return Ticket.objects.create(
        number=f"T-{number:05d}", kind=kind, customer=customer, opened_at=opened, **values
    )


def survey(t: Ticket, csat: int | None = None, nps: int | None = None) -> Survey:
    answered = at(20, 10) if csat is not None else None
    return Survey.objects.create(
        ticket=t, token_hash=f"hash-{t.pk}", expires_at=at(30, 0), answered_at=answered,
        csat=csat, nps=nps,
    )  # fmt: skip


def build(rep: User, other_rep: User, make_customer: Any, make_order: Any) -> Fortnight:
    east = Team.objects.get_or_create(name="East")[0]
    west = Team.objects.get_or_create(name="West")[0]
    a1 = make_user("agent1", "agent", east)
    a1.first_name, a1.last_name = "Ann", "Agent"
    a1.save()
    a2 = make_user("agent2", "agent", west)
    quality = Category.objects.create(code="test-quality", name="Quality", name_zh="质量")
    delivery = Category.objects.create(code="test-delivery", name="Delivery", name_zh="物流")
    c = {name: make_customer(rep, name=name) for name in ("c1", "c2", "c3", "c5")}
    c["c4"] = make_customer(other_rep, name="c4")
    make_order(c["c1"], datetime.date(2026, 2, 1))
    make_order(c["c2"], datetime.date(2025, 6, 1))
    make_order(c["c3"], datetime.date(2026, 3, 10))
    make_order(c["c5"], datetime.date(2026, 1, 1))
    due = {"first_response_due": at(20, 9), "resolution_due": at(20, 9)}
    t = {
        "T1": ticket(
            c["c1"], Kind.COMPLAINT, at(2, 9), category=quality, assignee=a1,
            first_responded_at=at(2, 10, 30), resolved_at=at(3, 10), promise_kept=True, **due,
        ),
        "T2": ticket(
            c["c2"], Kind.COMPLAINT, at(4, 17), category=delivery, assignee=a1,
            first_responded_at=at(5, 9, 30), resolved_at=at(6, 17), promise_kept=False,
            first_response_breached_at=at(5, 9), reopen_count=1, **due,
        ),
        "T3": ticket(
            c["c3"], Kind.REQUEST, at(9, 11), category=quality, assignee=a2,
            first_responded_at=at(9, 14), **due,
        ),
        "T6": ticket(
            c["c3"], Kind.REQUEST, at(10, 9), category=quality, assignee=a2,
            first_responded_at=at(10, 9, 15), resolved_at=at(10, 11, 30), **due,
        ),
        "T4": ticket(c["c4"], Kind.QUESTION, at(13, 12, 30)),
        "before": ticket(c["c5"], Kind.COMPLAINT, at(1, 23, 50)),
        "after": ticket(c["c5"], Kind.COMPLAINT, at(16, 0, 10)),
    }  # fmt: skip
    survey(t["T1"], csat=5, nps=10)
    survey(t["T2"], csat=3, nps=6)
    survey(t["T6"])
    Gift.objects.create(
        ticket=t["T1"], description="coupon", cost=Decimal("30.00"), status=GiftStatus.APPROVED
    )
    Gift.objects.create(
        ticket=t["T1"], description="hamper", cost=Decimal("100.00"), status=GiftStatus.REFUSED
    )
    Gift.objects.create(
        ticket=t["T2"], description="tea", cost=Decimal("12.50"), status=GiftStatus.APPROVED
    )
    return Fortnight(a1, a2, quality, delivery, c, t)
