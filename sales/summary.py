"""The purchase summary (CustomerStats): the only code that writes it.

Every path that changes orders — a form, the API (one order or a bulk request), an import,
a status change or refund, a deletion, a merge, `rebuild_customer_stats` — brings the
summary in step through this module, inside the change's transaction. Orders that are only
added (new orders) are added in (add_paid); any change that can remove a purchase
recomputes the customers' summaries from their orders (refresh). Both refuse a change that
would take a customer's total spend above sales.limits.MAX_CUSTOMER_SPEND, so the caller's
transaction rolls back and the user reads why.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.chunks import chunked, distinct_chunks, rows_in
from core.errors import Invalid
from customers.models import Customer
from sales.limits import MAX_CUSTOMER_SPEND, money
from sales.models import CustomerStats, Order, OrderStatus

CENT = Decimal("0.01")
# A paid order just written: (customer id, order day, amount).
Paid = tuple[int, datetime.date, Decimal]


def spend_cap_message() -> str:
    """Return the refusal of a change that would take a customer above the spend cap."""
    return _("This would take the customer's total spend above %(limit)s.") % {
        "limit": money(MAX_CUSTOMER_SPEND)
    }


def stats_for(customer: Customer) -> CustomerStats | None:
    """Return the customer's kept purchase summary, or None before the first purchase."""
    return CustomerStats.objects.filter(customer=customer).first()


def spend_of(customer_ids: Iterable[int]) -> dict[int, Decimal]:
    """Return the kept total spend of these customers (those with a summary), by id."""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    sql = f"SELECT customer_id, total_spend FROM {table} WHERE customer_id IN ({{}})"
    rows = rows_in(sql, [(pk,) for pk in sorted(set(customer_ids))])
    return {pk: Decimal(str(total)).quantize(CENT) for pk, total in rows}


# Adding new orders --------------------------------------------------------------------------


def add_paid(paid: Sequence[Paid]) -> None:
    """Add paid orders just written, as (customer, day, amount), to their customers' summaries.

    New orders only add, so counts and totals are summed in and first/last days widened,
    without re-reading old orders. An order's day is a new purchase day when it falls
    outside the customer's first..last range; on either end it is not; only strictly inside
    are the customer's stored orders of that day counted (one look-up in the (customer,
    status, day) index). The summaries are read locked (on PostgreSQL; SQLite writes one
    transaction at a time), so two batches adding the same new day to one customer cannot
    both count it. This replaced recomputing every affected summary from all its orders,
    which cost more than writing the orders themselves (docs/performance.md); refresh still
    does that for changes that can remove purchases, and rebuild_all proves the two agree.
    Raises Invalid on the order's lines when a customer's total spend would pass the cap.
    """
    if not paid:
        return
    batch_days = Counter((customer, day) for customer, day, _amount in paid)
    stored = _locked_summaries(sorted({customer for customer, _day in batch_days}))
    inside = [
        (customer, day) for customer, day in batch_days
        if customer in stored and stored[customer][0] < day < stored[customer][1]
    ]  # fmt: skip
    counted = _day_counts(inside)
    # Each distinct day is new for a customer without a summary; the others' are judged.
    new_days = Counter(customer for customer, _day in batch_days)
    for (customer, day), count in batch_days.items():
        if customer in stored and not _starts_new_day(
            day, stored[customer][:2], counted.get((customer, day), count) == count
        ):
            new_days[customer] -= 1
    totals = _batch_totals(paid, new_days)
    for customer, (*_days, spend) in totals.items():
        before = stored[customer][2] if customer in stored else Decimal(0)
        if before + spend > MAX_CUSTOMER_SPEND:
            raise Invalid(spend_cap_message(), field="lines")
    _update_stats(
        [[min(first, stored[c][0]), max(last, stored[c][1]), *rest, c]
         for c, (first, last, *rest) in totals.items() if c in stored]
    )  # fmt: skip
    _insert_stats([[c, *values] for c, values in totals.items() if c not in stored])


def _starts_new_day(
    day: datetime.date,
    stored_range: tuple[datetime.date, datetime.date],
    none_stored_that_day: bool,
) -> bool:
    """Return whether a batch's day is a new purchase day for a customer with a summary."""
    first, last = stored_range
    return day < first or day > last or (first < day < last and none_stored_that_day)


def _batch_totals(paid: Sequence[Paid], new_days: Counter[int]) -> dict[int, list[Any]]:
    """Return customer -> [first day, last day, new days, orders, spend] of a batch."""
    totals: dict[int, list[Any]] = {}
    for customer, day, amount in paid:
        entry = totals.get(customer)
        if entry is None:
            totals[customer] = [day, day, new_days[customer], 1, amount]
        else:
            if day < entry[0]:
                entry[0] = day
            elif day > entry[1]:
                entry[1] = day
            entry[3] += 1
            entry[4] += amount
    return totals


