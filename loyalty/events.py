"""The domain events loyalty announces (core.events)."""

from enum import StrEnum


class LoyaltyEvent(StrEnum):
    """member.tier_changed: customer_id, subject_id (the member) and data {"kind" (joined,
    upgrade, grace, downgrade), "from_tier", "to_tier", "spend"}."""

    TIER_CHANGED = "member.tier_changed"
