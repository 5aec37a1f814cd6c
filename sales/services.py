"""Orders and the purchase summary, changed together in one transaction."""

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import visible_owner_q
from accounts.models import User
from core.bulk import insert_columns, insert_rows
from core.memory import cyclic_gc_paused
from customers.models import Customer
from sales import purchases
from sales.models import ZERO, CustomerStats, Order, OrderLine, OrderStatus, Product

# The columns' limits: unit prices have 12 digits (10 before the point), line and order
# amounts 14; checked here so that no path stores a number its column cannot hold.
MAX_UNIT_PRICE = Decimal("1e10")
MAX_AMOUNT = Decimal("1e12")
MAX_QUANTITY = 1_000_000
# SQLite allows 999 bound variables in old builds; stay well below.
ID_CHUNK = 500
CENT = Decimal("0.01")


ORDER_COLUMNS = ("number", "customer_id", "ordered_on", "status", "channel", "amount", "created_at")
LINE_COLUMNS = ("order_id", "product_id", "quantity", "unit_price", "discount", "amount")


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True)
class OrderInput:
    number: str
    customer_id: int
    ordered_on: datetime.date
    lines: Sequence[LineInput]
    status: str = OrderStatus.PAID
    channel: str = ""


def visible_orders(user: User) -> QuerySet[Order]:
    """Return the orders of the customers the user may see."""
    return Order.objects.filter(visible_owner_q(user, "customer__owner"))


def _line_errors(index: int, line: LineInput, products: dict[str, Product]) -> dict[str, str]:
    prefix = f"lines[{index}]"
    errors = {}
    if line.sku not in products:
        errors[f"{prefix}.sku"] = _("Unknown product %(sku)s.") % {"sku": line.sku}
    if line.quantity < 1:
        errors[f"{prefix}.quantity"] = _("The quantity must be at least 1.")
    elif line.quantity > MAX_QUANTITY:
        errors[f"{prefix}.quantity"] = _("The quantity must be at most %(limit)s.") % {
            "limit": f"{MAX_QUANTITY:,}"
        }
    if line.unit_price < 0:
        errors[f"{prefix}.unit_price"] = _("The unit price cannot be negative.")
    if line.discount < 0:
        errors[f"{prefix}.discount"] = _("The discount cannot be negative.")
    elif line.discount > line.unit_price * line.quantity:
        errors[f"{prefix}.discount"] = _("The discount cannot exceed the line amount.")
    if line.unit_price >= MAX_UNIT_PRICE or line.unit_price * line.quantity >= MAX_AMOUNT:
        errors[f"{prefix}.unit_price"] = _("The amount is too large.")
    return errors


def validate_order(
    data: OrderInput, customer: Customer | None, products: dict[str, Product]
) -> dict[str, str]:
    """Return errors by field for an order; empty when it may be written."""
    errors: dict[str, str] = {}
    if not data.number.strip():
        errors["number"] = _("The order number is required.")
    if customer is None:
        errors["customer_id"] = _("Unknown customer.")
    elif customer.is_archived:
        errors["customer_id"] = _("The customer is archived; restore it before adding orders.")
    if data.status not in OrderStatus.values:
        errors["status"] = _("Unknown order status.")
    if not data.lines:
        errors["lines"] = _("An order needs at least one line.")
    for index, line in enumerate(data.lines):
        errors.update(_line_errors(index, line, products))
    if not errors and sum((_line_amount(line) for line in data.lines), ZERO) >= MAX_AMOUNT:
        errors["lines"] = _("The amount is too large.")
    return errors


def _line_amount(line: LineInput) -> Decimal:
    return (line.unit_price * line.quantity - line.discount).quantize(CENT)


def _build(data: OrderInput, products: dict[str, Product]) -> tuple[Order, list[OrderLine]]:
    lines = [
        OrderLine(
            product=products[line.sku], quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount, amount=_line_amount(line),
        )
        for line in data.lines
    ]  # fmt: skip
    order = Order(
        number=data.number.strip(), customer_id=data.customer_id, ordered_on=data.ordered_on,
        status=data.status, channel=data.channel, amount=sum((ln.amount for ln in lines), ZERO),
    )  # fmt: skip
    return order, lines


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """Return the products with these SKUs, keyed by SKU."""
    wanted = list(set(skus))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        found.update({p.sku: p for p in Product.objects.filter(sku__in=chunk)})
    return found


@transaction.atomic
def create_order(data: OrderInput) -> Order:
    """Validate and write one order with its lines; keep the customer's summary in step."""
    products = products_by_sku(line.sku for line in data.lines)
    customer = Customer.objects.filter(pk=data.customer_id).first()
    errors = validate_order(data, customer, products)
    if Order.objects.filter(number=data.number.strip()).exists():
        errors["number"] = _("An order with this number already exists.")
    if errors:
        raise ValidationError(errors)
    order, lines = _build(data, products)
    order.save()
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    refresh_stats([order.customer_id])
    return order


