"""The points an amount paid earns, as the quote shows them: the ledger's one earn rule
(loyalty.points.points_for), with the multipliers it applied spelled out."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from loyalty.points import points_for as ledger_points


@dataclass(frozen=True)
class Earning:
    base: int
    tier_multiplier: Decimal
    birthday_multiplier: Decimal
    points: int


def points_for(paid: Decimal, tier_multiplier: Decimal, birthday_month: bool) -> Earning:
    """Return the points `paid` earns: LOYALTY_POINTS_PER_100 per 100 paid, times the tier's
    and the birthday month's multipliers, rounded down once (as the ledger credits them)."""
    per_100 = settings.LOYALTY_POINTS_PER_100
    birthday = Decimal(1)
    if birthday_month:
        birthday = Decimal(settings.LOYALTY_BIRTHDAY_POINTS_MULTIPLIER)
    return Earning(
        ledger_points(paid, Decimal(1), per_100), tier_multiplier, birthday,
        ledger_points(paid, tier_multiplier * birthday, per_100),
    )  # fmt: skip
