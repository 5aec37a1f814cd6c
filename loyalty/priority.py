"""Priority purchase (优先购买权): limited products, reservations with early access by tier,
and the one allocation when the reservations close.

A member reserves from the general sale's start less their tier's priority_hours; everyone
else from the general sale's start; nobody after the close. Reservations ask, they do not
take: when the reservations close, `allocate` shares the quantity out once, highest tier
first and then the earliest reservation, so a quick lower tier never beats a slower higher
one and the product can never be oversold, however many reserve at once. Every change locks
the product's row first (on SQLite the IMMEDIATE transaction holds the one write lock), so a
reservation racing the close is either in the allocation or refused.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.access import can_edit_owned_by
from accounts.models import Role, User
from core.actors import actor_for
from core.chunks import distinct_chunks
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import emit
from customers.models import Customer, Erasure
from customers.services import (
    RecordChange,
    get_visible_customer,
    record_changes,
    visible_customers,
)
from engagement.models import Purpose, Status
from engagement.services import SendRequest, send_many
from loyalty.models import (
    LimitedProduct,
    Member,
    MembershipTier,
    Reservation,
    ReservationStatus,
)
from sales.models import Product

# The most units one customer may be given of a limited product.
MAX_PER_CUSTOMER = 100
# The largest quantity a limited product may have.
MAX_QUANTITY = 1_000_000


def may_manage(actor: User) -> bool:
    """Return whether the user sets up limited products (managers and admins)."""
    return actor.is_admin or actor.role == Role.MANAGER


def check_may_manage(actor: User) -> None:
    """Refuse a role other than manager or admin (they set up limited products)."""
    if not may_manage(actor):
        raise Forbidden(_("Only managers and admins set up limited products."))


@transaction.atomic
def create_limited(
    actor: User,
    product: Product,
    quantity: int,
    sale_starts_at: datetime.datetime,
    closes_at: datetime.datetime,
    per_customer: int = 1,
) -> LimitedProduct:
    """Return a new limited product, checked: a positive quantity, a close after the start."""
    check_may_manage(actor)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(_("Enter a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}, "quantity")
    if not 1 <= per_customer <= MAX_PER_CUSTOMER:
        raise Invalid(
            _("Enter a number from 1 to %(max)d.") % {"max": MAX_PER_CUSTOMER}, "per_customer"
        )
    if closes_at <= sale_starts_at:
        raise Invalid(_("Reservations must close after the general sale starts."), "closes_at")
    limited = LimitedProduct.objects.create(
        product=product, quantity=quantity, per_customer=per_customer,
        sale_starts_at=sale_starts_at, closes_at=closes_at, created_by=actor,
    )  # fmt: skip
    emit("limited.created", actor_for(actor), subject_id=limited.pk)
    return limited


def tier_of(customer_id: int) -> MembershipTier | None:
    """Return the customer's membership tier now, or None (not a member, or no tier yet)."""
    code = Member.objects.filter(customer_id=customer_id).values_list("tier", flat=True).first()
    return MembershipTier.objects.filter(code=code).first() if code else None


def opens_at(limited: LimitedProduct, tier: MembershipTier | None) -> datetime.datetime:
    """Return when a customer of the tier (None: no tier) may first reserve the product."""
    hours = tier.priority_hours if tier is not None else 0
    return limited.sale_starts_at - datetime.timedelta(hours=hours)


def open_for(customer: Customer, now: datetime.datetime) -> list[LimitedProduct]:
    """Return the limited products the customer may reserve now, the soonest to close first."""
    tier = tier_of(customer.pk)
    hours = tier.priority_hours if tier is not None else 0
    candidates = LimitedProduct.objects.filter(
        allocated_at__isnull=True,
        closes_at__gt=now,
        sale_starts_at__lte=now + datetime.timedelta(hours=hours),
    )
    return list(candidates.select_related("product").order_by("closes_at", "pk"))


