"""The points an amount paid earns, as the quote shows them.

The points ledger (loyalty.points) owns the earn rule; this is the same rule written once for
the quote: 10 points per full 100 of the amount paid, times the tier's multiplier, times the
birthday month's, rounded down to whole points. Both must read one rule (docs/decisions.md).
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings

POINTS_PER_STEP = 10
STEP = Decimal(100)


@dataclass(frozen=True)
class Earning:
    base: int
    tier_multiplier: Decimal
    birthday_multiplier: Decimal
    points: int


def points_for(paid: Decimal, tier_multiplier: Decimal, birthday_month: bool) -> Earning:
    """Return the points `paid` earns: 10 per full 100, times the multipliers, rounded down."""
    base = int((paid / STEP).to_integral_value(ROUND_FLOOR)) * POINTS_PER_STEP if paid > 0 else 0
    birthday = settings.LOYALTY_BIRTHDAY_POINTS_MULTIPLIER if birthday_month else Decimal(1)
    points = (base * tier_multiplier * birthday).to_integral_value(ROUND_FLOOR)
    return Earning(base, tier_multiplier, birthday, int(points))
