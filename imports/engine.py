"""Check the rows of a file against the database and, when asked, write them.

One pass over the file in batches of BATCH rows: each batch is parsed (rows.RowParser),
resolved against what exists (one query per key type per batch), and, in a commit, written
with bulk inserts. The caller wraps a commit in one transaction; this module never commits.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from accounts.access import assignable_owners, can_edit_owned_by, can_reassign, visible_owner_q
from accounts.models import Role, User
from core.chunks import distinct_chunks, filter_in, rows_in
from core.errors import DomainError
from customers.extensions import creation_fields
from customers.models import Customer, Tag
from customers.services import (
    MOBILE_TAKEN,
    bulk_create_customers,
    bulk_update_customers,
    set_tags,
)
from imports.cells import Cell, text
from imports.models import Kind
from imports.rows import CustomerRow, OrderRow, RowError, RowParser
from sales.limits import MAX_CUSTOMER_SPEND
from sales.models import Order, OrderStatus, Product
from sales.services import (
    ImportedOrder,
    OrderImport,
    ensure_product,
    importing_orders,
    refund_refusal,
)
from sales.summary import spend_cap_message, spend_of

CENT = Decimal("0.01")
NO_DISCOUNT = Decimal("0.00")
Progress = Callable[[int], None]
Key = tuple[str, str]


def batch_rows() -> int:
    """Return how many rows are checked and written together (one query per key per batch)."""
    return int(getattr(settings, "IMPORT_BATCH_ROWS", 5000))


def default_sku() -> str:
    return str(getattr(settings, "IMPORT_DEFAULT_SKU", "IMPORTED"))


def max_rejects_kept() -> int:
    return int(getattr(settings, "IMPORT_MAX_REJECTS_KEPT", 100_000))


@dataclass
class Outcome:
    """What a pass over a file found (and, in a commit, did)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    total_rows: int = 0
    rejected_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Row number -> the row's cells as text, to hand the rejected rows back as a file.
    rejected_cells: dict[int, list[str]] = field(default_factory=dict)
    # Field -> header, so that a rejection names the column as the file does.
    header_of: dict[str, str] = field(default_factory=dict)

    def reject(self, errors: list[RowError], cells: list[Cell]) -> None:
        self.rejected_count += 1
        if len(self.rejected_cells) < max_rejects_kept():
            self.errors.extend(
                RowError(e.row, self.header_of.get(e.column, e.column), e.reason) for e in errors
            )
            self.rejected_cells[errors[0].row] = [text(cell) for cell in cells]


class _EditRule:
    """can_edit_owned_by for one actor, remembered per owner.

    For a manager the rule reads the team from the database; asked once per row, that was
    two queries a row.
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.known: dict[int, bool] = {}

    def __call__(self, owner_id: int) -> bool:
        allowed = self.known.get(owner_id)
        if allowed is None:
            allowed = self.known[owner_id] = can_edit_owned_by(self.actor, owner_id)
        return allowed


def run_rows(
    kind: str,
    actor: User,
    headers: list[str],
    mapping: dict[str, str],
    rows: Iterator[tuple[int, list[Cell]]],
    *,
    write: bool,
    skip_invalid: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Check every row; in a write, write the valid ones while all are valid (or skip_invalid).

    Once a row is rejected without skip_invalid, nothing more is written and the caller
    rolls back; the rest of the file is still checked, so the report is complete.
    """
    parser = RowParser(kind, headers, mapping)
    importer: _CustomerImport | _OrderImport = (
        _CustomerImport(actor) if kind == Kind.CUSTOMERS else _OrderImport(actor, mapping)
    )
    outcome = Outcome(header_of=dict(mapping))
    with importer.writing(write):
        while batch := list(islice(rows, batch_rows())):
            records: list[Any] = []
            cells_by_row = {}
            for number, cells in batch:
                parsed = parser.parse(number, cells)
                if isinstance(parsed, list):
                    outcome.reject(parsed, cells)
                else:
                    records.append(parsed)
                    cells_by_row[number] = cells
            may_write = write and (skip_invalid or outcome.rejected_count == 0)
            importer.run_batch(records, outcome, cells_by_row, may_write)
            outcome.total_rows += len(batch)
            if progress is not None:
                progress(outcome.total_rows)
    return outcome


