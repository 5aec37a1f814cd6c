"""The loyalty numbers (issue 14, item 8) over the members the reader may see.

Points liability is the outstanding points times LOYALTY_POINT_VALUE. Breakage (expired
points / points earned) and the redemption rate (points redeemed / points earned) read the
visible members' points ledger over the twelve months; the referral share is of the visible
customers created in them. A rate with nothing to divide by shows "—".
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.access import visible_owner_q
from accounts.models import User
from core.templatetags.core import count, money, percent
from customers.models import Customer
from insights.charts import GRID, chart
from loyalty.models import (
    EntryKind,
    Member,
    MembershipTier,
    PointsEntry,
    TierChange,
    TierChangeKind,
)
from loyalty.referrals import referral_share
from loyalty.tiers import tier_label

MONTHS = 12
# A little below ECharts' 8 px: the first month clears the value axis' 0 in the corner.
LABELS = {"hideOverlap": True, "margin": 12}
MOVES = [
    TierChangeKind.JOINED,
    TierChangeKind.UPGRADE,
    TierChangeKind.GRACE,
    TierChangeKind.DOWNGRADE,
]


@dataclass(frozen=True)
class LoyaltyNumbers:
    members: int
    points: int
    debt: int
    liability: Decimal
    # (tier code, members), lowest tier first, members without a tier last.
    distribution: list[tuple[str, int]]
    # Months of the window, and per kind of change the count in each month.
    months: list[datetime.date]
    movement: dict[str, list[int]]
    # (from tier, to tier, members) over the window's upgrades and downgrades.
    moves: list[tuple[str, str, int]]
    breakage: float | None
    redemption_rate: float | None
    referral_share: float | None


def visible_members(user: User) -> Any:
    return Member.objects.filter(visible_owner_q(user, "customer__owner"))


def months_ending(day: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    """Return the first days of the `months` months ending with the day's."""
    first = day.replace(day=1)
    return [_add_months(first, offset) for offset in range(1 - months, 1)]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def loyalty_numbers(user: User, day: datetime.date) -> LoyaltyNumbers:
    """Return the figures over the members the user may see, the movement over the twelve
    months ending with the day's."""
    members = visible_members(user)
    totals = members.aggregate(n=Count("pk"), points=Sum("points_balance"), debt=Sum("points_debt"))
    points = int(totals["points"] or 0)
    by_tier = dict(members.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    order = [tier.code for tier in MembershipTier.objects.order_by("rank")]
    distribution = [(code, by_tier.pop(code, 0)) for code in order]
    distribution += sorted(by_tier.items(), key=lambda item: item[0] == "")
    months = months_ending(day)
    changes = TierChange.objects.filter(
        member__in=members, changed_on__gte=months[0], changed_on__lte=day
    )
    movement: dict[str, list[int]] = {kind: [0] * len(months) for kind in MOVES}
    monthly = changes.annotate(month=TruncMonth("changed_on")).values_list("month", "kind")
    for month, kind, n in monthly.annotate(n=Count("pk")).values_list("month", "kind", "n"):
        movement[kind][months.index(_as_date(month))] += n
    moves = changes.filter(kind__in=[TierChangeKind.UPGRADE, TierChangeKind.DOWNGRADE])
    pairs = moves.values_list("from_tier", "to_tier").annotate(n=Count("pk"))
    flows = _ledger_flows(members, months[0], day)
    share = referral_share(months[0], day, Customer.objects.filter(visible_owner_q(user)))
    return LoyaltyNumbers(
        members=int(totals["n"]), points=points, debt=int(totals["debt"] or 0),
        liability=(points * settings.LOYALTY_POINT_VALUE).quantize(Decimal("0.01")),
        distribution=distribution, months=months, movement=movement,
        moves=sorted(pairs.values_list("from_tier", "to_tier", "n")),
        breakage=_ratio(flows["expired"], flows["earned"]),
        redemption_rate=_ratio(flows["redeemed"], flows["earned"]),
        referral_share=_ratio(share.referred, share.new),
    )  # fmt: skip


def _ledger_flows(members: Any, first: datetime.date, last: datetime.date) -> dict[str, int]:
    """Return the points earned (earnings and grants), expired and redeemed by the members
    in the days first..last (expiries and redemptions are negative entries)."""
    entries = PointsEntry.objects.filter(
        member__in=members, created_at__date__gte=first, created_at__date__lte=last
    )
    sums = entries.aggregate(
        earned=Sum("points", filter=Q(kind__in=[EntryKind.EARN, EntryKind.GRANT])),
        expired=Sum("points", filter=Q(kind=EntryKind.EXPIRE)),
        redeemed=Sum("points", filter=Q(kind=EntryKind.REDEEM)),
    )
    return {name: abs(int(value or 0)) for name, value in sums.items()}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# What the page shows ------------------------------------------------------------------------


def figures(numbers: LoyaltyNumbers) -> list[dict[str, str]]:
    """Return the key figures, each with its label, value and how it is worked out."""
    return [
        {"id": "members", "label": _("Members"), "value": count(numbers.members),
         "formula": _("Customers with a member record.")},
        {"id": "points", "label": _("Points outstanding"), "value": count(numbers.points),
         "formula": _("Points in members' balances.")},
        {"id": "liability", "label": _("Points liability"), "value": money(numbers.liability),
         "formula": _("Outstanding points × %(value)s a point.") % {
             "value": money(settings.LOYALTY_POINT_VALUE)}},
        {"id": "debt", "label": _("Points owed"), "value": count(numbers.debt),
         "formula": _("Points refunds took back that balances could not cover.")},
        {"id": "breakage", "label": _("Breakage"), "value": percent(numbers.breakage),
         "formula": _("Expired points / points earned, over the twelve months.")},
        {"id": "redemption", "label": _("Redemption rate"),
         "value": percent(numbers.redemption_rate),
         "formula": _("Points redeemed / points earned, over the twelve months.")},
        {"id": "referral", "label": _("Referral share"), "value": percent(numbers.referral_share),
         "formula": _("New customers who came by referral / all new customers, over the twelve "
                      "months.")},
    ]  # fmt: skip


def _names() -> dict[str, str]:
    names = {tier.code: tier_label(tier) for tier in MembershipTier.objects.all()}
    names[""] = _("No tier yet")
    return names


def kind_label(kind: str) -> str:
    return str(TierChangeKind(kind).label)


def charts(numbers: LoyaltyNumbers) -> list[dict[str, Any]]:
    """Return the tier distribution and the monthly tier movement as charts with tables."""
    names = _names()
    return [_distribution_chart(numbers, names), _movement_chart(numbers)]


def _distribution_chart(numbers: LoyaltyNumbers, names: dict[str, str]) -> dict[str, Any]:
    labels = [names.get(code, code) for code, _n in numbers.distribution]
    values = [n for _code, n in numbers.distribution]
    option = {
        "tooltip": {"trigger": "axis"}, "grid": {**GRID, "right": 48},
        "xAxis": {"type": "category", "data": labels, "axisLabel": LABELS},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": values, "barMaxWidth": 56,
                    "label": {"show": True, "position": "top"}}],
    }  # fmt: skip
    total = sum(values) or 1
    rows = [[label, count(n), f"{n / total:.0%}"] for label, n in zip(labels, values, strict=True)]
    return chart(
        "tier-distribution", _("Members by tier"), option,
        [_("Tier"), _("Members"), _("Share")], rows,
    )  # fmt: skip


