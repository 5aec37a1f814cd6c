"""Order operations: entering, importing, changing and deleting orders, and the catalogue.

One writing path (_write) for every way orders arrive — one order from a form or the API, a
bulk request, an import, a system load — that inserts orders and lines many rows per
statement and adds the paid ones to the purchase summary (sales.summary) in the same
transaction. Every rule about who may do what to an order lives here, raising core.errors.
Services take the acting user first; None is the system (the demo loader, a benchmark).
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_edit_owned_by, can_refund, visible_owner_q
from accounts.models import User
from core.bulk import insert_columns
from core.chunks import filter_in, rows_in
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import NewEvent
from core.memory import cyclic_gc_paused
from core.text import control_characters_message, has_control_characters
from customers.birthdays import month_day
from customers.models import Customer
from customers.services import visible_customers
from sales import events, purchases, summary
from sales.limits import (
    MAX_CUSTOMER_SPEND,
    MAX_LINES_PER_ORDER,
    MAX_ORDER_AMOUNT,
    MAX_QUANTITY,
    MAX_REASON_LENGTH,
    MAX_UNIT_PRICE,
    money,
)
from sales.models import ZERO, CustomerStats, Order, OrderLine, OrderStatus, Product

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


class CreatedOrder(NamedTuple):
    id: int
    number: str


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


# Who may do what --------------------------------------------------------------------------


def visible_orders(user: User) -> QuerySet[Order]:
    """Return the orders of the customers the user may see."""
    return Order.objects.filter(visible_owner_q(user, "customer__owner"))


def get_visible_order(user: User, pk: int) -> Order:
    """Return the order if the user may see it; NotFound otherwise, never revealing it exists."""
    order = visible_orders(user).select_related("customer").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("Not found."))
    return order


def require_order_writer(user: User | None) -> None:
    """Refuse a role that may not change even its own customers: it is read-only."""
    if user is not None and not can_edit_owned_by(user, user.pk):
        raise Forbidden(_("Your role may not enter orders."))


def require_order_customer(user: User | None, customer: Customer) -> None:
    """Refuse entering orders for a customer the user may see but not change."""
    require_order_writer(user)
    if user is not None and not can_edit_owned_by(user, customer.owner_id):
        raise Forbidden(_("You may view this customer but not change it."))


def writable_customers(user: User | None, ids: Iterable[int]) -> dict[int, Customer]:
    """Return the customers among these ids that the user may see and change, by id."""
    base = (
        Customer.objects.all() if user is None else visible_customers(user, include_archived=True)
    )
    found = list(filter_in(base, "pk", ids))
    if user is None:
        return {customer.pk: customer for customer in found}
    may_edit = {owner: can_edit_owned_by(user, owner) for owner in {c.owner_id for c in found}}
    return {customer.pk: customer for customer in found if may_edit[customer.owner_id]}


# Validation -------------------------------------------------------------------------------


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
    elif line.unit_price > MAX_UNIT_PRICE or line.unit_price * line.quantity > MAX_ORDER_AMOUNT:
        errors[f"{prefix}.unit_price"] = _("Quantity × unit price must be at most %(limit)s.") % {
            "limit": money(MAX_ORDER_AMOUNT)
        }
    if line.discount < 0:
        errors[f"{prefix}.discount"] = _("The discount cannot be negative.")
    elif line.discount > line.unit_price * line.quantity:
        errors[f"{prefix}.discount"] = _("The discount cannot exceed the line amount.")
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
    elif len(data.lines) > MAX_LINES_PER_ORDER:
        errors["lines"] = _("An order has at most %(limit)d lines.") % {
            "limit": MAX_LINES_PER_ORDER
        }
    for index, line in enumerate(data.lines[:MAX_LINES_PER_ORDER]):
        errors.update(_line_errors(index, line, products))
    if not errors and _order_amount(data) > MAX_ORDER_AMOUNT:
        errors["lines"] = _("The order's amount must be at most %(limit)s.") % {
            "limit": money(MAX_ORDER_AMOUNT)
        }
    return errors


def validate_orders(orders: Sequence[OrderInput], customers: dict[int, Customer]) -> dict[str, str]:
    """Return errors by field for a batch, each under its index: "orders[3].lines[0].sku".

    `customers` holds the customers the orders may be written for (any other is unknown);
    order numbers must be new and appear once in the batch, and no customer's paid orders
    may take their total spend above the cap. Empty when all may be written.
    """
    products = products_by_sku(line.sku for data in orders for line in data.lines)
    taken = existing_order_numbers(data.number.strip() for data in orders)
    spend = summary.spend_of(customers)
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
        if not found and data.status == OrderStatus.PAID:
            total = spend.get(data.customer_id, ZERO) + _order_amount(data)
            spend[data.customer_id] = total
            if total > MAX_CUSTOMER_SPEND:
                found["lines"] = summary.spend_cap_message()
        errors.update({f"orders[{index}].{field}": text for field, text in found.items()})
    return errors


def _line_amount(line: LineInput) -> Decimal:
    return (line.unit_price * line.quantity - line.discount).quantize(CENT)


def _order_amount(data: OrderInput) -> Decimal:
    return sum((_line_amount(line) for line in data.lines), ZERO)


# Writing orders ---------------------------------------------------------------------------


@transaction.atomic
def create_order(user: User | None, data: OrderInput) -> Order:
    """Validate and write one order with its lines; the customer's summary follows.

    Refuses a role that may not enter orders, a customer the user may not see (as unknown)
    or may see but not change; every invalid field is answered at once.
    """
    require_order_writer(user)
    customers = writable_customers(user, [data.customer_id])
    customer = customers.get(data.customer_id)
    if customer is None and user is not None:
        seen = visible_customers(user, include_archived=True).filter(pk=data.customer_id).first()
        if seen is not None:
            require_order_customer(user, seen)
    errors = validate_orders([data], customers)
    if errors:
        raise ValidationError(
            {key.removeprefix("orders[0]."): text for key, text in errors.items()}
        )
    (created,) = _write(user, _rows_of([data]), record=True)
    return Order.objects.get(pk=created.id)


@transaction.atomic
def create_orders(
    user: User | None, orders: Sequence[OrderInput], *, validated: bool = False
) -> list[CreatedOrder]:
    """Write many orders in one transaction, all or none; return each one's id and number.

    Every order is validated first and every error answered under its index (ValidationError
    "orders[3].lines[0].sku"), unless `validated`: a system load that built its orders from
    checked data (the demo, the benchmark generator) skips the look-ups. Bulk mode: rows go
    in many per statement and the summary is added to, not recomputed (docs/performance.md).
    """
    require_order_writer(user)
    if not validated:
        customers = writable_customers(user, (data.customer_id for data in orders))
        errors = validate_orders(orders, customers)
        if errors:
            raise ValidationError(errors)
    with cyclic_gc_paused():
        return _write(user, _rows_of(orders), record=False)


class OrderImport:
    """The writer of one import: new orders and status changes, batch after batch.

    Obtained only from importing_orders, which recomputes the summary of every customer
    written once the writing ends, in the import's transaction: an import spreads a
    customer's orders over the whole file, and adding each batch into the summaries cost
    a third more than one recomputation at the end (docs/performance.md). The import has
    checked each row (imports.rows and imports.engine give row errors and keep each
    customer within the spend cap); the refresh refuses what slipped past that check.
    """

    def __init__(self, user: User | None) -> None:
        self.user = user
        self.customers: set[int] = set()

    def add(self, orders: Sequence[ImportedOrder]) -> None:
        """Write validated new orders (one line each)."""
        if orders:
            with cyclic_gc_paused():
                rows = _imported_rows(orders)
                _announce_created(self.user, rows, _insert(rows), record=False)
            self.customers.update(order.customer_id for order in orders)

    def update(self, changes: Sequence[tuple[int, str, str]]) -> None:
        """Set (order id, status, channel) of existing orders as the file has them.

        The status changes are announced in bulk, not recorded one history row each: the
        import job itself is the record (docs/decisions.md).
        """
        if not changes:
            return
        if any(status not in OrderStatus.values for _id, status, _channel in changes):
            raise Invalid(_("Unknown order status."), field="status")
        table = connection.ops.quote_name(Order._meta.db_table)
        sql = f"SELECT id, customer_id, number, amount, status FROM {table} WHERE id IN ({{}})"
        before = {row[0]: row for row in rows_in(sql, [(pk,) for pk, *_ in changes])}
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, channel = %s WHERE id = %s",
                [(status, channel, order_id) for order_id, status, channel in changes],
            )
        self.customers.update(customer for _id, customer, *_rest in before.values())
        announced = []
        for order_id, status, _channel in changes:
            _id, customer, number, amount, old = before[order_id]
            if status != old:
                data = {
                    "number": number,
                    "amount": str(Decimal(str(amount)).quantize(CENT)),
                    "status": status,
                }
                event = NewEvent(customer, order_id, {**data, "old_status": old})
                announced.append((event, NewEvent(customer, order_id, data), old))
        events.announce_status_changes(self.user, announced)


@contextmanager
def importing_orders(user: User | None) -> Iterator[OrderImport]:
    """Return an import's order writer; its customers' summaries follow when the block ends.

    One transaction: should the block fail, nothing of it is kept.
    """
    require_order_writer(user)
    with transaction.atomic():
        writer = OrderImport(user)
        yield writer
        summary.refresh(writer.customers, field="amount")


@dataclass
class _Rows:
    """Orders and their lines, column by column, as _write inserts them."""

    numbers: list[str]
    customers: list[int]
    days: list[datetime.date]
    statuses: list[str]
    channels: list[str]
    totals: list[Decimal]
    # Column by column: order index of each line, product id, quantity, unit price,
    # discount, amount.
    line_order: list[int] | None  # None: one line per order, in order
    line_columns: list[list[object]]


def _rows_of(orders: Sequence[OrderInput]) -> _Rows:
    product_ids = {
        sku: p.pk for sku, p in products_by_sku(ln.sku for o in orders for ln in o.lines).items()
    }
    line_amounts = [[_line_amount(line) for line in data.lines] for data in orders]
    lines = [line for data in orders for line in data.lines]
    return _Rows(
        numbers=[data.number.strip() for data in orders],
        customers=[data.customer_id for data in orders],
        days=[data.ordered_on for data in orders],
        statuses=[data.status for data in orders],
        channels=[data.channel for data in orders],
        totals=[sum(amounts, ZERO) for amounts in line_amounts],
        line_order=[index for index, data in enumerate(orders) for _ in data.lines],
        line_columns=[
            [product_ids[line.sku] for line in lines], [line.quantity for line in lines],
            [line.unit_price for line in lines], [line.discount for line in lines],
            [amount for amounts in line_amounts for amount in amounts],
        ],
    )  # fmt: skip


def _imported_rows(orders: Sequence[ImportedOrder]) -> _Rows:
    return _Rows(
        numbers=[o.number for o in orders], customers=[o.customer_id for o in orders],
        days=[o.ordered_on for o in orders], statuses=[o.status for o in orders],
        channels=[o.channel for o in orders], totals=[o.amount for o in orders],
        line_order=None,
        line_columns=[
            [o.product_id for o in orders], [o.quantity for o in orders],
            [o.unit_price for o in orders], [o.discount for o in orders],
            [o.amount for o in orders],
        ],
    )  # fmt: skip


def _write(user: User | None, rows: _Rows, *, record: bool) -> list[CreatedOrder]:
    """Insert the orders and their lines; add the paid ones to their customers' summaries;
    announce them (and, with `record`, add them to their customers' histories)."""
    created = _insert(rows)
    _announce_created(user, rows, created, record=record)
    summary.add_paid(
        [
            (customer, day, total)
            for customer, day, status, total in zip(
                rows.customers, rows.days, rows.statuses, rows.totals, strict=True
            )
            if status == OrderStatus.PAID
        ]
    )
    return created


def _announce_created(
    user: User | None, rows: _Rows, created: Sequence[CreatedOrder], *, record: bool
) -> None:
    events.orders_created(
        user, [order.id for order in created], rows.numbers, rows.customers, rows.statuses,
        rows.totals, record=record,
    )  # fmt: skip


def _insert(rows: _Rows) -> list[CreatedOrder]:
    """Insert the orders and their lines; return the id and number of each, in order.

    The one writing path. Orders and lines go in many rows per statement
    (core.bulk.insert_columns): the ORM's bulk_create, building SQL field by field for every
    object, held this path near 5,000 orders/s (docs/performance.md).
    """
    count = len(rows.numbers)
    last_id = _last_order_id()
    insert_columns(Order, ORDER_COLUMNS, [
        rows.numbers, rows.customers, rows.days, rows.statuses, rows.channels, rows.totals,
        [timezone.now()] * count,
    ])  # fmt: skip
    ids = _order_ids_after(last_id, rows.numbers)
    order_ids = [ids[number] for number in rows.numbers]
    line_ids = order_ids if rows.line_order is None else [order_ids[i] for i in rows.line_order]
    insert_columns(OrderLine, LINE_COLUMNS, [line_ids, *rows.line_columns])
    return list(map(CreatedOrder._make, zip(order_ids, rows.numbers, strict=True)))


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


# Changing orders --------------------------------------------------------------------------


def require_order_editor(user: User | None, order: Order) -> None:
    """Refuse changing an order the user may see but not change."""
    if user is not None and not can_edit_owned_by(user, order.customer.owner_id):
        raise Forbidden(_("You may view this order but not change it."))


def refund_refusal(user: User | None) -> str | None:
    """Return why the user may not refund (or reinstate a refund), or None if they may.

    The role must be one of REFUND_ROLES; an import's status changes are answered with the
    same words as a row error.
    """
    if user is not None and not can_refund(user):
        return _("Your role may not refund orders or reinstate refunds.")
    return None


def require_refunder(user: User | None) -> None:
    """Refuse refunding (or reinstating a refund) to a role that REFUND_ROLES leaves out."""
    refusal = refund_refusal(user)
    if refusal is not None:
        raise Forbidden(refusal)


def _checked_reason(user: User | None, reason: str) -> str:
    """Return the reason for a refund or its reversal, stripped; a person must give one.

    The system (None: the demo loader, a benchmark) has no one to ask and may give none.
    """
    reason = reason.strip()
    if not reason and user is not None:
        raise Invalid(_("Give the reason for this refund or its reversal."), field="reason")
    if has_control_characters(reason):
        raise Invalid(control_characters_message(), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise Invalid(
            _("The reason must be at most %(limit)d characters.") % {"limit": MAX_REASON_LENGTH},
            field="reason",
        )
    return reason


def _locked(order: Order) -> Order:
    """Return the order's row locked for this transaction (a concurrent refund waits here
    and then sees the refund), the customer loaded."""
    try:
        return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    except Order.DoesNotExist:
        raise NotFound(_("Not found.")) from None


@transaction.atomic
def refund_order(user: User | None, order: Order, reason: str) -> Order:
    """Refund a paid order, with the reason; the summary, history and events follow.

    Only the roles in REFUND_ROLES may, and only for customers they may change.
    """
    order = _locked(order)
    _require_refund_rights(user, order)
    if order.status == OrderStatus.REFUNDED:
        raise Conflict(_("This order is already refunded."), field="status")
    if order.status != OrderStatus.PAID:
        raise Conflict(_("Only a paid order can be refunded."), field="status")
    return _change_status(user, order, OrderStatus.REFUNDED, _checked_reason(user, reason))


@transaction.atomic
def reinstate_order(user: User | None, order: Order, reason: str) -> Order:
    """Reverse a refund: the order counts as paid again, with the reason recorded."""
    order = _locked(order)
    _require_refund_rights(user, order)
    if order.status != OrderStatus.REFUNDED:
        raise Conflict(_("This order is not refunded; there is nothing to reinstate."),
                       field="status")  # fmt: skip
    return _change_status(user, order, OrderStatus.PAID, _checked_reason(user, reason))


@transaction.atomic
def set_order_status(user: User | None, order: Order, status: str, reason: str = "") -> Order:
    """Change an order's status; the summary, history and events follow.

    A change into or out of "refunded" follows the refund's rules (who may, a reason);
    refund_order and reinstate_order are the actions the pages and API offer. An unchanged
    status changes nothing.
    """
    require_order_editor(user, order)
    if status not in OrderStatus.values:
        raise Invalid(_("Unknown order status."), field="status")
    order = _locked(order)
    if status == order.status:
        return order
    if OrderStatus.REFUNDED in (status, order.status):
        require_refunder(user)
        reason = _checked_reason(user, reason)
    return _change_status(user, order, status, reason)


def _require_refund_rights(user: User | None, order: Order) -> None:
    require_order_editor(user, order)
    require_refunder(user)


def _change_status(user: User | None, order: Order, status: str, reason: str) -> Order:
    old = order.status
    order.status = status
    order.save(update_fields=["status"])
    summary.refresh([order.customer_id], field="status")
    events.status_changed(user, order, old, reason)
    return order


@transaction.atomic
def delete_order(user: User | None, order: Order) -> None:
    """Delete an order entered by mistake; the summary, history and events follow."""
    require_order_editor(user, order)
    order_id = order.pk
    order.delete()
    summary.refresh([order.customer_id])
    events.order_deleted(user, order_id, order)


@transaction.atomic
def move_orders(source: Customer, target: Customer) -> int:
    """Move every order of one customer to another (a merge); return how many moved."""
    moved = Order.objects.filter(customer=source).update(customer=target)
    summary.refresh([source.pk, target.pk])
    return moved


# Reading ----------------------------------------------------------------------------------


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """Return the products with these SKUs, keyed by SKU."""
    return {p.sku: p for p in filter_in(Product.objects.all(), "sku", skus)}


def recent_orders(customer: Customer, limit: int) -> list[Order]:
    """Return the customer's newest orders with their lines and products."""
    orders = customer.orders.prefetch_related("lines__product").order_by("-ordered_on", "-id")
    return list(orders[:limit])


def existing_order_numbers(numbers: Iterable[str]) -> set[str]:
    """Return which of these order numbers are already taken."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = f"SELECT number FROM {table} WHERE number IN ({{}})"
    return {number for (number,) in rows_in(sql, [(n,) for n in sorted(set(numbers))])}


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


# The catalogue ----------------------------------------------------------------------------


def create_product(user: User | None, fields: dict[str, object]) -> Product:
    """Validate and add a product to the catalogue; only admins and managers may."""
    if user is not None and not (user.is_admin or user.is_manager):
        raise Forbidden(_("Only admins and managers may change the product catalogue."))
    product = Product(**fields)
    product.full_clean()
    product.save()
    return product


def ensure_product(sku: str, name: str, category: str = "") -> Product:
    """Return the product with this SKU, adding it to the catalogue at list price 0 if missing.

    The import's catch-all product: the system adds it, whoever runs the import.
    """
    product = Product.objects.filter(sku=sku).first()
    return product or create_product(
        None, {"sku": sku, "name": name, "category": category, "list_price": ZERO}
    )


@transaction.atomic
def ensure_products(user: User | None, products: Iterable[dict[str, object]]) -> int:
    """Add the products whose SKU the catalogue lacks, each through create_product; return
    how many were added. Products already there keep their name and price."""
    wanted = list(products)
    known = products_by_sku(str(fields["sku"]) for fields in wanted)
    missing = [fields for fields in wanted if fields["sku"] not in known]
    for fields in missing:
        create_product(user, dict(fields))
    return len(missing)


# Read by the care calendar (engagement): first purchases, never written here -------------


def first_purchase_days(
    customers: QuerySet[Customer], days_of_year: Iterable[str]
) -> list[tuple[int, datetime.date]]:
    """Return (customer id, first purchase day) of the customers whose first purchase fell
    on one of the days of the year ("MM-DD"), in one query."""
    stats = CustomerStats.objects.filter(customer__in=customers.values("pk"))
    stats = stats.alias(md=month_day("first_purchase_on")).filter(md__in=list(days_of_year))
    return list(stats.values_list("customer_id", "first_purchase_on"))


def returning_filter(as_of: datetime.date) -> Exists:
    """Return a filter of a customer query keeping the returning customers on the day: their
    first purchase at least RETURNING_CUSTOMER_DAYS before it (a look-up by key per
    customer, so a rep's customers do not read every summary)."""
    since = as_of - datetime.timedelta(days=settings.RETURNING_CUSTOMER_DAYS)
    return Exists(
        CustomerStats.objects.filter(customer_id=OuterRef("pk"), first_purchase_on__lte=since)
    )


def paid_orders() -> QuerySet[Order]:
    """Return every paid order, for analyses that read purchases by customer and day."""
    return Order.objects.filter(status=OrderStatus.PAID)
