"""Logging contacts with customers and keeping the follow-ups they promise."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import assignable_owners, can_log_interaction, visible_owner_q
from accounts.models import User
from core.bulk import insert_columns
from core.chunks import chunked
from core.errors import DomainError, Forbidden, Invalid
from customers.models import Customer
from interactions import events
from interactions.models import Direction, FollowUp, Interaction
from interactions.validators import validate_contact_day


@dataclass(frozen=True)
class NewFollowUp:
    """One follow-up for create_follow_ups: a contact a planner asks the assignee to make."""

    customer_id: int
    assignee_id: int
    due_on: datetime.date
    note: str
    origin: str


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


def check_may_contact(actor: User, customer: Customer) -> None:
    """Refuse a contact the actor may not log or plan with the customer.

    A read-only role (a manager of another team sees nothing; an agent may log) gets 403;
    an archived customer takes no contact, on every path (422 on customer_id).
    """
    if not can_log_interaction(actor, customer.owner_id):
        raise Forbidden(_("You may view this customer but not log contacts."))
    if customer.is_archived:
        raise Invalid(_("The customer is archived; restore it first."), "customer_id")


def may_contact(actor: User, customer: Customer) -> bool:
    """Return whether check_may_contact lets the actor log a contact (to offer the button)."""
    try:
        check_may_contact(actor, customer)
    except DomainError:
        return False
    return True


@transaction.atomic
def log_interaction(actor: User, customer: Customer, fields: Mapping[str, Any]) -> Interaction:
    """Validate and record a contact; a next-contact date becomes a follow-up for the owner
    (planned_follow_up)."""
    check_may_contact(actor, customer)
    interaction = Interaction(customer=customer, user=actor, **fields)
    interaction.full_clean()
    interaction.save()
    events.interactions_logged([interaction])
    planned = planned_follow_up(interaction)
    if planned is not None:
        planned.save()
        events.follow_ups_created([planned])
    return interaction


def planned_follow_up(interaction: Interaction) -> FollowUp | None:
    """Return the follow-up a contact's next-contact date plans (unsaved), or None.

    It goes to the customer's owner, who keeps the relationship, whoever logged the contact
    (a service agent or a manager covering for the rep), dated when the contact was made.
    """
    if interaction.next_contact_on is None:
        return None
    customer = interaction.customer
    return FollowUp(
        customer=customer, assignee_id=customer.owner_id, due_on=interaction.next_contact_on,
        note=interaction.summary[:300], source=interaction, created_at=interaction.occurred_at,
    )  # fmt: skip


@transaction.atomic
def complete_follow_up(actor: User, follow_up: FollowUp) -> FollowUp:
    """Mark the actor's follow-up done (again is a no-op, so a retried click is safe).

    Only the assignee completes it: the one who made the contact says it was made.
    """
    if follow_up.assignee_id != actor.pk:
        raise Forbidden(_("Only the assignee may complete a follow-up."))
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
        events.follow_ups_completed([follow_up])
    return follow_up


@transaction.atomic
def create_follow_up(
    assignee: User,
    customer: Customer,
    due_on: datetime.date,
    note: str,
    actor: User | None = None,
) -> FollowUp:
    """Plan a contact with a customer (`actor`: who planned it, when not the system)."""
    follow_up = FollowUp(customer=customer, assignee=assignee, due_on=due_on, note=note)
    follow_up.full_clean()
    follow_up.save()
    events.follow_ups_created([follow_up], actor)
    return follow_up


@transaction.atomic
def plan_follow_up(
    actor: User, customer: Customer, due_on: datetime.date, note: str, assignee_id: int | None
) -> FollowUp:
    """Plan a contact a person asked for: one they may make, on a day not past, for someone
    who may work on the customer (the owner when none is named)."""
    check_may_contact(actor, customer)
    try:
        check_not_past(due_on)
    except ValidationError as error:
        raise Invalid(error.messages[0], "due_on") from None
    assignee = choose_assignee(actor, customer, assignee_id)
    return create_follow_up(assignee, customer, due_on, note, actor)


def choose_assignee(actor: User, customer: Customer, assignee_id: int | None) -> User:
    """Return the assignee: the owner by default, else the actor or someone they manage.

    Only someone who may work on the customer: a follow-up for anyone else would sit in
    a list they cannot see.
    """
    if assignee_id is None or assignee_id == customer.owner_id:
        return customer.owner
    for candidate in [actor, *assignable_owners(actor)]:
        if candidate.pk == assignee_id and can_log_interaction(candidate, customer.owner_id):
            return candidate
    raise Invalid(_("You may not assign follow-ups to this user."), "assignee_id")


def follow_ups_due(user: User, today: datetime.date) -> QuerySet[FollowUp]:
    """Return the user's open follow-ups due today or earlier, oldest first."""
    return (
        visible_follow_ups(user)
        .filter(assignee=user, done_at__isnull=True, due_on__lte=today)
        .select_related("customer")
        .order_by("due_on", "id")
    )


