"""Logging contacts with customers and keeping the follow-ups they promise."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import visible_owner_q
from accounts.models import User
from customers.models import Customer
from interactions.models import FollowUp, Interaction


def check_not_past(day: datetime.date | None) -> None:
    """Refuse a contact day the user picked before today (in the user's time zone).

    Only what a user types is checked (the log form, the API). The services below accept
    past days on purpose: the demo loader and test fixtures plan overdue follow-ups.
    """
    if day is not None and day < timezone.localdate():
        raise ValidationError(_("The date cannot be in the past."), code="past")


def visible_interactions(user: User) -> QuerySet[Interaction]:
    """Return the interactions with customers the user may see."""
    return Interaction.objects.filter(visible_owner_q(user, "customer__owner"))


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Return the follow-ups on customers the user may see."""
    return FollowUp.objects.filter(visible_owner_q(user, "customer__owner"))


@transaction.atomic
def log_interaction(actor: User, customer: Customer, fields: Mapping[str, Any]) -> Interaction:
    """Validate and record a contact; a next-contact date becomes a follow-up for the owner.

    The follow-up goes to the customer's owner, who keeps the relationship, whoever
    logged the contact (a service agent or a manager covering for the rep).
    """
    interaction = Interaction(customer=customer, user=actor, **fields)
    interaction.full_clean()
    interaction.save()
    if interaction.next_contact_on is not None:
        FollowUp.objects.create(
            customer=customer, assignee_id=customer.owner_id, due_on=interaction.next_contact_on,
            note=interaction.summary[:300], source=interaction,
        )  # fmt: skip
    return interaction


def complete_follow_up(follow_up: FollowUp) -> FollowUp:
    """Mark a follow-up done (again is a no-op, so a retried click is safe)."""
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
    return follow_up


def create_follow_up(
    assignee: User, customer: Customer, due_on: datetime.date, note: str
) -> FollowUp:
    """Plan a contact with a customer."""
    follow_up = FollowUp(customer=customer, assignee=assignee, due_on=due_on, note=note)
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def follow_ups_due(user: User, today: datetime.date) -> QuerySet[FollowUp]:
    """Return the user's open follow-ups due today or earlier, oldest first."""
    return (
        visible_follow_ups(user)
        .filter(assignee=user, done_at__isnull=True, due_on__lte=today)
        .select_related("customer")
        .order_by("due_on", "id")
    )


def upcoming_follow_ups(user: User, today: datetime.date) -> QuerySet[FollowUp]:
    """Return the user's open follow-ups due after today."""
    return (
        visible_follow_ups(user)
        .filter(assignee=user, done_at__isnull=True, due_on__gt=today)
        .select_related("customer")
        .order_by("due_on", "id")
    )


@transaction.atomic
def move_customer_records(source: Customer, target: Customer) -> None:
    """Move interactions and follow-ups from one customer to another (a merge)."""
    Interaction.objects.filter(customer=source).update(customer=target)
    FollowUp.objects.filter(customer=source).update(customer=target)


def recent_interactions(customer: Customer, limit: int) -> list[Interaction]:
    """Return the customer's newest interactions with who logged them."""
    return list(
        customer.interactions.select_related("user").order_by("-occurred_at", "-id")[:limit]
    )


def open_follow_ups(customer: Customer) -> list[FollowUp]:
    """Return the customer's follow-ups not yet done, soonest first."""
    return list(customer.follow_ups.filter(done_at__isnull=True).select_related("assignee"))
