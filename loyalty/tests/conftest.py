"""Fixtures of the loyalty tests."""

from typing import Any

import pytest


@pytest.fixture
def loyalty_defaults(db: Any) -> None:
    """Put back the default tiers and discount rules the migration seeds, should a
    transactional test (a browser test) have flushed them."""
    from loyalty.defaults import seed_defaults
    from loyalty.models import DiscountRule, MembershipTier

    seed_defaults(MembershipTier, DiscountRule)


@pytest.fixture(autouse=True)
def yuan(settings: Any) -> None:
    """Loyalty's figures are written in yuan here, whatever CURRENCY the shell exports
    (`make` exports USD for the CDNOW demo)."""
    settings.CURRENCY = "CNY"