def reserve(
    actor: User,
    limited_id: int,
    customer_id: int,
    quantity: int = 1,
    now: datetime.datetime | None = None,
) -> Reservation:
    """Return the customer's new reservation of the limited product, refused when the actor
    may not change the customer, the customer's window is not open (or has closed), the
    quantity is out of bounds, or the customer has one already.

    Locks the product's row first: the allocation and other reservations of the same
    product wait, so the one allocation sees every reservation that was accepted.
    """
    customer = get_visible_customer(actor, customer_id)
    if not can_edit_owned_by(actor, customer.owner_id):
        raise Forbidden(_("You may reserve only for customers you look after."), "customer_id")
    with transaction.atomic():
        limited = _locked(limited_id)
        return _reserve(actor, limited, customer, quantity, now or timezone.now())


def _locked(limited_id: int) -> LimitedProduct:
    limited = LimitedProduct.objects.select_for_update().filter(pk=limited_id).first()
    if limited is None:
        raise NotFound(_("No such limited product."), "limited_id")
    return limited


def _reserve(
    actor: User, limited: LimitedProduct, customer: Customer, quantity: int, now: datetime.datetime
) -> Reservation:
    if customer.is_archived or Erasure.objects.filter(customer=customer).exists():
        raise Invalid(_("This customer is archived; restore it first."), "customer_id")
    if not 1 <= quantity <= limited.per_customer:
        raise Invalid(_("Reserve from 1 to %(max)d.") % {"max": limited.per_customer}, "quantity")
    tier = tier_of(customer.pk)
    if limited.allocated_at is not None or now >= limited.closes_at:
        raise Conflict(_("Reservations for this product have closed."), "limited_id")
    start = opens_at(limited, tier)
    if now < start:
        when = timezone.localtime(start).strftime("%Y-%m-%d %H:%M")
        raise Conflict(_("This customer may reserve from %(when)s.") % {"when": when}, "limited_id")
    if Reservation.objects.filter(limited=limited, customer=customer).exists():
        raise Conflict(_("This customer has already reserved this product."), "customer_id")
    reservation = Reservation.objects.create(
        limited=limited, customer=customer, quantity=quantity, reserved_at=now,
        reserved_by=actor, tier=tier.code if tier else "", tier_rank=tier.rank if tier else 0,
    )  # fmt: skip
    LimitedProduct.objects.filter(pk=limited.pk).update(requested=F("requested") + quantity)
    record_changes(actor, [RecordChange(
        customer.pk, "reservation", reservation.pk, "created", new=str(limited.product_id)
    )])  # fmt: skip
    data = {"limited_id": limited.pk, "quantity": quantity}
    emit("reservation.created", actor_for(actor), customer_id=customer.pk,
         subject_id=reservation.pk, data=data)  # fmt: skip
    return reservation


@dataclass(frozen=True)
class Allocation:
    """What one allocation gave: units given, reservations fully, partly and not served."""

    given: int
    full: int
    partly: int
    none: int