def my_follow_ups(
    user: User, today: datetime.date, due: bool, include_done: bool
) -> QuerySet[FollowUp]:
    """Return the user's own follow-ups, soonest first: only those due, open ones, or all."""
    if due:
        return follow_ups_due(user, today)
    follow_ups = visible_follow_ups(user).filter(assignee=user)
    if not include_done:
        follow_ups = follow_ups.filter(done_at__isnull=True)
    return follow_ups.select_related("customer").order_by("due_on", "id")


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
    """Move interactions and follow-ups from one customer to another (a merge).

    An open follow-up a planner made (its origin) that the target has open too is dropped,
    not moved: the target keeps one, as every planner does.
    """
    Interaction.objects.filter(customer=source).update(customer=target)
    open_origins = FollowUp.objects.filter(customer=target, done_at__isnull=True).exclude(origin="")
    FollowUp.objects.filter(
        customer=source, done_at__isnull=True, origin__in=open_origins.values("origin")
    ).delete()
    FollowUp.objects.filter(customer=source).update(customer=target)


def recent_interactions(customer: Customer, limit: int) -> list[Interaction]:
    """Return the customer's newest interactions with who logged them."""
    return list(
        customer.interactions.select_related("user").order_by("-occurred_at", "-id")[:limit]
    )


def open_follow_ups(customer: Customer) -> list[FollowUp]:
    """Return the customer's follow-ups not yet done, soonest first."""
    return list(customer.follow_ups.filter(done_at__isnull=True).select_related("assignee"))


@transaction.atomic
def bulk_log_interactions(interactions: Sequence[Interaction]) -> list[FollowUp]:
    """Record many contacts, each logged by its own user; return the follow-ups they plan.

    The same rules as log_interaction, for contacts made earlier (a demo or a migration):
    each contact passes check_may_contact and the model's checks, and a next-contact date
    becomes a follow-up for the customer's owner, created when the contact was made.
    """
    for interaction in interactions:
        check_may_contact(interaction.user, interaction.customer)
        interaction.full_clean()
    Interaction.objects.bulk_create(interactions)
    events.interactions_logged(interactions)
    planned = [f for contact in interactions if (f := planned_follow_up(contact)) is not None]
    follow_ups = FollowUp.objects.bulk_create(planned)
    events.follow_ups_created(follow_ups)
    return follow_ups


@transaction.atomic
def bulk_complete_follow_ups(completions: Sequence[tuple[FollowUp, datetime.datetime]]) -> int:
    """Mark follow-ups done at the moments given (their assignees made the contacts earlier);
    return how many changed. One already done keeps its time, as complete_follow_up does."""
    changed = []
    for follow_up, at in completions:
        if follow_up.done_at is None:
            follow_up.done_at = at
            changed.append(follow_up)
    count = FollowUp.objects.bulk_update(changed, ["done_at"])
    events.follow_ups_completed(changed)
    return count


