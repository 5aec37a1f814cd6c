"""What loyalty adds to other apps' extension points and events (registered in ready())."""

from django.utils import timezone

from core import events
from core.events import Event
from customers import extensions
from customers.extensions import TimelineEntry
from customers.models import Customer
from loyalty import tiers
from loyalty.models import TierChange


def raise_tier_on_payment(event: Event) -> None:
    """Raise the paying customer's tier at once when the order takes them over a threshold
    (the day the payment was announced)."""
    if event.customer_id is None:
        return
    day = timezone.localtime(event.occurred_at).date()
    tiers.follow_payment(event.customer_id, day, str(event.data.get("number", "")), event.actor)


def tier_entries(customer: Customer, limit: int) -> list[TimelineEntry]:
    """Return the customer's newest tier changes as timeline entries, with their reasons."""
    changes = list(
        TierChange.objects.filter(member__customer=customer).order_by("-created_at", "-id")[:limit]
    )
    if not changes:
        return []
    known = tiers.all_tiers()
    return [
        TimelineEntry(
            change.created_at,
            "tier",
            (change, tiers.reason(change, known)),
            "loyalty/_timeline_tier.html",
        )
        for change in changes
    ]


def register() -> None:
    """Follow payments for upgrades; put tier changes on the customer's timeline."""
    events.subscribe("order.paid", "loyalty.tier_upgrade", raise_tier_on_payment)
    extensions.timeline_sources.register("loyalty-tiers", tier_entries, order=45)
