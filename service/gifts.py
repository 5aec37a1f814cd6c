"""Goodwill gifts (a coupon, a small gift) on a ticket, with their cost.

A gift up to GIFT_APPROVAL_LIMIT is approved as it is asked for; above it a manager approves
or refuses it. A manager or an admin asking approves their own (they would decide it anyway).
Each request and decision is a step on the ticket's history with its actor and time, and an
event (gift.requested, gift.approved, gift.refused).
"""

import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.actors import actor_for
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import emit
from core.templatetags.core import money
from service.models import Gift, GiftStatus, Step, Ticket
from service.visibility import can_manage_service, visible_tickets

DESCRIPTION_MAX = 200


class GiftEvent(StrEnum):
    # subject: the gift; data: {"ticket_id", "cost"}
    REQUESTED = "gift.requested"
    APPROVED = "gift.approved"
    REFUSED = "gift.refused"


COST_MAX = Decimal("99999999.99")


def check_gift(description: str, cost: Decimal | str) -> tuple[str, Decimal]:
    """Return the description trimmed and the cost as money; refuse either, naming it."""
    description = description.replace("\x00", "").strip()
    if not description:
        raise Invalid(_("Describe the gift."), "description")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(
            _("Keep the description to %(max)d characters.") % {"max": DESCRIPTION_MAX},
            "description",
        )
    try:
        amount = Decimal(str(cost).strip())
    except InvalidOperation:
        raise Invalid(_("Enter the cost as an amount, e.g. 50.00."), "cost") from None
    if not amount.is_finite() or amount <= 0 or amount > COST_MAX:
        raise Invalid(_("Enter a cost above zero."), "cost")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(_("Enter the cost to the cent at most."), "cost")
    return description, amount.quantize(Decimal("0.01"))


def needs_approval(actor: User, cost: Decimal) -> bool:
    """Return whether a gift of this cost asked for by the actor waits for a manager."""
    return cost > settings.GIFT_APPROVAL_LIMIT and not can_manage_service(actor)


@transaction.atomic
def request_gift(
    actor: User,
    ticket: Ticket,
    description: str,
    cost: Decimal | str,
    now: datetime.datetime | None = None,
) -> Gift:
    """Record a goodwill gift on a ticket the actor may see; return it, approved when within
    the limit (or asked by a manager), else awaiting a manager's approval."""
    if not visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise NotFound(_("No such ticket."), "ticket_id")
    description, amount = check_gift(description, cost)
    now = now or timezone.now()
    waits = needs_approval(actor, amount)
    gift = Gift.objects.create(
        ticket=ticket, description=description, cost=amount, requested_by=actor,
        requested_at=now,
        status=GiftStatus.REQUESTED if waits else GiftStatus.APPROVED,
        decided_by=None if waits else actor, decided_at=None if waits else now,
    )  # fmt: skip
    _step(ticket, "gift_requested", actor, now, f"{description} · {money(amount)}")
    _announce(GiftEvent.REQUESTED, actor, gift)
    if not waits:
        _step(ticket, "gift_approved", actor, now, description)
        _announce(GiftEvent.APPROVED, actor, gift)
    return gift


@transaction.atomic
def decide_gift(
    actor: User, gift_id: int, approve: bool, now: datetime.datetime | None = None
) -> Gift:
    """Approve or refuse a gift awaiting approval; return it. The same decision again is
    answered with the gift as it stands; the opposite one is refused."""
    if not can_manage_service(actor):
        raise Forbidden(_("Only a manager approves goodwill gifts."))
    gift = Gift.objects.select_for_update().select_related("ticket").filter(pk=gift_id).first()
    if gift is None:
        raise NotFound(_("No such gift."), "gift_id")
    wanted = GiftStatus.APPROVED if approve else GiftStatus.REFUSED
    if gift.status == wanted:
        return gift
    if gift.status != GiftStatus.REQUESTED:
        raise Conflict(
            _("This gift was already %(status)s.") % {"status": gift.get_status_display()},
            "decision",
        )
    now = now or timezone.now()
    gift.status, gift.decided_by, gift.decided_at = wanted, actor, now
    gift.save(update_fields=["status", "decided_by", "decided_at"])
    action = "gift_approved" if approve else "gift_refused"
    _step(gift.ticket, action, actor, now, gift.description)
    _announce(GiftEvent.APPROVED if approve else GiftEvent.REFUSED, actor, gift)
    return gift


def awaiting_approval() -> QuerySet[Gift]:
    """Return the gifts waiting for a manager, the oldest first."""
    return (
        Gift.objects.filter(status=GiftStatus.REQUESTED)
        .select_related("ticket__customer", "requested_by")
        .order_by("requested_at", "pk")
    )


def recently_decided(limit: int = 50) -> QuerySet[Gift]:
    """Return the latest decided gifts, the newest first."""
    return (
        Gift.objects.exclude(status=GiftStatus.REQUESTED)
        .select_related("ticket__customer", "requested_by", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def _step(ticket: Ticket, action: str, actor: User, at: datetime.datetime, note: str) -> None:
    Step.objects.create(
        ticket=ticket, action=action, status=ticket.status, at=at, actor=actor, note=note
    )


def _announce(kind: GiftEvent, actor: User, gift: Gift) -> None:
    emit(kind, actor_for(actor), customer_id=gift.ticket.customer_id, subject_id=gift.pk,
         data={"ticket_id": gift.ticket_id, "cost": str(gift.cost)})  # fmt: skip
