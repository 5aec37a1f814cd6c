"""What interactions holds about one person: the contacts logged, the follow-ups planned."""

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from core.redact import ERASED
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from interactions.models import FollowUp, Interaction

INTERACTION_COLUMNS = ("id", "occurred_at", "kind", "direction", "user__username", "summary",
                       "outcome", "next_contact_on")  # fmt: skip
FOLLOW_UP_COLUMNS = ("id", "due_on", "assignee__username", "note", "created_at", "done_at")


def personal_data(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return every interaction with the customer and every follow-up about them."""
    interactions = Interaction.objects.filter(customer=customer).order_by("occurred_at", "id")
    follow_ups = FollowUp.objects.filter(customer=customer).order_by("due_on", "id")
    return [
        PersonalDataSection(
            "interactions", INTERACTION_COLUMNS, list(interactions.values(*INTERACTION_COLUMNS))
        ),
        PersonalDataSection(
            "follow_ups", FOLLOW_UP_COLUMNS, list(follow_ups.values(*FOLLOW_UP_COLUMNS))
        ),
    ]


@transaction.atomic
def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Blank what was said and noted; delete the follow-ups still open.

    Who contacted the customer, when and how stays (contact statistics); a planned call to
    a person who asked to be forgotten is dropped.
    """
    Interaction.objects.filter(customer=customer).update(summary=ERASED, outcome="")
    FollowUp.objects.filter(customer=customer, done_at__isnull=True).delete()
    FollowUp.objects.filter(customer=customer).update(note="")
    return []
