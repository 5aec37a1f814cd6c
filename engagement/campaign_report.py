"""A campaign's return (投入产出): treated against the held-out control.

For each group: how many, how many were reached and responded (the treated only), how many
bought in the window after the send day, and the revenue. The campaign's effect is the
difference between the groups (a random holdout makes it unbiased), with its 95 % interval
(insights.stats.uplift); the incremental margin is the revenue difference per customer times
the treated group's size times the margin (settings.INSIGHTS["margin"]); the return on cost
is that margin less the cost, over the cost. Everything is added up by the database, one
row per group: a million recipients are read as two rows.
"""

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db import connection

from engagement.models import Campaign, Group, Message, MessageResponse, Recipient, Status
from insights.services import config
from insights.stats.uplift import (
    Difference,
    Moments,
    mean_difference,
    proportion_difference,
    return_on_cost,
)
from sales.models import Order, OrderStatus

REACHED = (Status.QUEUED, Status.SENT, Status.DELIVERED)


@dataclass(frozen=True)
class GroupFigures:
    size: int
    reached: int
    responses: int
    buyers: int
    revenue: float
    revenue_squares: float

    @property
    def repurchase_rate(self) -> float | None:
        return self.buyers / self.size if self.size else None

    @property
    def revenue_per_customer(self) -> float | None:
        return self.revenue / self.size if self.size else None

    def as_dict(self) -> dict[str, Any]:
        figures = asdict(self)
        del figures["revenue_squares"]
        figures["repurchase_rate"] = self.repurchase_rate
        figures["revenue_per_customer"] = self.revenue_per_customer
        return figures


@dataclass(frozen=True)
class Report:
    campaign: Campaign
    first_day: datetime.date
    last_day: datetime.date
    treated: GroupFigures
    control: GroupFigures
    uplift: Difference | None
    revenue_uplift: Difference | None
    cost: float
    incremental_margin: float | None
    roi: float | None

    def as_json(self) -> dict[str, Any]:
        """Return the figures as `manage.py campaign_report --format json` prints them."""
        return {
            "campaign": self.campaign.pk,
            "window": [self.first_day.isoformat(), self.last_day.isoformat()],
            "treated": self.treated.as_dict(),
            "control": self.control.as_dict(),
            "uplift": self.uplift.estimate if self.uplift else None,
            "ci95": [self.uplift.low, self.uplift.high] if self.uplift else None,
            "significant": self.uplift.significant if self.uplift else False,
            "revenue_uplift": self.revenue_uplift.estimate if self.revenue_uplift else None,
            "revenue_ci95": (
                [self.revenue_uplift.low, self.revenue_uplift.high] if self.revenue_uplift else None
            ),
            "cost": self.cost,
            "incremental_margin": self.incremental_margin,
            "roi": self.roi,
        }


def window(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day whose purchases count: the send day and the
    `window_days` - 1 days after it."""
    return campaign.send_on, campaign.send_on + datetime.timedelta(days=campaign.window_days - 1)


def campaign_report(campaign: Campaign) -> Report:
    """Return the campaign's figures for the treated and the control group."""
    first, last = window(campaign)
    purchases = _purchases(campaign, first, last)
    reached, responses = _reach(campaign)
    treated = _figures(purchases.get(Group.TREATED), reached, responses)
    control = _figures(purchases.get(Group.CONTROL), 0, 0)
    revenue_uplift = mean_difference(_moments(treated), _moments(control))
    cost = float(campaign.fixed_cost) + float(campaign.cost_per_contact) * reached
    margin = None
    if revenue_uplift is not None:
        margin = revenue_uplift.estimate * treated.size * float(config()["margin"])
    return Report(
        campaign, first, last, treated, control,
        proportion_difference(treated.buyers, treated.size, control.buyers, control.size),
        revenue_uplift, cost, margin,
        return_on_cost(margin, cost) if margin is not None else None,
    )  # fmt: skip


def _figures(
    row: tuple[int, int, float, float] | None, reached: int, responses: int
) -> GroupFigures:
    size, buyers, revenue, squares = row or (0, 0, 0.0, 0.0)
    return GroupFigures(size, reached, responses, buyers, revenue, squares)


def _moments(group: GroupFigures) -> Moments:
    return Moments(group.size, group.revenue, group.revenue_squares)


def _purchases(
    campaign: Campaign, first: datetime.date, last: datetime.date
) -> dict[str, tuple[int, int, float, float]]:
    """Return per group: recipients, buyers in the window, revenue and revenue squared
    summed over the recipients (each recipient's orders found through the order index
    that starts with the customer)."""
    quote = connection.ops.quote_name
    orders, recipients = quote(Order._meta.db_table), quote(Recipient._meta.db_table)
    sql = f"""
        SELECT grp, COUNT(*), COUNT(revenue), COALESCE(SUM(revenue), 0),
               COALESCE(SUM(revenue * revenue), 0)
        FROM (SELECT r.{quote("group")} AS grp,
                     (SELECT SUM(o.amount) FROM {orders} o
                      WHERE o.customer_id = r.customer_id AND o.status = %s
                        AND o.ordered_on >= %s AND o.ordered_on <= %s) AS revenue
              FROM {recipients} r WHERE r.campaign_id = %s) AS per_customer
        GROUP BY grp
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [OrderStatus.PAID, first, last, campaign.pk])
        rows = cursor.fetchall()
    return {
        group: (size, buyers, float(Decimal(revenue)), float(Decimal(squares)))
        for group, size, buyers, revenue, squares in rows
    }


def _reach(campaign: Campaign) -> tuple[int, int]:
    """Return how many of the campaign's messages were sent or wait to go, and how many of
    them a rep marked as answered."""
    messages = Message.objects.filter(cause_kind="campaign", cause_id=campaign.pk)
    reached = messages.filter(status__in=REACHED).count()
    responses = MessageResponse.objects.filter(message__in=messages).count()
    return reached, responses


def daily_buyers(campaign: Campaign) -> dict[str, list[int]]:
    """Return, per group, how many of its customers had bought by each day of the window
    (cumulative), for the chart of treated against control over time."""
    first, last = window(campaign)
    quote = connection.ops.quote_name
    orders, recipients = quote(Order._meta.db_table), quote(Recipient._meta.db_table)
    sql = f"""
        SELECT grp, first_day, COUNT(*)
        FROM (SELECT r.{quote("group")} AS grp,
                     (SELECT MIN(o.ordered_on) FROM {orders} o
                      WHERE o.customer_id = r.customer_id AND o.status = %s
                        AND o.ordered_on >= %s AND o.ordered_on <= %s) AS first_day
              FROM {recipients} r WHERE r.campaign_id = %s) AS per_customer
        WHERE first_day IS NOT NULL
        GROUP BY grp, first_day
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [OrderStatus.PAID, first, last, campaign.pk])
        rows = cursor.fetchall()
    days = campaign.window_days
    counts = {Group.TREATED.value: [0] * days, Group.CONTROL.value: [0] * days}
    for group, day, buyers in rows:
        if group in counts:
            offset = (_as_date(day) - first).days
            counts[group][offset] += buyers
    return {group: list(accumulate(per_day)) for group, per_day in counts.items()}


def _as_date(value: datetime.date | str) -> datetime.date:
    """Return a date from a raw query (SQLite answers text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