def allocate(limited_id: int, now: datetime.datetime | None = None) -> Allocation | None:
    """Share the product out among its reservations once, after they close; return what was
    given, or None when it is not yet closed or was allocated already.

    Highest tier rank first, then the earliest reservation; the last served may get part of
    what they asked for. Run again (two workers) it does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        limited = _locked(limited_id)
        if limited.allocated_at is not None or now < limited.closes_at:
            return None
        # Reservations lock the product's row too, so none is added while this runs.
        queue = limited.reservations.order_by("-tier_rank", "reserved_at", "pk")
        left, full, partly = limited.quantity, [], None
        for pk, quantity in queue.values_list("pk", "quantity").iterator(chunk_size=5000):
            if left >= quantity:
                full.append(pk)
                left -= quantity
            elif left:
                partly = (pk, left)
                left = 0
            if not left:
                break
        allocated = ReservationStatus.ALLOCATED
        for chunk in distinct_chunks(full):
            Reservation.objects.filter(pk__in=chunk).update(
                status=allocated, allocated=F("quantity")
            )
        if partly is not None:
            Reservation.objects.filter(pk=partly[0]).update(
                status=ReservationStatus.PARTLY, allocated=partly[1]
            )
        none = limited.reservations.filter(status=ReservationStatus.WAITING).update(
            status=ReservationStatus.NOT_ALLOCATED, allocated=0
        )
        LimitedProduct.objects.filter(pk=limited.pk).update(allocated_at=now)
        given = limited.quantity - left
        emit("limited.allocated", actor_for(None), subject_id=limited.pk, data={"given": given})
    return Allocation(given, len(full), int(partly is not None), none)


def allocate_closed(now: datetime.datetime | None = None) -> int:
    """Allocate every limited product whose reservations have closed; return how many."""
    now = now or timezone.now()
    due = LimitedProduct.objects.filter(allocated_at__isnull=True, closes_at__lte=now)
    return sum(allocate(pk, now) is not None for pk in due.values_list("pk", flat=True))


@dataclass(frozen=True)
class Announcement:
    """The notices of one announcement: how many were queued and skipped (by reason)."""

    queued: int
    skipped: Counter[str]


def announce(actor: User, limited_id: int, now: datetime.datetime | None = None) -> Announcement:
    """Tell the members with early access to the product through the one send path; return
    how many notices were queued and skipped.

    The notice is marketing (it sells): consent, quiet hours and the contact cap apply there.
    It goes to the members the actor may contact (the one access rule): a manager tells the
    team's, an admin everyone's.
    SMS to a mobile, else email. Announcing again sends nothing new (the send path's key:
    customer, purpose, the general sale's day, channel).
    """
    check_may_manage(actor)
    limited = LimitedProduct.objects.select_related("product").filter(pk=limited_id).first()
    if limited is None:
        raise NotFound(_("No such limited product."), "limited_id")
    if limited.allocated_at is not None:
        raise Conflict(_("Reservations for this product have closed."), "limited_id")
    requests = [_notice(limited, customer) for customer in _eligible(actor)]
    messages = send_many(actor, requests, now=now)
    LimitedProduct.objects.filter(pk=limited.pk).update(announced_at=now or timezone.now())
    skipped = Counter(m.skip_reason for m in messages if m.status == Status.SKIPPED)
    return Announcement(sum(m.status == Status.QUEUED for m in messages), skipped)


def _eligible(actor: User) -> list[Customer]:
    """Return the active members the actor may contact (a manager: the team's, an admin:
    everyone's) whose tier gives early access and who have a mobile or email."""
    tiers = MembershipTier.objects.filter(priority_hours__gt=0).values_list("code", flat=True)
    members = Member.objects.filter(
        tier__in=list(tiers), customer__in=visible_customers(actor).values("pk")
    ).exclude(customer__mobile="", customer__email="")
    return [member.customer for member in members.select_related("customer").order_by("pk")]


def _notice(limited: LimitedProduct, customer: Customer) -> SendRequest:
    channel = "sms" if customer.mobile else "email"
    with override(customer.language):
        start = timezone.localtime(limited.sale_starts_at).strftime("%Y-%m-%d %H:%M")
        text = _(
            "Dear {name}, as a member you may reserve %(product)s before everyone else; "
            "the general sale starts %(start)s. Ask your adviser to reserve."
        ) % {"product": limited.product.name, "start": start}
    return SendRequest(
        customer, channel, Purpose.MARKETING, text=text,
        occasion_date=timezone.localdate(limited.sale_starts_at),
    )  # fmt: skip


def reservations_of(customer: Customer) -> list[Reservation]:
    """Return the customer's reservations, newest first, with their products."""
    found = Reservation.objects.filter(customer=customer).select_related("limited__product")
    return list(found.order_by("-reserved_at", "-pk")[:20])


def move_reservations(source: Customer, target: Customer) -> int:
    """Give the survivor of a merge the duplicate's reservations it does not hold already
    (one per product); return how many moved. The duplicate keeps the others, as history."""
    held = Reservation.objects.filter(customer=target).values_list("limited_id", flat=True)
    moving = Reservation.objects.filter(customer=source).exclude(limited_id__in=list(held))
    return moving.update(customer=target)


def limited_list() -> list[LimitedProduct]:
    """Return the limited products, the newest sale first, with their products."""
    return list(LimitedProduct.objects.select_related("product")[:100])