def _locked_summaries(
    customer_ids: Sequence[int],
) -> dict[int, tuple[datetime.date, datetime.date, Decimal]]:
    """Return first day, last day and spend of the customers who have a summary, locked."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    sql = (
        f"SELECT customer_id, first_purchase_on, last_purchase_on, total_spend FROM {table} "
        f"WHERE customer_id IN ({{}}){lock}"
    )
    rows = rows_in(sql, [(customer,) for customer in customer_ids])
    # SQLite answers the amount as a float: str() gives back its shortest exact spelling.
    return {customer: (first, last, Decimal(str(spend))) for customer, first, last, spend in rows}


def _day_counts(
    pairs: Sequence[tuple[int, datetime.date]],
) -> dict[tuple[int, datetime.date], int]:
    """Return how many paid orders each (customer, day) pair has, new ones included."""
    orders = connection.ops.quote_name(Order._meta.db_table)
    # One key look-up in the (customer, status, day) index per pair. On SQLite a join with
    # the pairs as a VALUES list ran ten times slower, and a range per customer read all of
    # the customer's orders.
    sql = (
        f"SELECT customer_id, ordered_on, COUNT(*) FROM {orders} WHERE status = %s AND ({{}}) "
        "GROUP BY customer_id, ordered_on"
    )
    each = "(customer_id = %s AND ordered_on = %s)"
    rows = rows_in(sql, pairs, each, " OR ", before=[OrderStatus.PAID.value])
    return {(customer, day): count for customer, day, count in rows}


def _update_stats(rows: list[list[Any]]) -> None:
    """Add (first, last, new days, orders, spend, customer) rows to existing summaries.

    First and last are already merged with the stored ones (the rows are locked). A plain
    UPDATE costs half of an upsert's attempted insert and conflict (docs/performance.md).
    """
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    changed = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"UPDATE {table} SET first_purchase_on = %s, last_purchase_on = %s, "
        "purchase_days = purchase_days + %s, orders_count = orders_count + %s, "
        f"total_spend = ROUND(total_spend + %s, 2), changed_at = %s WHERE customer_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*row[:5], changed, row[5]] for row in rows])


def _insert_stats(rows: list[list[Any]]) -> None:
    """Insert (customer, first, last, days, orders, spend) rows as the customers' summaries.

    A new summary takes its owner from the customer row (one key look-up each). Should
    another transaction have written the summary in the meantime (nothing was there to
    lock), the row is added into it instead.
    """
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    customers = connection.ops.quote_name(Customer._meta.db_table)
    changed = connection.ops.adapt_datetimefield_value(timezone.now())
    # CASE rather than MIN()/LEAST(): the one spelling SQLite and PostgreSQL share.
    sql = (
        f"INSERT INTO {table} (customer_id, first_purchase_on, last_purchase_on, "
        "purchase_days, orders_count, total_spend, changed_at, owner_id) "
        f"SELECT %s, %s, %s, %s, %s, %s, %s, owner_id FROM {customers} WHERE id = %s "
        "ON CONFLICT (customer_id) DO UPDATE SET changed_at = excluded.changed_at, "
        f"first_purchase_on = CASE WHEN excluded.first_purchase_on < {table}.first_purchase_on "
        f"THEN excluded.first_purchase_on ELSE {table}.first_purchase_on END, "
        f"last_purchase_on = CASE WHEN excluded.last_purchase_on > {table}.last_purchase_on "
        f"THEN excluded.last_purchase_on ELSE {table}.last_purchase_on END, "
        f"purchase_days = {table}.purchase_days + excluded.purchase_days, "
        f"orders_count = {table}.orders_count + excluded.orders_count, "
        f"total_spend = ROUND({table}.total_spend + excluded.total_spend, 2)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*row, changed, row[0]] for row in rows])


# Recomputing from the orders ----------------------------------------------------------------


def refresh(customer_ids: Iterable[int], field: str = "") -> None:
    """Recompute the purchase summary of these customers from their paid orders.

    Raises Invalid on `field` when a customer's total spend would pass the cap (a refund
    reinstated, a merge); the caller's transaction then rolls the change back.
    """
    ids = sorted(set(customer_ids))
    for chunk in chunked(ids):
        _write_stats(chunk)
    if _over_cap(ids):
        raise Invalid(spend_cap_message(), field=field)


def _over_cap(customer_ids: Sequence[int]) -> bool:
    """Return whether any of these customers' kept total spend is above the cap."""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    sql = f"SELECT 1 FROM {table} WHERE total_spend > %s AND customer_id IN ({{}})"
    keys = [(pk,) for pk in customer_ids]
    return bool(rows_in(sql, keys, before=[MAX_CUSTOMER_SPEND]))