# Customers ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    creates: list[Customer] = field(default_factory=list)
    updates: list[tuple[Customer, dict[str, Any]]] = field(default_factory=list)
    tags: list[tuple[Customer, list[Tag]]] = field(default_factory=list)
    new_tags: list[tuple[Customer, list[Tag]]] = field(default_factory=list)
    # Other apps' inputs for the new customers, kept once they are created.
    extras: list[tuple[Customer, dict[str, str]]] = field(default_factory=list)


class _CustomerImport:
    """Match customer rows on Huitou ID, external ID or mobile; plan creates and updates."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.seen: dict[Key, int] = {}
        self.owners = {user.username: user for user in _owners(actor)}
        self.tags = _tags_by_name()
        self.may_edit = _EditRule(actor)

    def writing(self, write: bool) -> AbstractContextManager[None]:
        """Customers need nothing held across batches."""
        return nullcontext()

    def run_batch(
        self,
        records: list[CustomerRow],
        outcome: Outcome,
        cells: dict[int, list[Cell]],
        write: bool,
    ) -> None:
        found = _Existing.load(self.actor, records)
        plan = _Plan()
        for record in records:
            errors = self._plan_row(record, found, plan, outcome)
            if errors:
                outcome.reject(errors, cells[record.row])
        if write:
            self._write(plan)

    def _plan_row(
        self, record: CustomerRow, found: "_Existing", plan: _Plan, outcome: Outcome
    ) -> list[RowError]:
        match, errors = found.match(record, self.may_edit)
        if errors:
            return errors
        keys = _customer_keys(record, match)
        for key in keys:
            if key in self.seen:
                column = {"pk": "id", "id": "id", "ext": "external_id", "mobile": "mobile"}[key[0]]
                return [
                    RowError(
                        record.row,
                        column,
                        _("The same customer is already on row %(row)d.") % {"row": self.seen[key]},
                    )
                ]
        owner, owner_error = self._owner(record, match)
        tags, tag_error = self._tags(record)
        if owner_error or tag_error:
            return [error for error in (owner_error, tag_error) if error]
        for key in keys:
            self.seen[key] = record.row
        if match is None:
            return self._plan_create(record, owner, tags, plan, outcome)
        return self._plan_update(record, match, owner, tags, plan, outcome)

    def _plan_create(
        self,
        record: CustomerRow,
        owner: User | None,
        tags: list[Tag] | None,
        plan: _Plan,
        outcome: Outcome,
    ) -> list[RowError]:
        if not record.external_id and not record.mobile:
            return [
                RowError(
                    record.row,
                    "",
                    _(
                        "Give an external ID or a mobile, so that importing the file again "
                        "finds this customer."
                    ),
                )
            ]
        customer = Customer(**{**record.fields, "owner": owner or self.actor})
        extra_errors = _check_extras(record, customer)
        if extra_errors:
            return extra_errors
        plan.creates.append(customer)
        if record.extras:
            plan.extras.append((customer, record.extras))
        if tags:
            plan.new_tags.append((customer, tags))
        outcome.created += 1
        return []

    def _plan_update(
        self,
        record: CustomerRow,
        match: Customer,
        owner: User | None,
        tags: list[Tag] | None,
        plan: _Plan,
        outcome: Outcome,
    ) -> list[RowError]:
        changes = {
            name: value for name, value in record.fields.items() if getattr(match, name) != value
        }
        if owner is not None and owner.pk != match.owner_id:
            changes["owner"] = owner
        tags_change = tags is not None and sorted(t.pk for t in tags) != sorted(
            t.pk for t in match.tags.all()
        )
        if changes:
            plan.updates.append((match, changes))
        if tags_change and tags is not None:
            plan.tags.append((match, tags))
        if changes or tags_change:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        return []

    def _owner(
        self, record: CustomerRow, match: Customer | None
    ) -> tuple[User | None, RowError | None]:
        if not record.owner:
            return None, None
        owner = self.owners.get(record.owner)
        changing = match is not None and owner is not None and owner.pk != match.owner_id
        if owner is None or (changing and not can_reassign(self.actor)):
            reason = _("You may not make %(user)s the owner.") % {"user": record.owner}
            return None, RowError(record.row, "owner", reason)
        return owner, None

    def _tags(self, record: CustomerRow) -> tuple[list[Tag] | None, RowError | None]:
        if record.tags is None:
            return None, None
        unknown = [name for name in record.tags if name.lower() not in self.tags]
        if unknown:
            reason = _("Unknown tag: %(tags)s.") % {"tags": ", ".join(unknown)}
            return None, RowError(record.row, "tags", reason)
        return [self.tags[name.lower()] for name in record.tags], None

    def _write(self, plan: _Plan) -> None:
        if plan.creates:
            bulk_create_customers(self.actor, plan.creates)
        _keep_extras(self.actor, plan.extras)
        if plan.updates:
            bulk_update_customers(self.actor, list(plan.updates))
        for customer, tags in plan.new_tags:
            customer.tags.set(tags)
        for customer, tags in plan.tags:
            set_tags(self.actor, customer, tags)


def _check_extras(record: CustomerRow, customer: Customer) -> list[RowError]:
    """Return the refusals of the row's inputs for other apps (a referral code), checked
    before anything is written. A row that updates a customer ignores them: they count only
    at a customer's creation, and importing the same file again must not fail."""
    errors = []
    for extra in creation_fields:
        value = record.extras.get(extra.name)
        if value:
            try:
                extra.check(customer, value)
            except DomainError as error:
                errors.append(RowError(record.row, extra.name, error.message))
    return errors