class CreatedOrder(NamedTuple):
    id: int
    number: str


@transaction.atomic
def bulk_create_orders(orders: Sequence[OrderInput]) -> list[CreatedOrder]:
    """Write many valid orders at once and add them to their customers' summaries.

    The caller validates first (validate_orders); this path is what the API's bulk
    endpoint, imports and the benchmark generator share. Rows go in many per statement
    (core.bulk.insert_columns) because the ORM's bulk_create, building SQL field by field
    for every object, held this path near 5,000 orders/s (docs/performance.md). Returns the
    id and number of each order, in the order given.
    """
    with cyclic_gc_paused():
        return _write_orders(orders)


def _write_orders(orders: Sequence[OrderInput]) -> list[CreatedOrder]:
    product_ids = {
        sku: p.pk for sku, p in products_by_sku(ln.sku for o in orders for ln in o.lines).items()
    }
    line_amounts = [[_line_amount(line) for line in data.lines] for data in orders]
    numbers = [data.number.strip() for data in orders]
    customers = [data.customer_id for data in orders]
    days = [data.ordered_on for data in orders]
    statuses = [data.status for data in orders]
    totals = [sum(amounts, ZERO) for amounts in line_amounts]
    channels = [data.channel for data in orders]
    last_id = _last_order_id()
    insert_columns(
        Order, ORDER_COLUMNS,
        [numbers, customers, days, statuses, channels, totals, [timezone.now()] * len(orders)],
    )  # fmt: skip
    ids = _order_ids_after(last_id, numbers)
    order_ids = [ids[number] for number in numbers]
    lines = [line for data in orders for line in data.lines]
    insert_columns(OrderLine, LINE_COLUMNS, [
        [order_id for order_id, data in zip(order_ids, orders, strict=True) for _ in data.lines],
        [product_ids[line.sku] for line in lines], [line.quantity for line in lines],
        [line.unit_price for line in lines], [line.discount for line in lines],
        [amount for amounts in line_amounts for amount in amounts],
    ])  # fmt: skip
    _add_to_stats([
        (customer, day, total)
        for customer, day, status, total in zip(customers, days, statuses, totals, strict=True)
        if status == OrderStatus.PAID
    ])  # fmt: skip
    return list(map(CreatedOrder._make, zip(order_ids, numbers, strict=True)))


def _add_to_stats(paid: Sequence[tuple[int, datetime.date, Decimal]]) -> None:
    """Add paid orders just written, as (customer, day, amount), to their customers' summaries.

    The bulk path only adds orders, so counts and totals are summed in and first/last days
    widened, without re-reading old orders. An order's day is a new purchase day when it
    falls outside the customer's first..last range; on either end it is not; only strictly
    inside are the customer's stored orders of that day counted (one look-up in the
    (customer, status, day) index). The summaries are read locked (on PostgreSQL; SQLite
    writes one transaction at a time), so two batches adding the same new day to one
    customer cannot both count it. This replaced recomputing every affected summary from
    all its orders, which cost more than writing the orders themselves
    (docs/performance.md); refresh_stats still does that for changes that can remove
    purchases, and rebuild_customer_stats proves the two agree.
    """
    if not paid:
        return
    batch_days = Counter((customer, day) for customer, day, _amount in paid)
    stored = _locked_summary_ranges(sorted({customer for customer, _day in batch_days}))
    inside = [
        (customer, day) for customer, day in batch_days
        if customer in stored and stored[customer][0] < day < stored[customer][1]
    ]  # fmt: skip
    counted = _day_counts(inside)
    # Each distinct day is new for a customer without a summary; the others' are judged.
    new_days = Counter(customer for customer, _day in batch_days)
    for (customer, day), count in batch_days.items():
        if customer in stored and not _starts_new_day(
            day, stored[customer], counted.get((customer, day), count) == count
        ):
            new_days[customer] -= 1
    totals = _batch_totals(paid, new_days)
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


def _batch_totals(
    paid: Sequence[tuple[int, datetime.date, Decimal]], new_days: Counter[int]
) -> dict[int, list[Any]]:
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


