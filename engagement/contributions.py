"""What engagement adds to the customer archive's extension points (registered in ready())."""

from customers import extensions
from customers.extensions import TimelineEntry
from customers.models import Customer
from engagement.services import recent_messages


def message_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest messages as timeline entries."""
    return [
        TimelineEntry(m.created_at, "message", m, "engagement/_timeline_message.html")
        for m in recent_messages(customer, limit)
    ]


def register() -> None:
    """Put messages on the customer's timeline."""
    extensions.timeline_sources.register("engagement", message_entries, order=30)
