"""What sales adds to the customer archive's extension points (registered in ready())."""

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from customers import extensions
from customers.extensions import HistoryWords, Panel, TimelineEntry
from customers.history import EMPTY
from customers.models import Customer, ProfileChange, Subject
from sales import personal_data
from sales.events import REFUND_REASON, REINSTATE_REASON
from sales.models import Order, OrderStatus
from sales.services import move_orders, recent_orders
from sales.summary import follow_owners, stats_for


def order_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest orders as timeline entries, at the start of their day."""
    tz = timezone.get_current_timezone()
    return [
        TimelineEntry(
            datetime.datetime.combine(order.ordered_on, datetime.time.min, tz),
            "order",
            order,
            "sales/_timeline_order.html",
        )
        for order in recent_orders(customer, limit)
    ]


def purchase_summary_panel(customer: Customer, user: User, today: datetime.date) -> Panel:
    """Return the key purchase figures (or "no purchases yet") for the 360° page."""
    return Panel("summary", "sales/_customer_figures.html", stats_for(customer))


def describe_order_changes(changes: Sequence[ProfileChange]) -> list[HistoryWords]:
    """Put orders' history rows into words: "Order SO-1001 · status Paid → Refunded"."""
    numbers = _order_numbers(changes)
    return [_order_words(change, numbers) for change in changes]


def _order_words(change: ProfileChange, numbers: dict[int, str]) -> HistoryWords:
    statuses = dict(OrderStatus.choices)
    number = numbers.get(change.subject_id or 0) or f"#{change.subject_id}"
    subject = _("Order %(number)s") % {"number": number}
    if change.field == "status":
        old, new = (str(statuses.get(v, v or EMPTY)) for v in (change.old_value, change.new_value))
        return HistoryWords(subject, _("status"), old, new)
    label = {
        "created": _("entered"),
        "deleted": _("deleted"),
        REFUND_REASON: _("reason for the refund"),
        REINSTATE_REASON: _("reason for reinstating"),
    }.get(change.field, change.field)
    shown = change.new_value if change.field in (REFUND_REASON, REINSTATE_REASON) else EMPTY
    return HistoryWords(subject, label, EMPTY, shown, before_after=False)


def _order_numbers(changes: Sequence[ProfileChange]) -> dict[int, str]:
    """Return the number of each order the rows are about, in at most two queries.

    Kept in the row of its entry and of its deletion; otherwise read from the order, or, once
    deleted, from its deletion's row (an order's number never changes).
    """
    numbers: dict[int, str] = {}
    for change in changes:
        if change.subject_id is not None and change.field in ("created", "deleted"):
            kept = change.new_value if change.field == "created" else change.old_value
            numbers[change.subject_id] = kept
    missing = {c.subject_id for c in changes if c.subject_id is not None} - set(numbers)
    if missing:
        numbers.update(Order.objects.filter(pk__in=missing).values_list("pk", "number"))
        gone = missing - set(numbers)
        if gone:
            deleted = ProfileChange.objects.filter(
                subject=Subject.ORDER, subject_id__in=gone, field="deleted"
            )
            numbers.update(
                (subject_id, number)
                for subject_id, number in deleted.values_list("subject_id", "old_value")
                if subject_id is not None
            )
    return numbers


def register() -> None:
    """Add orders to the timeline, the summary to the page, orders to merges and to a
    person's data export and erasure."""
    extensions.timeline_sources.register("orders", order_entries, order=10)
    extensions.history_describers.register(Subject.ORDER, describe_order_changes)
    extensions.page_panels.register("purchase-summary", purchase_summary_panel, order=10)
    extensions.merge_participants.register("orders", move_orders, order=10)
    extensions.owner_followers.register("purchase-summary", follow_owners)
    extensions.personal_data_sources.register("orders", personal_data.personal_data, order=20)
    extensions.erasure_participants.register("orders", personal_data.erase_customer_data, order=10)