@transaction.atomic
def create_follow_ups(actor: User | None, plans: Sequence[NewFollowUp]) -> list[int]:
    """Plan many contacts at once (a cadence's morning plan; by the system when `actor` is
    None); return their ids in order.

    What create_follow_up writes for each, in bulk: one raw insert (core.bulk), their
    history rows and their follow_up.created events column by column. Each plan carries an
    origin, at most one open per customer (the database refuses a second). The caller
    checked the customers and assignees; a note or origin too long for its column, or a day
    out of the plausible range, is refused before anything is written.
    """
    for plan in plans:
        _check_plan(plan)
    for day in {plan.due_on for plan in plans}:
        try:
            validate_contact_day(day)
        except ValidationError as error:
            raise Invalid(error.messages[0], "due_on") from None
    if not plans:
        return []
    last_id = _last_follow_up_id()
    # As the drivers take them (no conversion per value): ISO days, and the moment as
    # SQLite stores it.
    now = timezone.now()
    columns = [
        [p.customer_id for p in plans], [p.assignee_id for p in plans],
        [p.due_on.isoformat() for p in plans], [p.note for p in plans],
        [p.origin for p in plans],
        [now.isoformat() if connection.vendor == "sqlite" else now] * len(plans),
    ]  # fmt: skip
    insert_columns(FollowUp, FOLLOW_UP_COLUMNS, columns, convert=False)
    new = _open_follow_ups_after(last_id)
    ids = [new[p.customer_id, p.origin] for p in plans]
    events.follow_ups_planned(actor, plans, ids)
    return ids


FOLLOW_UP_COLUMNS = ("customer_id", "assignee_id", "due_on", "note", "origin", "created_at")


def _last_follow_up_id() -> int:
    """Return the largest follow-up id so far (0 before the first)."""
    return int(FollowUp.objects.aggregate(last=Max("pk"))["last"] or 0)


def _open_follow_ups_after(last_id: int) -> dict[tuple[int, str], int]:
    """Return (customer, origin) -> id of the open follow-ups with ids above last_id.

    Ids only grow, so the ones just inserted are the table's tail by key; one (customer,
    origin) is open at most once (the table's constraint), so it names one row even if
    another transaction inserted meanwhile (PostgreSQL).
    """
    rows = FollowUp.objects.filter(pk__gt=last_id, done_at__isnull=True).values_list(
        "customer_id", "origin", "pk"
    )
    return {(customer, origin): pk for customer, origin, pk in rows.iterator(5000)}


def _check_plan(plan: NewFollowUp) -> None:
    if not plan.origin:
        raise Invalid(_("A planned follow-up needs its origin."), "origin")
    if len(plan.note) > FollowUp._meta.get_field("note").max_length:  # type: ignore[operator]
        raise Invalid(_("The note is too long."), "note")
    if len(plan.origin) > FollowUp._meta.get_field("origin").max_length:  # type: ignore[operator]
        raise Invalid(_("The origin is too long."), "origin")


def open_follow_ups_from(customer_ids: Sequence[int], prefix: str) -> list[FollowUp]:
    """Return the customers' open follow-ups whose origin starts with `prefix`."""
    found: list[FollowUp] = []
    for chunk in chunked(sorted(set(customer_ids))):
        found += FollowUp.objects.filter(
            customer_id__in=chunk, done_at__isnull=True, origin__startswith=prefix
        ).order_by("pk")
    return found


@transaction.atomic
def redate_follow_ups(actor: User | None, moves: Sequence[tuple[FollowUp, datetime.date]]) -> int:
    """Move open follow-ups to new due days (a planner re-planning after a contact), each
    change a history row; return how many moved. A day equal to the current one, or a
    follow-up done meanwhile, is left alone, so a repeat changes nothing."""
    changed: list[tuple[FollowUp, datetime.date]] = []
    for follow_up, day in moves:
        if follow_up.done_at is None and follow_up.due_on != day:
            changed.append((follow_up, follow_up.due_on))
            follow_up.due_on = day
    FollowUp.objects.bulk_update([f for f, _old in changed], ["due_on"], batch_size=1000)
    events.follow_ups_redated([(f, old) for f, old in changed], actor)
    return len(changed)


def inbound_interactions() -> QuerySet[Interaction]:
    """Return every contact the customer started (a reply, a call in), for analyses."""
    return Interaction.objects.filter(direction=Direction.INBOUND)
