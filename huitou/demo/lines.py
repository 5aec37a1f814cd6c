"""Turn one CDNOW row (number of CDs, dollar value) into order lines that add up exactly."""

import random
from decimal import Decimal

from huitou.demo.catalogue import CATEGORY_WEIGHTS, SKU_BY_CATEGORY
from sales.services import LineInput

CENT = Decimal("0.01")


def split_lines(rng: random.Random, cds: int, value: Decimal, favourite: str) -> list[LineInput]:
    """Return 1-2 lines for `cds` CDs whose amounts sum to `value` exactly.

    Most CDs are of the customer's favourite category; a second line, when drawn, is another
    category. The value is shared in proportion to the quantities.
    """
    first = favourite if rng.random() < 0.7 else _other(rng, "")
    if cds < 2 or rng.random() >= 0.4:
        return [_line(first, cds, _cents(value))]
    quantity = rng.randint(1, cds - 1)
    total = _cents(value)
    share = total * quantity // cds
    return [_line(first, quantity, share), _line(_other(rng, first), cds - quantity, total - share)]


def _other(rng: random.Random, excluded: str) -> str:
    return rng.choice([category for category in CATEGORY_WEIGHTS if category != excluded])


def _cents(value: Decimal) -> int:
    return int((value / CENT).to_integral_value())


def _line(category: str, quantity: int, cents: int) -> LineInput:
    """Return a line worth `cents`: the unit price rounded up, the remainder as a discount.

    A line's amount is unit price x quantity - discount, so rounding the unit price up and
    discounting the few cents over makes any amount exact (zero-value rows included).
    """
    unit_cents = -(-cents // quantity)
    return LineInput(
        sku=SKU_BY_CATEGORY[category],
        quantity=quantity,
        unit_price=Decimal(unit_cents) * CENT,
        discount=Decimal(unit_cents * quantity - cents) * CENT,
    )