def _keep_extras(actor: User, extras: list[tuple[Customer, dict[str, str]]]) -> None:
    """Let the apps keep their inputs for the customers just created (their checks passed)."""
    for extra in creation_fields:
        for customer, values in extras:
            if values.get(extra.name):
                extra.keep(actor, customer, values[extra.name])


def _customer_keys(record: CustomerRow, match: Customer | None) -> list[Key]:
    keys: list[Key] = []
    if match is not None:
        keys.append(("pk", str(match.pk)))
    if record.external_id:
        keys.append(("ext", record.external_id))
    if record.mobile:
        keys.append(("mobile", record.mobile))
    return keys


def _owners(actor: User) -> list[User]:
    """Return who may own what the actor imports: the assignable owners, and the actor."""
    if actor.is_admin:
        return list(User.objects.filter(is_active=True))
    return [*assignable_owners(actor), actor]


def _tags_by_name() -> dict[str, Tag]:
    return {tag.name.lower(): tag for tag in Tag.objects.select_related("group")}


class _Existing:
    """The customers a batch refers to, found by Huitou ID, external ID and mobile."""

    def __init__(self) -> None:
        self.by_pk: dict[int, Customer] = {}
        self.by_ext: dict[str, Customer] = {}
        self.by_mobile: dict[str, list[Customer]] = {}
        # External IDs of customers merged into another: external ID -> the survivor's ID.
        self.merged_ext: dict[str, int] = {}

    @classmethod
    def load(cls, actor: User, records: list[CustomerRow]) -> "_Existing":
        found = cls()
        base = Customer.objects.select_related("owner").prefetch_related("tags")
        ids = [r.id for r in records if r.id is not None]
        found._add(filter_in(base.filter(visible_owner_q(actor)), "pk", ids))
        # The same merged_into rule as for mobiles: a merged-away duplicate is no match.
        external_ids = (r.external_id for r in records if r.external_id)
        for customer in filter_in(base, "external_id", external_ids):
            if customer.merged_into_id is None:
                found._add([customer])
            elif customer.external_id:
                found.merged_ext[customer.external_id] = customer.merged_into_id
        # customers.services.mobile_holders' rule (a merged-away customer holds no
        # mobile), with merged_into checked here, not in SQL: see _select_in for why.
        mobiles = (r.mobile for r in records if r.mobile)
        found._add(c for c in filter_in(base, "mobile", mobiles) if c.merged_into_id is None)
        return found

    def _add(self, customers: Iterable[Customer]) -> None:
        for customer in customers:
            if customer.pk in self.by_pk:
                customer = self.by_pk[customer.pk]
            self.by_pk[customer.pk] = customer
            if customer.external_id:
                self.by_ext[customer.external_id] = customer
            if customer.mobile:
                same = self.by_mobile.setdefault(customer.mobile, [])
                if all(c.pk != customer.pk for c in same):
                    same.append(customer)

    def match(
        self, record: CustomerRow, may_edit: Callable[[int], bool]
    ) -> tuple[Customer | None, list[RowError]]:
        """Return the customer the row is about (None: a new one), or why it cannot be."""
        row = record.row
        match: Customer | None = None
        if record.id is not None:
            match = self.by_pk.get(record.id)
            if match is None:
                return None, [RowError(row, "id", _("No customer you can see has this Huitou ID."))]
            if match.merged_into_id is not None:
                return None, [RowError(row, "id", _merged_reason(match.merged_into_id))]
        if record.external_id and record.external_id in self.merged_ext:
            if match is None:
                survivor = self.merged_ext[record.external_id]
                return None, [RowError(row, "external_id", _merged_reason(survivor))]
            return None, [
                RowError(row, "external_id", _("This external ID belongs to another customer."))
            ]
        if match is None and record.external_id:
            match = self.by_ext.get(record.external_id)
        if (
            match is not None
            and record.external_id
            and match.external_id not in (None, record.external_id)
        ):
            other = self.by_ext.get(record.external_id)
            if other is not None and other.pk != match.pk:
                return None, [
                    RowError(row, "external_id", _("This external ID belongs to another customer."))
                ]
        others = [
            c for c in self.by_mobile.get(record.mobile, []) if match is None or c.pk != match.pk
        ]
        if record.mobile and others:
            if (
                match is not None
                or len(others) > 1
                or (record.external_id and others[0].external_id not in (None, record.external_id))
            ):
                return None, [RowError(row, "mobile", str(MOBILE_TAKEN))]
            match = others[0]
        if match is not None and not may_edit(match.owner_id):
            if record.mobile and match.mobile == record.mobile:
                # Matched by mobile alone: say no more than the form and the API say.
                return None, [RowError(row, "mobile", str(MOBILE_TAKEN))]
            return None, [
                RowError(
                    row,
                    "external_id",
                    _("This customer belongs to someone whose customers you may not change."),
                )
            ]
        return match, []