def _movement_chart(numbers: LoyaltyNumbers) -> dict[str, Any]:
    # "2026-01" in both languages: "January 2026" ran out of a phone's chart.
    labels = [f"{month:%Y-%m}" for month in numbers.months]
    option = {
        # A plain legend wraps onto a second line on a phone, where a scrolling one cut names.
        "tooltip": {"trigger": "axis"}, "legend": {}, "grid": {**GRID, "top": 64},
        "xAxis": {"type": "category", "data": labels, "axisLabel": LABELS},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": kind_label(kind), "type": "bar", "stack": "moves", "barMaxWidth": 40,
             "data": numbers.movement[kind]}
            for kind in MOVES
        ],
    }  # fmt: skip
    rows = [
        [label, *(count(numbers.movement[kind][i]) for kind in MOVES)]
        for i, label in enumerate(labels)
    ]
    return chart(
        "tier-movement", _("Tier changes by month"), option,
        [_("Month"), *(kind_label(kind) for kind in MOVES)], rows,
    )  # fmt: skip


def move_rows(numbers: LoyaltyNumbers) -> list[tuple[str, str, str]]:
    """Return the window's upgrades and downgrades, from and to, with their counts."""
    names = _names()
    by_pair: dict[tuple[str, str], int] = defaultdict(int)
    for source, target, n in numbers.moves:
        by_pair[(source, target)] += n
    return [
        (names.get(source, source), names.get(target, target), count(n))
        for (source, target), n in sorted(by_pair.items())
    ]


def window_text(numbers: LoyaltyNumbers) -> str:
    first, last = numbers.months[0], numbers.months[-1]
    return _("%(first)s to %(last)s") % {
        "first": formats.date_format(first, "YEAR_MONTH_FORMAT"),
        "last": formats.date_format(last, "YEAR_MONTH_FORMAT"),
    }
