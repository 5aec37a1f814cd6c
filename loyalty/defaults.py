"""The default membership tiers and discount rules, seeded by a migration (and by tests,
whose transactional runs empty the tables the migration filled)."""

from decimal import Decimal
from typing import Any

# code, English name, Chinese name, rank, 12-month spend from, discount %, points
# multiplier, early access hours.
TIERS = [
    ("member", "Member", "普通会员", 1, "0.00", "0", "1.00", 0),
    ("silver", "Silver", "银卡会员", 2, "2000.00", "3", "1.20", 0),
    ("gold", "Gold", "金卡会员", 3, "10000.00", "5", "1.50", 24),
    ("platinum", "Platinum", "铂金会员", 4, "50000.00", "8", "2.00", 48),
]
# kind, percent (None: each tier's own), paid orders at least.
RULES = [("frequent", "10", 10), ("birthday", "20", 0), ("tier", None, 0)]


def seed_defaults(tier_model: Any, rule_model: Any) -> None:
    """Add the default tiers that are missing, and the rules when there are none."""
    for code, name, name_zh, rank, spend, discount, multiplier, hours in TIERS:
        tier_model.objects.get_or_create(code=code, defaults={
            "name": name, "name_zh": name_zh, "rank": rank, "min_spend": Decimal(spend),
            "discount_percent": Decimal(discount), "points_multiplier": Decimal(multiplier),
            "priority_hours": hours,
        })  # fmt: skip
    if not rule_model.objects.exists():
        for kind, percent, purchases in RULES:
            rule_model.objects.create(
                kind=kind, percent=None if percent is None else Decimal(percent),
                min_purchases=purchases,
            )  # fmt: skip
