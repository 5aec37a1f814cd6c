"""What service adds to the customer archive's extension points (registered in ready())."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from customers import extensions
from customers.extensions import Panel, TimelineEntry, TodayItem
from customers.models import Customer
from service import personal_data
from service.services import (
    may_open_ticket,
    move_customer_tickets,
    open_tickets_of,
    owned_open_tickets,
    recent_tickets,
)

TIMELINE = "service/_timeline_ticket.html"

TIMELINE = "service/_timeline_ticket.html"


def ticket_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest tickets as timeline entries: when resolved, at the
    resolution with its outcome; otherwise when opened."""
    return [
        TimelineEntry(ticket.resolved_at or ticket.opened_at, "ticket", ticket, TIMELINE)
        for ticket in recent_tickets(customer, limit)
    ]


def open_tickets_panel(customer: Customer, user: User, today: datetime.date) -> Panel:
    """Return the customer's open tickets for the 360° page."""
    return Panel("side", "service/_customer_tickets.html", open_tickets_of(customer))


def new_ticket_button(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the "New ticket" button when the user may open tickets for the customer."""
    if not may_open_ticket(user, customer):
        return None
    return Panel("actions", "service/_new_ticket_button.html")


def open_tickets_today(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
    """Return the open tickets of the user's own customers: overdue ones first (priority
    1), due by the day 2, later or without a deadline 3."""
    items = []
    for ticket in owned_open_tickets(user, limit):
        due = ticket.next_deadline
        due_day = timezone.localdate(due) if due is not None else day
        priority = 1 if due is not None and due_day < day else 2 if due_day <= day else 3
        reason = _("open ticket %(number)s, %(status)s: %(subject)s") % {
            "number": ticket.number, "status": ticket.get_status_display(),
            "subject": ticket.subject,
        }  # fmt: skip
        items.append(TodayItem(
            customer=ticket.customer, kind="ticket", priority=priority, due=due_day,
            reason=reason, ref=f"ticket:{ticket.pk}",
        ))  # fmt: skip
    return items


def register() -> None:
    """Add tickets to the timeline, the 360° page, the owner's day, merges, to a person's
    data export and to an erasure."""
    extensions.timeline_sources.register("tickets", ticket_entries, order=40)
    extensions.page_panels.register("open-tickets", open_tickets_panel, order=20)
    extensions.page_panels.register("new-ticket", new_ticket_button, order=20)
    extensions.today_sources.register("open-tickets", open_tickets_today, order=30)
    extensions.merge_participants.register("tickets", move_customer_tickets, order=40)
    extensions.personal_data_sources.register("tickets", personal_data.personal_data, order=50)
    extensions.erasure_participants.register("tickets", personal_data.erase_customer_data, order=40)
