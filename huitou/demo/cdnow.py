"""Read the CDNOW purchase file and move its dates so that the last purchase was yesterday."""

import datetime
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from pathlib import Path

DATA_FILE = Path(__file__).with_name("CDNOW_master.txt")
PREFIX = "CDNOW-"


@dataclass(frozen=True)
class Purchase:
    """One row of the file: what one customer bought on one day (1997-01 .. 1998-06)."""

    row: int  # 1-based data row; the order number "CDNOW-<row>" is its natural key
    customer_id: int
    ordered_on: datetime.date
    cds: int
    value: Decimal

    @property
    def order_number(self) -> str:
        return f"{PREFIX}{self.row}"

    @property
    def external_id(self) -> str:
        return external_id(self.customer_id)


def external_id(cdnow_id: int) -> str:
    """Return the customer's natural key in Huitou."""
    return f"{PREFIX}{cdnow_id}"


def _parse(row: int, line: str) -> Purchase:
    customer, day, cds, value = line.split()
    return Purchase(
        row=row,
        customer_id=int(customer),
        ordered_on=datetime.date(int(day[:4]), int(day[4:6]), int(day[6:8])),
        cds=int(cds),
        value=Decimal(value),
    )


@functools.cache
def read_purchases(path: Path = DATA_FILE) -> tuple[Purchase, ...]:
    """Return every purchase of the file in file order (sorted by customer, then day).

    Cached: the file ships with the code and never changes while a process runs.
    """
    with path.open(encoding="ascii") as source:
        next(source)  # the column names
        return tuple(_parse(row, line) for row, line in enumerate(source, start=1) if line.strip())


def first_customers(purchases: Sequence[Purchase], limit: int | None) -> list[Purchase]:
    """Return the purchases of the first `limit` customers of the file (all when None)."""
    if limit is None:
        return list(purchases)
    kept: list[Purchase] = []
    for count, (_customer, rows) in enumerate(by_customer(purchases)):
        if count >= limit:
            break
        kept.extend(rows)
    return kept


def by_customer(purchases: Sequence[Purchase]) -> Iterator[tuple[int, list[Purchase]]]:
    """Yield (CDNOW customer id, that customer's purchases) in file order."""
    for customer, rows in groupby(purchases, key=lambda purchase: purchase.customer_id):
        yield customer, list(rows)


def date_shift(purchases: Sequence[Purchase], today: datetime.date) -> datetime.timedelta:
    """Return the one offset that moves the file's last purchase to yesterday.

    Computed over the whole file, not a slice, so a partial load and a later full load agree.
    """
    last = max(purchase.ordered_on for purchase in purchases)
    return (today - datetime.timedelta(days=1)) - last
