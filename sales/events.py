"""The domain events of orders, and their rows in the customer's history.

Called by sales.services inside each change's transaction, so an event and a history row
exist exactly when the change does. One order from a form or the API is recorded in the
history and announced; the bulk and import paths only announce, in bulk (one history row
per order would cost them their throughput; docs/decisions.md).
"""

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from accounts.models import User
from core.actors import actor_for
from core.events import NewEvent, emit_columns, emit_many
from customers.models import Subject
from customers.services import RecordChange, record_changes
from sales.models import Order, OrderStatus

# The history's field for the reason given with a refund and with its reinstatement.
REFUND_REASON = "refund_reason"
REINSTATE_REASON = "reinstate_reason"


class OrderEvent(StrEnum):
    """Every event carries customer_id, subject_id (the order) and data {"number",
    "amount", "status"}; a status change adds "old_status", a refund or reinstatement
    "reason"."""

    CREATED = "order.created"
    PAID = "order.paid"  # created as paid, or became paid again
    STATUS_CHANGED = "order.status_changed"
    REFUNDED = "order.refunded"
    REINSTATED = "order.reinstated"  # a refund reversed: paid again
    DELETED = "order.deleted"


def orders_created(
    user: User | None,
    ids: Sequence[int],
    numbers: Sequence[str],
    customers: Sequence[int],
    statuses: Sequence[str],
    amounts: Sequence[Decimal],
    *,
    record: bool,
) -> None:
    """Announce new orders (order.created, and order.paid for the paid ones), given column
    by column; with `record`, add each to its customer's history too."""
    # One outbox row per kind for the whole batch, its data given column by column: a list
    # of numbers or texts encodes many times faster than a dict per order.
    actor = actor_for(user)
    texts = {"number": list(numbers), "amount": [str(a) for a in amounts], "status": statuses}
    emit_columns(actor, OrderEvent.CREATED, customers, ids, texts)
    paid = [index for index, status in enumerate(statuses) if status == OrderStatus.PAID]
    if paid:
        emit_columns(
            actor, OrderEvent.PAID, [customers[i] for i in paid], [ids[i] for i in paid],
            {name: [column[i] for i in paid] for name, column in texts.items()},
        )  # fmt: skip
    if record:
        record_changes(
            user,
            [
                RecordChange(customer, Subject.ORDER, pk, "created", "", number)
                for customer, pk, number in zip(customers, ids, numbers, strict=True)
            ],
        )


def status_changed(user: User | None, order: Order, old: str, reason: str = "") -> None:
    """Record and announce one order's change of status (a refund, its reversal, a cancel)."""
    changes = [
        RecordChange(order.customer_id, Subject.ORDER, order.pk, "status", old, order.status)
    ]
    if reason:
        field = REFUND_REASON if order.status == OrderStatus.REFUNDED else REINSTATE_REASON
        changes.append(RecordChange(order.customer_id, Subject.ORDER, order.pk, field, "", reason))
    record_changes(user, changes)
    event = NewEvent(order.customer_id, order.pk, {**_data(order), "old_status": old})
    reasoned = NewEvent(order.customer_id, order.pk, {**_data(order), "reason": reason})
    announce_status_changes(user, [(event, reasoned, old)])


def announce_status_changes(
    user: User | None, changes: Sequence[tuple[NewEvent, NewEvent, str]]
) -> None:
    """Emit, in bulk, the events of status changes: each change as its status_changed event,
    the same with the reason for refunded/reinstated, and the old status."""
    actor = actor_for(user)
    emit_many(OrderEvent.STATUS_CHANGED, actor, [event for event, _, _old in changes])
    by_kind: dict[OrderEvent, list[NewEvent]] = {
        OrderEvent.REFUNDED: [], OrderEvent.REINSTATED: [], OrderEvent.PAID: []
    }  # fmt: skip
    for event, reasoned, old in changes:
        new = event.data["status"]
        if new == OrderStatus.REFUNDED:
            by_kind[OrderEvent.REFUNDED].append(reasoned)
        elif new == OrderStatus.PAID:
            if old == OrderStatus.REFUNDED:
                by_kind[OrderEvent.REINSTATED].append(reasoned)
            by_kind[OrderEvent.PAID].append(event)
    for kind, events in by_kind.items():
        emit_many(kind, actor, events)


def order_deleted(user: User | None, order_id: int, order: Order) -> None:
    """Record and announce an order deleted as entered by mistake (its id given: gone now)."""
    record_changes(
        user, [RecordChange(order.customer_id, Subject.ORDER, order_id, "deleted", order.number)]
    )
    emit_many(
        OrderEvent.DELETED, actor_for(user), [NewEvent(order.customer_id, order_id, _data(order))]
    )


def _data(order: Order) -> dict[str, Any]:
    return {"number": order.number, "amount": str(order.amount), "status": order.status}
