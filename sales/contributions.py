"""What sales adds to the customer archive's extension points (registered in ready())."""

import datetime

from django.utils import timezone

from accounts.models import User
from customers import extensions
from customers.extensions import Panel, TimelineEntry
from customers.models import Customer
from sales import personal_data
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


def register() -> None:
    """Add orders to the timeline, the summary to the page, orders to merges and to a
    person's data export and erasure."""
    extensions.timeline_sources.register("orders", order_entries, order=10)
    extensions.page_panels.register("purchase-summary", purchase_summary_panel, order=10)
    extensions.merge_participants.register("orders", move_orders, order=10)
    extensions.owner_followers.register("purchase-summary", follow_owners)
    extensions.personal_data_sources.register("orders", personal_data.personal_data, order=20)
    extensions.erasure_participants.register("orders", personal_data.erase_customer_data, order=10)