def _locked_summary_ranges(
    customer_ids: Sequence[int],
) -> dict[int, tuple[datetime.date, datetime.date]]:
    """Return the first and last purchase day of the customers who have a summary, locked."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(CustomerStats._meta.db_table)
    sql = (
        f"SELECT customer_id, first_purchase_on, last_purchase_on FROM {table} "
        f"WHERE customer_id IN ({{}}){lock}"
    )
    rows = _rows_for(sql, [(customer,) for customer in customer_ids])
    return {customer: (first, last) for customer, first, last in rows}


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
    rows = _rows_for(sql, pairs, each, " OR ", before=[OrderStatus.PAID.value])
    return {(customer, day): count for customer, day, count in rows}


def _rows_for(
    sql: str,
    keys: Sequence[tuple[Any, ...]],
    each: str = "%s",
    between: str = ", ",
    before: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """Return the rows of `sql` for these keys, a chunk at a time.

    Each key fills `each`; a chunk of them, joined by `between`, replaces the `{}` of `sql`,
    after the `before` parameters. A plain cursor: the ORM's IN lookup prepares each value in
    Python, which cost more than the query itself at tens of thousands of keys.
    """
    if not keys:
        return []
    per_query = max(1, ID_CHUNK // len(keys[0]))
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), per_query):
            chunk = keys[start : start + per_query]
            params = [value for key in chunk for value in key]
            cursor.execute(sql.format(between.join([each] * len(chunk))), [*before, *params])
            rows += cursor.fetchall()
    return rows


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


def _last_order_id() -> int:
    """Return the largest order id so far (0 before the first order)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(Order._meta.db_table)}")
        return int(cursor.fetchone()[0] or 0)


def _order_ids_after(last_id: int, numbers: Sequence[str]) -> dict[str, int]:
    """Return number -> id of the orders just inserted, all with ids above last_id.

    Order ids only grow (SQLite's AUTOINCREMENT, PostgreSQL's sequence), so the new orders
    are the tail of the table by key: reading it costs a fraction of looking each number up
    in its index, which at a million orders cost more than inserting them, and a tenth of
    INSERT ... RETURNING on SQLite (docs/performance.md). Orders another transaction
    committed meanwhile (PostgreSQL) are left out by their numbers.
    """
    wanted = set(numbers)
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, id FROM {table} WHERE id > %s", [last_id])
        return {number: pk for number, pk in cursor.fetchall() if number in wanted}


@transaction.atomic
def set_order_status(order: Order, status: str) -> Order:
    """Change an order's status (refund, cancel, reinstate) and keep the summary in step."""
    if status not in OrderStatus.values:
        raise ValidationError({"status": _("Unknown order status.")})
    order.status = status
    order.save(update_fields=["status"])
    refresh_stats([order.customer_id])
    return order


@transaction.atomic
def delete_order(order: Order) -> None:
    """Delete an order entered by mistake and keep the summary in step."""
    customer_id = order.customer_id
    order.delete()
    refresh_stats([customer_id])


@transaction.atomic
def move_orders(source: Customer, target: Customer) -> int:
    """Move every order of one customer to another (a merge); return how many moved."""
    moved = Order.objects.filter(customer=source).update(customer=target)
    refresh_stats([source.pk, target.pk])
    return moved


def computed_stats(customer_ids: Iterable[int] | None = None) -> dict[int, CustomerStats]:
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


def _write_stats(customer_ids: Sequence[int]) -> None:
    """Recompute these summaries inside the database from the paid orders.

    One INSERT ... SELECT ... ON CONFLICT per chunk (SQLite >= 3.24 and PostgreSQL) instead
    of loading the aggregates into Python and upserting them back through the ORM; summaries
    of customers left without a paid order are removed. computed_stats stays the ORM oracle.
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
    ids = sorted(set(customer_ids))
    quote = connection.ops.quote_name
    stats, customers = quote(CustomerStats._meta.db_table), quote(Customer._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            cursor.execute(
                f"UPDATE {stats} SET owner_id = (SELECT owner_id FROM {customers} "
                f"WHERE id = {stats}.customer_id) "
                f"WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


def refresh_stats(customer_ids: Iterable[int]) -> None:
    """Recompute the purchase summary of these customers from their paid orders."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), ID_CHUNK):
        _write_stats(ids[start : start + ID_CHUNK])


@transaction.atomic
def rebuild_all_stats() -> tuple[int, int]:
    """Rebuild every purchase summary from the orders; return (rows that differed, rows now)."""
    fresh = computed_stats()
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


def stats_for(customer: Customer) -> CustomerStats | None:
    """Return the customer's kept purchase summary, or None before the first purchase."""
    return CustomerStats.objects.filter(customer=customer).first()


def recent_orders(customer: Customer, limit: int) -> list[Order]:
    """Return the customer's newest orders with their lines and products."""
    orders = customer.orders.prefetch_related("lines__product").order_by("-ordered_on", "-id")
    return list(orders[:limit])


def existing_order_numbers(numbers: Iterable[str]) -> set[str]:
    """Return which of these order numbers are already taken."""
    wanted = sorted(set(numbers))
    taken: set[str] = set()
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        taken.update(Order.objects.filter(number__in=chunk).values_list("number", flat=True))
    return taken


