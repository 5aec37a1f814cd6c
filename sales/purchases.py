"""Every paid order as NumPy arrays, for the analyses, kept in a file between runs.

Reading ten million orders costs about 8 s on SQLite however it is done, and the nightly
scoring run needs all of them. So the orders collapsed to one row per customer and day are
kept in a file under settings.PURCHASE_CACHE_DIR, and each read checks the file against the
purchase summaries (CustomerStats, kept in step with every order change by sales.services):
a customer whose first or last day, number of purchase days, number of orders or total spend
differs from the file is read again from the orders, one who has lost every paid order is
dropped, and a customer new to the summaries is read. The check reads one million summaries
in well under a second. A change that keeps all five figures of a customer equal (refunding
one order and adding another of the same amount on another day that already had a purchase,
neither the first nor the last) would go unnoticed, so the file is read again in full when
it is older than settings.PURCHASE_CACHE_MAX_AGE_DAYS, or when more than a tenth of the
customers changed (reading everything is then quicker).
"""

import datetime
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from sales.models import CustomerStats, Order, OrderStatus

# A row's key is customer id * 2**20 + day number + 2**19: sorting keys sorts by customer,
# then day, and days from 1970 +- 1,400 years fit.
DAY_BITS = 20
DAY_OFFSET = 2 ** (DAY_BITS - 1)
ID_LIMIT = 2 ** (62 - DAY_BITS)
# Reading orders by chunks of ids keeps each SQLite answer to a few hundred megabytes.
CHUNK_IDS = 1_000_000
# Re-read every order when more customers than this share changed: one scan is then cheaper.
FULL_READ_SHARE = 0.1
IN_CHUNK = 500


@dataclass(frozen=True)
class PurchaseRows:
    """Paid orders collapsed to one row per customer and day, sorted by customer then day."""

    customer_id: np.ndarray
    day: np.ndarray  # days since 1970-01-01
    amount: np.ndarray  # the day's paid orders summed
    orders: np.ndarray  # how many paid orders that day


@dataclass(frozen=True)
class PurchaseDays:
    """What the cache file holds: every paid order, collapsed, whatever its date."""

    key: np.ndarray  # int64, sorted, unique
    cents: np.ndarray  # int64
    orders: np.ndarray  # int64
    read_at: float  # when the orders were last read in full (time.time())

    def rows(self, until: datetime.date) -> PurchaseRows:
        """Return the rows on or before `until` as the analyses read them."""
        day = (self.key & (2**DAY_BITS - 1)) - DAY_OFFSET
        keep = day <= (until - datetime.date(1970, 1, 1)).days
        return PurchaseRows(
            customer_id=self.key[keep] >> DAY_BITS,
            day=day[keep],
            amount=self.cents[keep] / 100,
            orders=self.orders[keep],
        )

    def per_customer(self) -> np.ndarray:
        """Return one row per customer: id, first day, last day, days, orders, cents."""
        if not self.key.size:
            return np.zeros((0, 6), dtype=np.int64)
        customer = self.key >> DAY_BITS
        starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
        ends = np.r_[starts[1:], customer.size]
        day = (self.key & (2**DAY_BITS - 1)) - DAY_OFFSET
        return np.column_stack(
            (
                customer[starts], day[starts], day[ends - 1], ends - starts,
                np.add.reduceat(self.orders, starts), np.add.reduceat(self.cents, starts),
            )
        )  # fmt: skip


def purchase_rows(until: datetime.date, save_cache: bool = False) -> PurchaseRows:
    """Return every paid order up to `until`, collapsed by customer and day."""
    return purchase_days(save_cache).rows(until)


def purchase_days(save_cache: bool = False) -> PurchaseDays:
    """Return every paid order collapsed by customer and day, whatever its date.

    Reads the cache file when there is one and brings it up to date with the orders;
    `save_cache` writes the result back (the nightly run does; pages do not).
    """
    highest = Order.objects.aggregate(high=Max("customer_id"))["high"]
    if highest is not None and highest >= ID_LIMIT:
        raise ValueError(f"customer ids must stay below {ID_LIMIT} to be analysed")
    cached = _load()
    days = _refreshed(cached) if cached is not None else None
    if days is None:
        days = _read_everything()
    if save_cache and days is not cached:
        _save(days)
    return days


def _refreshed(cached: PurchaseDays) -> PurchaseDays | None:
    """Return the cache brought up to date with the orders; None when a full read is better."""
    max_age = settings.PURCHASE_CACHE_MAX_AGE_DAYS * 86400
    if time.time() - cached.read_at > max_age:
        return None
    in_file = cached.per_customer()
    changed = _changed_customers(in_file, _summaries())
    if changed.size > FULL_READ_SHARE * max(in_file.shape[0], 1):
        return None
    if not changed.size:
        return cached
    return _replace_customers(cached, changed, _read_customers(changed))


