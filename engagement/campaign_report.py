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
from typing import Any, NamedTuple

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
from sales.models import CustomerStats, Order, OrderStatus

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
    # Per group, how many had bought by each day of the window (the chart).
    buyers_by_day: dict[str, list[int]]

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
    rows = _by_group_and_first_day(campaign, first, last)
    reached, responses = _reach(campaign)
    treated = _figures(rows, Group.TREATED, reached, responses)
    control = _figures(rows, Group.CONTROL, 0, 0)
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
        _cumulative_buyers(rows, first, campaign.window_days),
    )  # fmt: skip


class _Row(NamedTuple):
    """Recipients of one group whose first purchase in the window fell on one day (None:
    no purchase), with their revenue and revenue squared summed."""

    group: str
    first_day: datetime.date | None
    customers: int
    revenue: float
    squares: float


def _figures(rows: list[_Row], group: str, reached: int, responses: int) -> GroupFigures:
    mine = [row for row in rows if row.group == group]
    return GroupFigures(
        size=sum(row.customers for row in mine), reached=reached, responses=responses,
        buyers=sum(row.customers for row in mine if row.first_day is not None),
        revenue=sum(row.revenue for row in mine),
        revenue_squares=sum(row.squares for row in mine),
    )  # fmt: skip


def _moments(group: GroupFigures) -> Moments:
    return Moments(group.size, group.revenue, group.revenue_squares)


def _by_group_and_first_day(
    campaign: Campaign, first: datetime.date, last: datetime.date
) -> list[_Row]:
    """Return the recipients added up by group and day of first purchase in the window.

    Only customers whose kept purchase summary says they bought on or after the window's
    first day can have bought in it: they are found along the summary's last-purchase index
    and only their orders are read, so a report costs what its buyers cost, not what its
    recipients do. The others are counted from the recipients' (campaign, group) index.
    (CROSS JOIN keeps SQLite to that order; PostgreSQL plans it as any join.)
    """
    quote = connection.ops.quote_name
    orders, recipients = quote(Order._meta.db_table), quote(Recipient._meta.db_table)
    summaries, group = quote(CustomerStats._meta.db_table), quote("group")
    bought = f"""
        SELECT grp, first_day, COUNT(*), SUM(revenue), SUM(revenue * revenue)
        FROM (SELECT r.{group} AS grp, MIN(o.ordered_on) AS first_day, SUM(o.amount) AS revenue
              FROM {summaries} s CROSS JOIN {recipients} r CROSS JOIN {orders} o
              WHERE s.last_purchase_on >= %s
                AND r.campaign_id = %s AND r.customer_id = s.customer_id
                AND o.customer_id = s.customer_id AND o.status = %s
                AND o.ordered_on >= %s AND o.ordered_on <= %s
              GROUP BY s.customer_id, r.{group}) AS per_customer
        GROUP BY grp, first_day
    """
    sizes = f"SELECT {group}, COUNT(*) FROM {recipients} WHERE campaign_id = %s GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(bought, [first, campaign.pk, OrderStatus.PAID, first, last])
        rows = [
            _Row(grp, _as_date(day), count, float(Decimal(revenue)), float(Decimal(squares)))
            for grp, day, count, revenue, squares in cursor.fetchall()
        ]
        cursor.execute(sizes, [campaign.pk])
        group_sizes = dict(cursor.fetchall())
    for grp, size in group_sizes.items():
        buyers = sum(row.customers for row in rows if row.group == grp)
        rows.append(_Row(grp, None, size - buyers, 0.0, 0.0))
    return rows


def _as_date(value: datetime.date | str) -> datetime.date:
    """Return a date from a raw query (SQLite answers text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _cumulative_buyers(rows: list[_Row], first: datetime.date, days: int) -> dict[str, list[int]]:
    """Return, per group, how many of its customers had bought by each day of the window."""
    counts = {Group.TREATED.value: [0] * days, Group.CONTROL.value: [0] * days}
    for row in rows:
        if row.first_day is not None and row.group in counts:
            counts[row.group][(row.first_day - first).days] += row.customers
    return {group: list(accumulate(per_day)) for group, per_day in counts.items()}


def _reach(campaign: Campaign) -> tuple[int, int]:
    """Return how many of the campaign's messages were sent or wait to go, and how many of
    them a rep marked as answered."""
    messages = Message.objects.filter(cause_kind="campaign", cause_id=campaign.pk)
    reached = messages.filter(status__in=REACHED).count()
    responses = MessageResponse.objects.filter(message__in=messages).count()
    return reached, responses