def _write_stats(customer_ids: Sequence[int]) -> None:
    """Recompute these summaries inside the database from the paid orders.

    One INSERT ... SELECT ... ON CONFLICT per chunk (SQLite >= 3.24 and PostgreSQL) instead
    of loading the aggregates into Python and upserting them back through the ORM; summaries
    of customers left without a paid order are removed. computed stays the ORM oracle.
    """
    quote = connection.ops.quote_name
    stats, orders = quote(CustomerStats._meta.db_table), quote(Order._meta.db_table)
    customers = quote(Customer._meta.db_table)
    ids = ", ".join(["%s"] * len(customer_ids))
    changed = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {stats} WHERE customer_id IN ({ids}) AND NOT EXISTS ("
            f"SELECT 1 FROM {orders} WHERE {orders}.customer_id = {stats}.customer_id "
            f"AND {orders}.status = %s)",
            [*customer_ids, OrderStatus.PAID.value],
        )
        cursor.execute(
            f"INSERT INTO {stats} (customer_id, owner_id, first_purchase_on, last_purchase_on, "
            "purchase_days, orders_count, total_spend, changed_at) "
            f"SELECT customer_id, (SELECT owner_id FROM {customers} WHERE id = customer_id), "
            "MIN(ordered_on), MAX(ordered_on), COUNT(DISTINCT ordered_on), "
            f"COUNT(*), ROUND(SUM(amount), 2), %s FROM {orders} "
            f"WHERE status = %s AND customer_id IN ({ids}) GROUP BY customer_id "
            "ON CONFLICT (customer_id) DO UPDATE SET owner_id = excluded.owner_id, "
            "changed_at = excluded.changed_at, "
            "first_purchase_on = excluded.first_purchase_on, "
            "last_purchase_on = excluded.last_purchase_on, "
            "purchase_days = excluded.purchase_days, orders_count = excluded.orders_count, "
            "total_spend = excluded.total_spend",
            [changed, OrderStatus.PAID.value, *customer_ids],
        )


def follow_owners(customer_ids: Iterable[int]) -> None:
    """Copy these customers' owners onto their purchase summaries, after a reassignment."""
    quote = connection.ops.quote_name
    stats, customers = quote(CustomerStats._meta.db_table), quote(Customer._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in distinct_chunks(customer_ids):
            cursor.execute(
                f"UPDATE {stats} SET owner_id = (SELECT owner_id FROM {customers} "
                f"WHERE id = {stats}.customer_id) "
                f"WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


def computed(customer_ids: Iterable[int] | None = None) -> dict[int, CustomerStats]:
    """Return the purchase summaries computed from the paid orders, keyed by customer."""
    paid = Order.objects.filter(status=OrderStatus.PAID)
    if customer_ids is not None:
        paid = paid.filter(customer_id__in=list(customer_ids))
    rows = paid.values("customer_id", "customer__owner_id").annotate(
        first=Min("ordered_on"), last=Max("ordered_on"),
        days=Count("ordered_on", distinct=True), orders=Count("id"), total=Sum("amount"),
    )  # fmt: skip
    return {
        row["customer_id"]: CustomerStats(
            customer_id=row["customer_id"], owner_id=row["customer__owner_id"],
            first_purchase_on=row["first"],
            last_purchase_on=row["last"], purchase_days=row["days"],
            orders_count=row["orders"], total_spend=Decimal(row["total"]).quantize(CENT),
        )
        for row in rows
    }  # fmt: skip


@transaction.atomic
def rebuild_all() -> tuple[int, int]:
    """Rebuild every purchase summary from the orders; return (rows that differed, rows now)."""
    fresh = computed()
    differing = sum(
        1
        for kept in CustomerStats.objects.all().iterator(chunk_size=5000)
        if _stats_tuple(kept) != _stats_tuple(fresh.get(kept.customer_id))
    )
    differing += len(set(fresh) - set(CustomerStats.objects.values_list("customer_id", flat=True)))
    CustomerStats.objects.all().delete()
    CustomerStats.objects.bulk_create(fresh.values(), batch_size=5000)
    return differing, len(fresh)


def _stats_tuple(stats: CustomerStats | None) -> tuple[object, ...] | None:
    if stats is None:
        return None
    return (
        stats.owner_id, stats.first_purchase_on, stats.last_purchase_on, stats.purchase_days,
        stats.orders_count, Decimal(stats.total_spend).quantize(CENT),
    )  # fmt: skip