def _changed_customers(cached: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """Return the customers whose summary differs between the two tables, sorted by id.

    Both tables are sorted by customer id; a customer missing from either one differs.
    """
    differs = ~_rows_in(stored, cached)
    return np.union1d(stored[differs, 0], cached[~_rows_in(cached, stored), 0])


def _rows_in(rows: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Return which rows have an equal row (same customer, same figures) in `other`."""
    if not other.shape[0]:
        return np.zeros(rows.shape[0], dtype=bool)
    at = np.minimum(np.searchsorted(other[:, 0], rows[:, 0]), other.shape[0] - 1)
    return np.asarray((other[at] == rows).all(axis=1))


def _replace_customers(
    cached: PurchaseDays, customers: np.ndarray, fresh: PurchaseDays
) -> PurchaseDays:
    """Return the cache with these customers' rows replaced by fresh ones."""
    drop = np.isin(cached.key >> DAY_BITS, customers)
    key, cents, orders = cached.key[~drop], cached.cents[~drop], cached.orders[~drop]
    at = np.searchsorted(key, fresh.key)
    return PurchaseDays(
        key=np.insert(key, at, fresh.key),
        cents=np.insert(cents, at, fresh.cents),
        orders=np.insert(orders, at, fresh.orders),
        read_at=cached.read_at,
    )


def _collapse(key: np.ndarray, cents: np.ndarray, read_at: float) -> PurchaseDays:
    """Return orders (key, cents) collapsed to one row per key, sorted."""
    if key.size and not bool((key[1:] >= key[:-1]).all()):
        order = np.argsort(key, kind="stable")
        key, cents = key[order], cents[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, int)
    if not starts.size:
        empty = np.zeros(0, dtype=np.int64)
        return PurchaseDays(empty, empty, empty, read_at)
    return PurchaseDays(
        key=key[starts],
        cents=np.add.reduceat(cents, starts),
        orders=np.diff(np.r_[starts, key.size]).astype(np.int64),
        read_at=read_at,
    )


# Reading from the database --------------------------------------------------------------


def _day_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def _cents_sql(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _key_sql() -> str:
    return f"customer_id * {2**DAY_BITS} + {_day_sql('ordered_on')} + {DAY_OFFSET}"


def _read_everything() -> PurchaseDays:
    """Return every paid order, read in full (SQLite: as text NumPy parses in C)."""
    read_at = time.time()
    if connection.vendor == "sqlite":
        key, cents = _read_sqlite_orders()
    else:
        key, cents = _read_plain_orders("", [])
    return _collapse(key, cents, read_at)


def _read_sqlite_orders() -> tuple[np.ndarray, np.ndarray]:
    """Return (key, cents) of every paid order, each chunk of ids as one string of numbers.

    Fetching ten million rows as Python tuples took 20 s; one group_concat string per
    million ids, parsed by NumPy, takes about 6 s.
    """
    low, high = Order.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = (
        f"SELECT group_concat(({_key_sql()}) || ',' || {_cents_sql('amount')}, ',') "
        f"FROM {table} WHERE id >= %s AND id < %s AND status = %s"
    )
    blocks = [np.zeros(0, dtype=np.int64)]
    with connection.cursor() as cursor:
        for start in range(low or 0, (high or -1) + 1, CHUNK_IDS):
            cursor.execute(sql, [start, start + CHUNK_IDS, OrderStatus.PAID])
            (text,) = cursor.fetchone()
            if text:
                blocks.append(np.fromstring(text, dtype=np.int64, sep=","))
    pairs = np.concatenate(blocks).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _read_plain_orders(where: str, params: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return (key, cents) of the paid orders matching `where`, through the driver."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = f"SELECT {_key_sql()}, {_cents_sql('amount')} FROM {table} WHERE status = %s {where}"
    blocks = [np.zeros((0, 2), dtype=np.int64)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [OrderStatus.PAID, *params])
        while rows := cursor.fetchmany(500_000):
            blocks.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
    pairs = np.concatenate(blocks)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _read_customers(customers: np.ndarray) -> PurchaseDays:
    """Return the paid orders of these customers, collapsed."""
    keys, cents = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, customers.size, IN_CHUNK):
        chunk = customers[start : start + IN_CHUNK].tolist()
        where = f"AND customer_id IN ({', '.join(['%s'] * len(chunk))})"
        key, cent = _read_plain_orders(where, chunk)
        keys.append(key)
        cents.append(cent)
    return _collapse(np.concatenate(keys), np.concatenate(cents), 0.0)


def _summaries() -> np.ndarray:
    """Return every purchase summary as rows of id, first day, last day, days, orders, cents."""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    columns = [
        "customer_id", _day_sql("first_purchase_on"), _day_sql("last_purchase_on"),
        "purchase_days", "orders_count", _cents_sql("total_spend"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The table's key is the customer id, so a plain scan comes in customer order.
            joined = " || ',' || ".join(columns)
            cursor.execute(f"SELECT group_concat({joined}, ',') FROM {table}")
            (text,) = cursor.fetchone()
            values = (
                np.fromstring(text, dtype=np.int64, sep=",")
                if text
                else np.zeros(0, dtype=np.int64)
            )
        else:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY customer_id")
            values = np.array(cursor.fetchall(), dtype=np.int64)
    rows = values.reshape(-1, 6)
    if rows.shape[0] and not bool((rows[1:, 0] > rows[:-1, 0]).all()):
        rows = rows[np.argsort(rows[:, 0])]
    return rows


# The file -------------------------------------------------------------------------------


def _path() -> Path:
    """Return the cache file of this database (one per database, so tests never share one)."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite" and not name.startswith(("file:", ":memory:")):
        name = os.path.realpath(name)  # the same file however the path was spelled
    identity = f"{connection.vendor}|{name}|{db.get('HOST', '')}|{db.get('PORT', '')}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(settings.PURCHASE_CACHE_DIR) / f"purchase-days-{digest}.npz"


def _load() -> PurchaseDays | None:
    """Return the cached purchase days, or None when there is no usable file."""
    try:
        with np.load(_path()) as data:
            return PurchaseDays(
                key=data["key"], cents=data["cents"], orders=data["orders"],
                read_at=float(data["read_at"]),
            )  # fmt: skip
    except (OSError, KeyError, ValueError):
        return None


def _save(days: PurchaseDays) -> None:
    """Write the cache file atomically: readers see the old file or the new, never half."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as handle:
        np.savez(
            handle, key=days.key, cents=days.cents, orders=days.orders,
            read_at=np.float64(days.read_at),
        )  # fmt: skip
    os.replace(handle.name, path)