def validate_orders(orders: Sequence[OrderInput], customers: dict[int, Customer]) -> dict[str, str]:
    """Return errors by field for a batch, each under its index: "orders[3].lines[0].sku".

    `customers` holds the customers the orders may be written for (any other is unknown);
    order numbers must be new and appear once in the batch. Empty when all may be written.
    """
    products = products_by_sku(line.sku for data in orders for line in data.lines)
    taken = existing_order_numbers(data.number.strip() for data in orders)
    seen: set[str] = set()
    errors: dict[str, str] = {}
    for index, data in enumerate(orders):
        found = validate_order(data, customers.get(data.customer_id), products)
        number = data.number.strip()
        if "number" not in found and number in taken:
            found["number"] = _("An order with this number already exists.")
        elif "number" not in found and number in seen:
            found["number"] = _("This order number appears more than once in the request.")
        seen.add(number)
        errors.update({f"orders[{index}].{field}": text for field, text in found.items()})
    return errors


def create_product(fields: dict[str, object]) -> Product:
    """Validate and add a product to the catalogue."""
    product = Product(**fields)
    product.full_clean()
    product.save()
    return product


def purchase_rows(until: datetime.date) -> purchases.PurchaseRows:
    """Return every paid order up to `until` as arrays, one row per customer and day.

    Served from a file checked against the purchase summaries (sales.purchases), which
    keep_purchases_up_to_date writes after the nightly scoring run.
    """
    return purchases.purchase_rows(until)


def keep_purchases_up_to_date() -> bool:
    """Bring the analyses' file of paid orders up to date; read them all a day before expiry.

    The nightly scoring run then always finds a file it may use; return whether it read all.
    """
    return purchases.keep_up_to_date(settings.PURCHASE_CACHE_MAX_AGE_DAYS - 1)


@transaction.atomic
def update_imported_orders(changes: Sequence[tuple[int, str, str]]) -> set[int]:
    """Set (order id, status, channel) as an import found them; return the customers' ids.

    As with insert_imported_orders, the summaries are NOT brought in step here: the caller
    calls refresh_stats once with every returned id before its transaction ends (the import
    does, once per file), instead of once per changed order.
    """
    if not changes:
        return set()
    if any(status not in OrderStatus.values for _id, status, _channel in changes):
        raise ValidationError({"status": _("Unknown order status.")})
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, channel = %s WHERE id = %s",
            [(status, channel, order_id) for order_id, status, channel in changes],
        )
    sql = f"SELECT DISTINCT customer_id FROM {table} WHERE id IN ({{}})"
    return {customer for (customer,) in _rows_for(sql, [(order_id,) for order_id, *_ in changes])}


def ensure_product(sku: str, name: str, category: str = "") -> Product:
    """Return the product with this SKU, adding it to the catalogue at list price 0 if missing."""
    product = Product.objects.filter(sku=sku).first()
    return product or create_product(
        {"sku": sku, "name": name, "category": category, "list_price": ZERO}
    )


# The import's write path -------------------------------------------------------------------


class ImportedOrder(NamedTuple):
    """One order of one line as a file import writes it: plain values, already validated.

    A tuple rather than OrderInput with its LineInput: an import builds a million of these,
    and the ORM's instances and per-line dataclasses were half the cost of writing them.
    """

    number: str
    customer_id: int
    ordered_on: datetime.date
    status: str
    channel: str
    product_id: int
    quantity: int
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


def insert_imported_orders(orders: Sequence[ImportedOrder]) -> set[int]:
    """Insert validated new orders and their lines; return the ids of their customers.

    The summaries are NOT brought in step here: an import writes a customer's orders over
    many batches, so the caller calls refresh_stats once with every returned id before its
    transaction ends (imports.engine does, in the same transaction). bulk_create_orders
    remains the path that keeps the summary in step by itself.
    """
    if not orders:
        return set()
    # core.bulk converts each distinct date once, as the ORM would.
    last_id = _last_order_id()
    insert_columns(Order, ORDER_COLUMNS, [
        [o.number for o in orders], [o.customer_id for o in orders],
        [o.ordered_on for o in orders], [o.status for o in orders], [o.channel for o in orders],
        [o.amount for o in orders], [timezone.now()] * len(orders),
    ])  # fmt: skip
    ids = _order_ids_after(last_id, [o.number for o in orders])
    insert_rows(OrderLine, LINE_COLUMNS, [
        (ids[number], product_id, quantity, unit_price, discount, amount)
        for number, _c, _o, _s, _ch, product_id, quantity, unit_price, discount, amount in orders
    ])  # fmt: skip
    return {order.customer_id for order in orders}
