"""Every paid order as NumPy arrays, for the analyses, kept in a file between runs.

Reading ten million orders costs about 8 s on SQLite however it is done, and the nightly
scoring run needs all of them. So the orders collapsed to one row per customer and day are
kept in a file under settings.ANALYSIS_CACHE_DIR and brought up to date on each read from
the purchase summaries (CustomerStats), which sales.summary keeps in step with every order
change: customers whose summary changed since the last check are read again from their
orders. Then four totals (customers, orders, purchase days, cents) of the file and of the
summaries must agree; when they do not (a customer lost every paid order and with it their
summary, a transaction committed long after it began, a write outside sales.summary), the
customer ids and then every customer's figures are compared, and the differing customers
read again. The file is read again in full when more than a tenth of the customers changed,
by housekeeping after the nightly run (keep_up_to_date), and by any read that finds it older
than settings.PURCHASE_CACHE_MAX_AGE_DAYS.
"""

import datetime
import time
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from core.analysis_cache import cache_path, load_arrays, save_arrays
from core.chunks import chunked
from core.numeric_read import integer_rows
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
    checked_at: float  # when the summaries were last compared with the file

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

    def customers(self) -> np.ndarray:
        """Return the customers in the file, sorted."""
        customer = self.key >> DAY_BITS
        return customer[np.r_[True, customer[1:] != customer[:-1]]] if customer.size else customer

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


def purchase_rows(until: datetime.date) -> PurchaseRows:
    """Return every paid order up to `until`, collapsed by customer and day."""
    return purchase_days().rows(until)


def purchase_days() -> PurchaseDays:
    """Return every paid order collapsed by customer and day, whatever its date.

    Reads the cache file when there is one and brings it up to date with the orders in
    memory; only keep_up_to_date writes the file.
    """
    highest = Order.objects.aggregate(high=Max("customer_id"))["high"]
    if highest is not None and highest >= ID_LIMIT:
        raise ValueError(f"customer ids must stay below {ID_LIMIT} to be analysed")
    cached = _load()
    days = _refreshed(cached) if cached is not None else None
    return _read_everything() if days is None else days


def keep_up_to_date(age_days: float) -> bool:
    """Bring the cache file up to date, reading every order again if it is this old.

    Housekeeping after the nightly scoring, which reads the file without writing it: the
    next run then finds it young and close to the orders. Return whether it read in full.
    """
    cached = _load()
    if cached is not None and time.time() - cached.read_at < age_days * 86400:
        refreshed = _refreshed(cached)
        if refreshed is not None:
            if refreshed is not cached:
                _save(refreshed)
            return False
    _save(_read_everything())
    return True


def _refreshed(cached: PurchaseDays) -> PurchaseDays | None:
    """Return the cache brought up to date with the orders; None when a full read is better.

    Customers whose summary changed since the last check are read again. If the totals of
    the file and of the summaries still differ (a customer lost every paid order, so their
    summary is gone; a write committed after the last check began; a write outside
    sales.summary), the customer ids, then every summary figure, are compared as well.
    """
    if time.time() - cached.read_at > settings.PURCHASE_CACHE_MAX_AGE_DAYS * 86400:
        return None
    checked_at = time.time()
    days: PurchaseDays | None = _reread(
        cached, _changed_since(cached.checked_at - settings.PURCHASE_CACHE_CHANGE_MARGIN)
    )
    for differing in (_customers_without_summary, _customers_differing):
        if days is None or _totals(days) == _summary_totals():
            break
        days = _reread(days, differing(days))
    return None if days is None else replace(days, checked_at=checked_at)


def _reread(days: PurchaseDays, customers: np.ndarray) -> PurchaseDays | None:
    """Return the days with these customers read again; None when there are too many."""
    if customers.size > FULL_READ_SHARE * max(_customer_count(days), 1):
        return None
    if not customers.size:
        return days
    return _replace_customers(days, customers, _read_customers(customers))


def _customer_count(days: PurchaseDays) -> int:
    return int(days.customers().size)


def _totals(days: PurchaseDays) -> tuple[int, int, int, int]:
    """Return customers, orders, purchase days and cents in the file."""
    return (
        _customer_count(days), int(days.orders.sum()), int(days.key.size), int(days.cents.sum())
    )  # fmt: skip


def _customers_without_summary(days: PurchaseDays) -> np.ndarray:
    """Return the customers in the file who no longer have a purchase summary."""
    return np.setdiff1d(days.customers(), _summary_ids(), assume_unique=True)


