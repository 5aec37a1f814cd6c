"""A hand-built month of care for the care-effect tests: every number in it is known."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import User
from customers.models import Customer
from engagement import services
from engagement.models import Message
from engagement.services import Cause
from insights.models import CustomerScore, RunStatus, ScoreRun
from interactions.services import log_interaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEND_DAY = datetime.date(2026, 3, 10)
CONTROL_DAY = datetime.date(2026, 3, 15)
# 11:00 in Shanghai, outside the quiet hours.
SENT_AT = datetime.datetime(2026, 3, 10, 11, 0, tzinfo=SHANGHAI)
MARCH = datetime.date(2026, 3, 1)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def scoring_run(as_of: datetime.date, tiers: dict[Customer, str]) -> ScoreRun:
    """Store a good scoring run giving these customers these value tiers."""
    run = ScoreRun.objects.create(
        as_of=as_of, status=RunStatus.SUCCEEDED, finished_at=datetime.datetime.now(datetime.UTC)
    )
    for customer, tier in tiers.items():
        CustomerScore(
            run=run, customer=customer, purchase_count=1, first_purchase_on=as_of,
            last_purchase_on=as_of, revenue=Decimal(1), is_returning=True,
            typical_interval_days=None, p_alive=0.5, churn_risk=0.5, expected_purchases_30=0,
            expected_purchases_90=0, expected_purchases_365=0, expected_spend=0, clv=0,
            value_tier=tier, r_score=1, f_score=1, m_score=1, segment="lost",
        ).save()  # fmt: skip
    return run


def care(
    customer: Customer,
    channel: str = "sms",
    kind: str = "birthday",
    sent_at: datetime.datetime = SENT_AT,
    cost: str = "0.05",
) -> Message:
    """Send a care message through the one send path and pin when it went out."""
    message = services.send(
        None, customer, channel, "care", text="Happy birthday {name}", cause=Cause(kind),
        occasion_date=sent_at.date(), cost=Decimal(cost), now=sent_at,
    )  # fmt: skip
    if message.status == "queued":
        services.deliver(message.pk, now=sent_at)
    # Delivery stamps the wall clock; the example needs the send on its day.
    Message.objects.filter(pk=message.pk).update(sent_at=sent_at)
    message.refresh_from_db()
    assert message.status == "sent"
    return message


def reply(actor: User, customer: Customer, at: datetime.datetime, direction: str = "in") -> None:
    log_interaction(
        actor, customer,
        {"kind": "wechat", "direction": direction, "occurred_at": at, "summary": "Thanks!"},
    )  # fmt: skip


@dataclass
class Example:
    contacted: list[Customer]
    controls: list[Customer]
    messages: list[Message]
    extra: dict[str, Any]


def build(rep: User, make_customer: Any, make_order: Any) -> Example:
    """Build March 2026 for the rep's customers.

    Contacted by birthday SMS on 10 March (tier A, last order at most 30 days before):
      c1 replies exactly 7 days later, buys on day +30, marked positive;
      c2 replies 7 days and a second later (too late), buys on day +31 (and on the day of
         the send, which counts for neither side);
      c3 replied before the send only, buys on day +90, marked negative.
    Contacted by a Spring Festival phone call: c4, with no purchase (alone in its stratum).
    Not contacted in March, described on the 15th (tier A, bought 14 days before):
      k1 buys on 20 March, k2 on day +30, k3 on day +31, k4 never;
      k5 bought 31 days before the 15th (another recency bucket: not matched);
      k6 got a birthday SMS in February only (still a control in March).
    """
    make = [make_customer(rep) for _ in range(10)]
    c1, c2, c3, c4, k1, k2, k3, k4, k5, k6 = make
    for customer in (c1, c2, k1, k2, k3, k4, k6):
        make_order(customer, datetime.date(2026, 3, 1))
    make_order(c3, SEND_DAY - days(30))
    make_order(k5, CONTROL_DAY - days(31))
    # Tiers before the send: A for everyone matched. A run dated on the send day itself is
    # not "before the send": it says B for the contacted, and must be ignored for them.
    scoring_run(datetime.date(2026, 3, 1), {c: "A" for c in make if c is not c4} | {c4: "B"})
    scoring_run(SEND_DAY, {c1: "B", c2: "B", c3: "B"} | {k: "A" for k in (k1, k2, k3, k4, k5, k6)})
    care(k6, sent_at=SENT_AT - days(30))
    messages = [care(c1), care(c2), care(c3), care(c4, channel="phone", kind="spring_festival",
                                                   cost="5.00")]  # fmt: skip
    reply(rep, c1, SENT_AT + days(7))
    reply(rep, c2, SENT_AT + days(7) + datetime.timedelta(seconds=1))
    reply(rep, c3, SENT_AT - datetime.timedelta(hours=1))
    reply(rep, c3, SENT_AT + days(1), direction="out")  # our own call is no reply
    make_order(c1, SEND_DAY + days(30))
    make_order(c2, SEND_DAY)
    make_order(c2, SEND_DAY + days(31))
    make_order(c3, SEND_DAY + days(90))
    make_order(k1, datetime.date(2026, 3, 20))
    make_order(k2, CONTROL_DAY + days(30))
    make_order(k3, CONTROL_DAY + days(31))
    return Example([c1, c2, c3, c4], [k1, k2, k3, k4, k5, k6], messages, {})