def _merged_reason(survivor_id: int) -> str:
    return _(
        "This customer was merged into customer #%(id)s; use that customer's details instead."
    ) % {"id": survivor_id}


# Orders -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _NewOrder:
    record: OrderRow
    customer_key: Key
    customer_id: int | None
    sku: str


@dataclass
class _OrderPlan:
    new_customers: dict[Key, Customer] = field(default_factory=dict)
    orders: list[_NewOrder] = field(default_factory=list)
    updates: list[tuple[int, str, str]] = field(default_factory=list)


class _OrderImport:
    """Match order rows on their number and link them to customers by external ID or mobile."""

    def __init__(self, actor: User, mapping: dict[str, str]) -> None:
        self.actor = actor
        self.seen: dict[str, int] = {}
        # Customers this file creates: key -> id once written (0 while only checked).
        self.pending: dict[Key, int] = {}
        self.pending_mobiles: dict[str, Key] = {}
        self.map_product = bool(mapping.get("product"))
        self.by_sku, self.by_name = _products()
        self.product_ids = {sku: product.pk for sku, product in self.by_sku.items()}
        self.can_own = actor.role in (Role.ADMIN, Role.MANAGER, Role.REP) or actor.is_superuser
        self.may_edit = _EditRule(actor)
        # A status change into or out of "refunded" is a refund or its reversal: only the
        # roles in REFUND_ROLES may, as on the page and the API.
        self.refund_refusal = refund_refusal(actor)
        # Each customer's paid total as this file leaves it (an existing customer's kept
        # total plus the file's rows so far; new customers by key), to refuse the row that
        # would take it above the cap.
        self.spend: dict[int | Key, Decimal] = {}
        self.writer: OrderImport | None = None

    @contextmanager
    def writing(self, write: bool) -> Iterator[None]:
        """Hold the sales service's order writer while a commit runs through the file."""
        if not write:
            yield
            return
        with importing_orders(self.actor) as writer:
            self.writer = writer
            yield

    def run_batch(
        self, records: list[OrderRow], outcome: Outcome, cells: dict[int, list[Cell]], write: bool
    ) -> None:
        customers = _order_customers(records)
        self._read_spend(customers)
        existing = _existing_orders(r.number for r in records)
        plan = _OrderPlan()
        for record in records:
            errors = self._plan_row(record, customers, existing, plan, outcome)
            if errors:
                outcome.reject(errors, cells[record.row])
        if write:
            self._write(plan, outcome)

    def _plan_row(
        self,
        record: OrderRow,
        customers: "_OrderCustomers",
        existing: dict[str, dict[str, Any]],
        plan: _OrderPlan,
        outcome: Outcome,
    ) -> list[RowError]:
        row = record.row
        if record.number in self.seen:
            return [
                RowError(
                    row,
                    "number",
                    _("This order number is already on row %(row)d.")
                    % {"row": self.seen[record.number]},
                )
            ]
        key, customer, error = self._customer(record, customers)
        if error is not None:
            return [error]
        sku, error = self._product(record)
        if error is not None:
            return [error]
        order = existing.get(record.number)
        if order is not None:
            error = self._plan_existing(record, order, customer, plan, outcome)
            if error is not None:
                return [error]
        elif not self._add_spend(customer.pk if customer else key, record.status, record.amount):
            return [RowError(row, "amount", spend_cap_message())]
        else:
            if customer is None and key not in self.pending:
                plan.new_customers[key] = Customer(
                    name=record.customer_name,
                    owner=self.actor,
                    external_id=record.customer_external_id or None,
                    mobile=record.customer_mobile,
                )
                self.pending[key] = 0
                if record.customer_mobile:
                    self.pending_mobiles[record.customer_mobile] = key
            plan.orders.append(_NewOrder(record, key, customer.pk if customer else None, sku))
            outcome.created += 1
        self.seen[record.number] = row
        return []

    def _plan_existing(
        self,
        record: OrderRow,
        order: dict[str, Any],
        customer: "_Known | None",
        plan: _OrderPlan,
        outcome: Outcome,
    ) -> RowError | None:
        same = (
            customer is not None
            and order["customer_id"] == customer.pk
            and order["ordered_on"] == record.ordered_on
            and Decimal(order["amount"]).quantize(CENT) == record.amount
        )
        if not same:
            return RowError(
                record.row,
                "number",
                _(
                    "Order %(number)s already exists with another customer, date or amount; "
                    "an import changes only the status and channel of an order."
                )
                % {"number": record.number},
            )
        refunds = record.status != order["status"] and OrderStatus.REFUNDED in (
            record.status,
            order["status"],
        )
        if (order["status"], order["channel"]) == (record.status, record.channel):
            outcome.unchanged += 1
        elif refunds and self.refund_refusal is not None:
            return RowError(record.row, "status", self.refund_refusal)
        elif not self._add_spend(
            order["customer_id"], record.status, record.amount, order["status"]
        ):
            return RowError(record.row, "status", spend_cap_message())
        else:
            plan.updates.append((order["id"], record.status, record.channel))
            outcome.updated += 1
        return None

    def _customer(
        self, record: OrderRow, customers: "_OrderCustomers"
    ) -> tuple[Key, "_Known | None", RowError | None]:
        ext, mobile = record.customer_external_id, record.customer_mobile
        key: Key = ("ext", ext) if ext else ("mobile", mobile)
        column = "customer_external_id" if ext else "customer_mobile"

        def refuse(message: str, field: str = column) -> tuple[Key, None, RowError]:
            return key, None, RowError(record.row, field, message)

        # A new customer under an unknown external ID must not be a second one with the mobile.
        mobile_taken = str(MOBILE_TAKEN)
        customer = customers.by_ext.get(ext) if ext else None
        if customer is None and ext and ext in customers.merged_ext:
            return refuse(_merged_reason(customers.merged_ext[ext]))
        if customer is None and mobile:
            same = customers.by_mobile.get(mobile, [])
            if ext and same and (len(same) > 1 or same[0].external_id is not None):
                return refuse(mobile_taken, "customer_mobile")
            if len(same) > 1:
                return refuse(_("Several customers have this mobile; give the external ID."))
            customer = same[0] if same else None
        if customer is not None:
            if customer.archived:
                return refuse(_("The customer is archived; restore it before adding orders."))
            if not self.may_edit(customer.owner_id):
                return refuse(_("You may not add orders for this customer."))
            return key, customer, None
        if key not in self.pending and mobile in self.pending_mobiles:
            if ext:  # an earlier row of the file creates another customer with this mobile
                return refuse(mobile_taken, "customer_mobile")
            key = self.pending_mobiles[mobile]
        if key in self.pending:
            return key, None, None
        if record.customer_name and self.can_own:
            return key, None, None
        return refuse(
            _(
                "Unknown customer %(key)s; add the customer first or give the "
                "customer's name to create one."
            )
            % {"key": ext or mobile}
        )

    def _read_spend(self, customers: "_OrderCustomers") -> None:
        """Read the kept total spend of the batch's customers not met before."""
        known = [*customers.by_ext.values(), *(c for s in customers.by_mobile.values() for c in s)]
        new = {customer.pk for customer in known} - self.spend.keys()
        kept = spend_of(new)
        self.spend.update({pk: kept.get(pk, NO_DISCOUNT) for pk in new})

    def _add_spend(
        self, customer: int | Key, status: str, amount: Decimal, before: str = ""
    ) -> bool:
        """Count a row's paid amount for its customer; False when it would pass the cap.

        `before` is an existing order's status: a row only changes that order's status, so
        its amount counts when it becomes paid and stops counting when it stops being paid.
        """
        paid = OrderStatus.PAID
        change = (status == paid) - (before == paid) if before else status == paid
        total = self.spend.get(customer, NO_DISCOUNT) + change * amount
        if change > 0 and total > MAX_CUSTOMER_SPEND:
            return False
        self.spend[customer] = total
        return True

    def _product(self, record: OrderRow) -> tuple[str, RowError | None]:
        if not self.map_product:
            return default_sku(), None
        value = record.product or ""
        product = self.by_sku.get(value) or self.by_name.get(value.lower())
        if product is None:
            return "", RowError(
                record.row, "product", _("Unknown product %(product)s.") % {"product": value or "—"}
            )
        return product.sku, None

    def _write(self, plan: _OrderPlan, outcome: Outcome) -> None:
        if plan.new_customers:
            created = bulk_create_customers(self.actor, list(plan.new_customers.values()))
            for key, customer in zip(plan.new_customers, created, strict=True):
                self.pending[key] = customer.pk
        assert self.writer is not None, "written only inside writing()"
        self.writer.add([self._row(order) for order in plan.orders])
        self.writer.update(plan.updates)

    def _product_id(self, sku: str) -> int:
        product_id = self.product_ids.get(sku)
        if product_id is None:
            product_id = ensure_product(sku, _("Imported purchase")).pk
            self.product_ids[sku] = product_id
        return product_id

    def _row(self, order: _NewOrder) -> ImportedOrder:
        record = order.record
        amount, quantity = record.amount, record.quantity
        # One line per row: the unit price rounds up to the cent and the difference is a
        # discount, so the line (and the order) add up to exactly the amount in the file.
        if quantity == 1:  # the common case needs no division: the unit price is the amount
            unit, discount = amount, NO_DISCOUNT
        else:
            unit = (amount / quantity).quantize(CENT, rounding=ROUND_UP)
            discount = unit * quantity - amount
        return ImportedOrder(
            record.number,
            order.customer_id or self.pending[order.customer_key],
            record.ordered_on,
            record.status,
            record.channel,
            self._product_id(order.sku),
            quantity,
            unit,
            discount,
            amount,
        )