def _customers_differing(days: PurchaseDays) -> np.ndarray:
    return _changed_customers(days.per_customer(), _summaries())


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
    # Each customer's rows are one run of the sorted keys: mark where the runs start and end.
    starts = np.searchsorted(cached.key, customers << DAY_BITS)
    ends = np.searchsorted(cached.key, (customers + 1) << DAY_BITS)
    edges = np.zeros(cached.key.size + 1, dtype=np.int64)
    np.add.at(edges, starts, 1)
    np.add.at(edges, ends, -1)
    keep = np.cumsum(edges[:-1]) == 0
    key, cents, orders = cached.key[keep], cached.cents[keep], cached.orders[keep]
    if not fresh.key.size:  # customers who lost every paid order
        return PurchaseDays(key, cents, orders, cached.read_at, cached.checked_at)
    at = np.searchsorted(key, fresh.key)
    return PurchaseDays(
        key=np.insert(key, at, fresh.key),
        cents=np.insert(cents, at, fresh.cents),
        orders=np.insert(orders, at, fresh.orders),
        read_at=cached.read_at,
        checked_at=cached.checked_at,
    )


def _collapse(key: np.ndarray, cents: np.ndarray, read_at: float) -> PurchaseDays:
    """Return orders (key, cents) collapsed to one row per key, sorted."""
    if key.size and not bool((key[1:] >= key[:-1]).all()):
        order = np.argsort(key, kind="stable")
        key, cents = key[order], cents[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, int)
    if not starts.size:
        empty = np.zeros(0, dtype=np.int64)
        return PurchaseDays(empty, empty, empty, read_at, read_at)
    return PurchaseDays(
        key=key[starts],
        cents=np.add.reduceat(cents, starts),
        orders=np.diff(np.r_[starts, key.size]).astype(np.int64),
        read_at=read_at,
        checked_at=read_at,
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
    for chunk in chunked(customers.tolist()):
        where = f"AND customer_id IN ({', '.join(['%s'] * len(chunk))})"
        key, cent = _read_plain_orders(where, chunk)
        keys.append(key)
        cents.append(cent)
    return _collapse(np.concatenate(keys), np.concatenate(cents), 0.0)


def _changed_since(moment: float) -> np.ndarray:
    """Return the customers whose purchase summary changed at or after a moment."""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    since = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id FROM {table} WHERE changed_at >= %s",
            [connection.ops.adapt_datetimefield_value(since)],
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def _summary_totals() -> tuple[int, int, int, int]:
    """Return customers, orders, purchase days and cents over every purchase summary."""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(orders_count), SUM(purchase_days), "
            f"SUM({_cents_sql('total_spend')}) FROM {table}"
        )
        count, orders, days, cents = cursor.fetchone()
    return int(count), int(orders or 0), int(days or 0), int(cents or 0)


def _summary_ids() -> np.ndarray:
    """Return the ids of the customers with a purchase summary, sorted."""
    return np.sort(integer_rows(CustomerStats._meta.db_table, ["customer_id"])[:, 0])


def _summaries() -> np.ndarray:
    """Return every purchase summary as rows of id, first day, last day, days, orders, cents."""
    columns = [
        "customer_id", _day_sql("first_purchase_on"), _day_sql("last_purchase_on"),
        "purchase_days", "orders_count", _cents_sql("total_spend"),
    ]  # fmt: skip
    rows = integer_rows(CustomerStats._meta.db_table, columns)
    return rows[np.argsort(rows[:, 0], kind="stable")]


# The file -------------------------------------------------------------------------------

FILE = "purchase-days"
ARRAYS = ("key", "cents", "orders", "read_at", "checked_at")


def _load() -> PurchaseDays | None:
    """Return the cached purchase days, or None when there is no usable file."""
    arrays = load_arrays(cache_path(FILE), ARRAYS)
    if arrays is None:
        return None
    return PurchaseDays(
        key=arrays["key"], cents=arrays["cents"], orders=arrays["orders"],
        read_at=float(arrays["read_at"]), checked_at=float(arrays["checked_at"]),
    )  # fmt: skip


def _save(days: PurchaseDays) -> None:
    save_arrays(
        cache_path(FILE), key=days.key, cents=days.cents, orders=days.orders,
        read_at=np.array(days.read_at), checked_at=np.array(days.checked_at),
    )  # fmt: skip
