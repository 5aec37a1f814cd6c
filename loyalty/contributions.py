"""What loyalty adds to other apps' extension points and events (registered in ready())."""

import datetime

from accounts.models import User
from core import events
from customers import extensions
from customers.extensions import Panel, TimelineEntry
from customers.models import Customer
from loyalty import points
from loyalty.models import EntryKind, Member, PointsEntry

# Ledger lines a person caused, shown on the customer's timeline with who did it.
TIMELINE_KINDS = (EntryKind.ADJUST, EntryKind.GRANT, EntryKind.REDEEM)


def points_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the points summary with the link to the member's page."""
    member = Member.objects.filter(customer=customer).first()
    return Panel("side", "loyalty/_points_panel.html", member)


def points_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest adjustments, grants and redemptions as timeline entries."""
    entries = PointsEntry.objects.filter(member__customer=customer, kind__in=TIMELINE_KINDS)
    return [
        TimelineEntry(entry.created_at, "points", entry, "loyalty/_timeline_points.html")
        for entry in entries.order_by("-created_at", "-pk")[:limit]
    ]


def register() -> None:
    """Earn points on paid orders and take them back on refunds, from every write path; show
    points on the customer's page and changes made by hand on the timeline."""
    events.subscribe_batch("order.paid", "loyalty.earn", points.orders_paid)
    events.subscribe("order.refunded", "loyalty.reverse", points.orders_refunded)
    events.subscribe("order.deleted", "loyalty.reverse_deleted", points.orders_refunded)
    events.subscribe("order.status_changed", "loyalty.reverse_cancelled", points.order_left_paid)
    extensions.page_panels.register("points", points_panel, order=40)
    extensions.timeline_sources.register("points", points_entries, order=40)