class _Known(NamedTuple):
    """What an order row needs of an existing customer: plain values, no model instance."""

    pk: int
    owner_id: int
    archived: bool
    external_id: str | None
    mobile: str


@dataclass
class _OrderCustomers:
    by_ext: dict[str, _Known] = field(default_factory=dict)
    by_mobile: dict[str, list[_Known]] = field(default_factory=dict)
    # External IDs of customers merged into another: external ID -> the survivor's ID.
    merged_ext: dict[str, int] = field(default_factory=dict)


def _order_customers(records: list[OrderRow]) -> _OrderCustomers:
    found = _OrderCustomers()
    columns = "id, owner_id, archived_at IS NOT NULL, external_id, mobile, merged_into_id"
    external_ids = (r.customer_external_id for r in records if r.customer_external_id)
    for values in _select_in(Customer, columns, "external_id", external_ids):
        if values[5] is None:
            customer = _Known(values[0], values[1], bool(values[2]), values[3], values[4])
            found.by_ext[customer.external_id or ""] = customer
        elif values[3]:
            found.merged_ext[values[3]] = values[5]
    # Also for rows with an external ID: an unknown one still must not duplicate a mobile.
    mobiles = (r.customer_mobile for r in records if r.customer_mobile)
    for values in _select_in(Customer, columns, "mobile", mobiles):
        if values[5] is None:
            customer = _Known(values[0], values[1], bool(values[2]), values[3], values[4])
            found.by_mobile.setdefault(customer.mobile, []).append(customer)
    return found


