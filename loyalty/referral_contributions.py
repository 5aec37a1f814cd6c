"""What priority purchase and referrals add to the customer archive (registered in ready())."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.access import can_edit_owned_by
from accounts.models import User
from core.chunks import filter_in
from customers import extensions
from customers.extensions import (
    CreationField,
    HistoryWords,
    ListAction,
    Panel,
    PersonalDataSection,
)
from customers.history import EMPTY
from customers.models import Customer, ProfileChange
from customers.services import visible_customers
from loyalty import priority, referrals
from loyalty.models import LimitedProduct, Referral, ReferralCode, ReferralRewardKind, Reservation
from sales.models import Product


@dataclass(frozen=True)
class ReferralPanel:
    """The referral block of the 360° page: the code, its link and QR, and the tree."""

    code: str
    shown_code: str
    link: str
    qr_svg: str
    referral: Referral | None
    above: list[Customer]
    below: tuple[referrals.TreeNode, ...]
    # The customers in the tree the reader may see (the access rule): the others go unnamed.
    visible: set[int]


def referral_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the customer's referral code, link, QR code and tree (not for an archived one)."""
    if customer.is_archived:
        return None
    code = referrals.code_for(customer).code
    link = referrals.link_for(code)
    above, below = referrals.chain_above(customer), referrals.tree_below(customer)
    ids = [c.pk for c in above] + [node.customer.pk for node in _walk(below)]
    visible = set(filter_in(visible_customers(user, True).only("pk"), "pk", ids))
    data = ReferralPanel(
        code, referrals.shown(code), link, referrals.qr_svg(link), referrals.referral_of(customer),
        above, below, {c.pk for c in visible},
    )  # fmt: skip
    return Panel("side", "loyalty/_referral_panel.html", data)


def _walk(nodes: tuple[referrals.TreeNode, ...]) -> list[referrals.TreeNode]:
    return [found for node in nodes for found in (node, *_walk(node.children))]


@dataclass(frozen=True)
class ReservationPanel:
    """The priority-purchase block: the customer's reservations, and what they may reserve."""

    reservations: list[Reservation]
    open_products: list[LimitedProduct]
    may_reserve: bool


def reservation_panel(customer: Customer, user: User, today: datetime.date) -> Panel | None:
    """Return the customer's reservations and the reserve form (for those who may change
    the customer), or nothing when there is neither."""
    may_reserve = can_edit_owned_by(user, customer.owner_id) and not customer.is_archived
    held = priority.reservations_of(customer)
    reserved = {reservation.limited_id for reservation in held}
    open_products = [
        limited
        for limited in priority.open_for(customer, timezone.now())
        if limited.pk not in reserved
    ] if may_reserve else []  # fmt: skip
    if not held and not open_products:
        return None
    return Panel(
        "side",
        "loyalty/_reservation_panel.html",
        ReservationPanel(held, open_products, may_reserve),
    )


def limited_button(user: User) -> ListAction | None:
    """Return the Limited products button above the customer list (everyone may look)."""
    return ListAction(_("Limited products"), reverse("loyalty:limited"), "limited-products")


def describe_referral_changes(changes: Sequence[ProfileChange]) -> list[HistoryWords]:
    """Put referral history rows into words: who was referred, by whom (as customer numbers:
    the reader may not see the other customer), and the reward issued."""
    words = {
        "referred": _("referred a new customer"),
        "referred_by": _("came by referral from"),
        "rewarded": _("reward issued"),
    }
    return [
        HistoryWords(
            _("Referral"),
            words.get(change.field, change.field),
            EMPTY,
            _referral_value(change),
            before_after=False,
        )
        for change in changes
    ]


def _referral_value(change: ProfileChange) -> str:
    if change.field != "rewarded":
        return f"#{change.new_value}"
    kind, _colon, amount = change.new_value.partition(":")
    if kind == ReferralRewardKind.POINTS:
        return _("%(points)s points") % {"points": number_format(int(Decimal(amount)))}
    return _("%(amount)s credit") % {"amount": number_format(Decimal(amount), 2)}


def describe_reservation_changes(changes: Sequence[ProfileChange]) -> list[HistoryWords]:
    """Put reservation history rows into words: the product reserved (one query)."""
    ids = [int(change.new_value) for change in changes if change.new_value.isdigit()]
    names = {pk: name for pk, name in Product.objects.filter(pk__in=ids).values_list("pk", "name")}
    return [
        HistoryWords(
            _("Priority purchase"),
            _("reserved"),
            EMPTY,
            names.get(int(change.new_value or 0) if change.new_value.isdigit() else 0, "?")
            if change.new_value.isdigit()
            else change.new_value,
            before_after=False,
        )
        for change in changes
    ]


def register() -> None:
    """Take a referral code with a new customer; show referrals and reservations on the
    customer's page; keep both right through merges and erasures."""
    extensions.creation_fields.register(
        "referral-code",
        CreationField(
            referrals.FIELD,
            referrals.LABEL,
            referrals.HELP,
            20,
            referrals.check_code,
            referrals.attribute,
            referrals.ALIASES,
        ),
    )
    extensions.page_panels.register("referrals", referral_panel, order=60)
    extensions.page_panels.register("reservations", reservation_panel, order=61)
    extensions.merge_participants.register("referrals", referrals.merge_referrals, order=60)
    extensions.merge_participants.register("reservations", priority.move_reservations, order=61)
    extensions.erasure_participants.register("referrals", referrals.erase_referrals, order=60)
    extensions.personal_data_sources.register("referrals", personal_data, order=60)
    extensions.list_actions.register("limited-products", limited_button, order=60)
    extensions.history_describers.register("referral", describe_referral_changes)
    extensions.history_describers.register("reservation", describe_reservation_changes)


def personal_data(customer: Customer) -> list[PersonalDataSection]:
    """Return the customer's referral codes, referrals (made and received) and reservations
    for a subject-access export."""
    codes = ReferralCode.objects.filter(customer=customer).order_by("pk")
    made = Referral.objects.filter(Q(referrer=customer) | Q(referred=customer)).order_by("pk")
    held = Reservation.objects.filter(customer=customer).order_by("pk")
    return [
        PersonalDataSection(
            "referral_codes", ("code", "created_at"),
            [{"code": c.code, "created_at": c.created_at} for c in codes],
        ),
        PersonalDataSection(
            "referrals",
            ("referrer_id", "referred_id", "created_at", "status", "reward_kind",
             "reward_amount", "issued_at"),
            [{"referrer_id": r.referrer_id, "referred_id": r.referred_id,
              "created_at": r.created_at, "status": r.status, "reward_kind": r.reward_kind,
              "reward_amount": r.reward_amount, "issued_at": r.issued_at} for r in made],
        ),
        PersonalDataSection(
            "reservations",
            ("limited_id", "quantity", "tier", "reserved_at", "status", "allocated"),
            [{"limited_id": r.limited_id, "quantity": r.quantity, "tier": r.tier,
              "reserved_at": r.reserved_at, "status": r.status, "allocated": r.allocated}
             for r in held],
        ),
    ]  # fmt: skip