def _select_in(
    model: type[Customer] | type[Order], columns: str, key: str, values: Iterable[str]
) -> list[tuple[Any, ...]]:
    """Return `columns` of the rows whose `key` column is one of the values, chunk by chunk.

    A plain cursor because the ORM's IN lookup prepares each value in Python (about 2 ms a
    chunk, more than the query). Only the key is filtered in SQL: with a second condition
    such as merged_into IS NULL, SQLite without statistics picked that column's index and
    read every customer for each chunk (docs/performance.md); callers filter in Python.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(key)
    sql = f"SELECT {columns} FROM {table} WHERE {column} IN ({{}})"
    return rows_in(sql, [(value,) for value in sorted(set(values))])


def _existing_orders(numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return the orders already stored under these numbers, as the ORM reads them.

    Most numbers in a file are new: a plain query finds the few that exist, and only those
    are read through the ORM (which converts dates and amounts).
    """
    taken = [row[0] for row in _select_in(Order, "number", "number", numbers)]
    found: dict[str, dict[str, Any]] = {}
    fields = ("id", "number", "customer_id", "ordered_on", "amount", "status", "channel")
    for chunk in distinct_chunks(taken):
        for order in Order.objects.filter(number__in=chunk).values(*fields):
            found[order["number"]] = order
    return found


def _products() -> tuple[dict[str, Product], dict[str, Product]]:
    by_sku: dict[str, Product] = {}
    by_name: dict[str, Product] = {}
    ambiguous: set[str] = set()
    for product in Product.objects.all():
        by_sku[product.sku] = product
        name = product.name.lower()
        if name in by_name:
            ambiguous.add(name)
        by_name[name] = product
    for name in ambiguous:
        del by_name[name]
    return by_sku, by_name
