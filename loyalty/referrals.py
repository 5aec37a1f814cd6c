"""Referrals (转介绍): a code, link and QR code per customer; the attribution, once, when the
new customer is created (customers.extensions.creation_fields); the referrer's reward once the
referred customer's first paid order has stood through the refund window; and the figures.

Refused at the attribution: an unknown code, the code of an erased customer, and a new
customer sharing a mobile, email or address with the referrer or anyone who referred them
(self-referral under another name, and rings). Rewards are capped per referrer and month.
"""

import datetime
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.actors import actor_for
from core.chunks import distinct_chunks
from core.errors import Invalid
from core.events import NewEvent, emit, emit_many
from customers.extensions import PersonalValues
from customers.models import Customer, Erasure
from customers.services import RecordChange, record_changes
from insights.models import CustomerScore
from insights.services import latest_run
from loyalty import points
from loyalty.members import member_for
from loyalty.models import Referral, ReferralCode, ReferralRewardKind, ReferralStatus
from sales.models import Order, OrderStatus

# No 0/O, 1/I/L: read aloud or typed from a card without mistakes. 31^8 ≈ 8.5e11 codes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
FIELD = "referral_code"
# How far up a referral chain the loop and self-referral checks look.
MAX_CHAIN = 50
# The figures' share of referred customers among new ones is told in this many places.
SHARE_PLACES = Decimal("0.0001")

LABEL = gettext_lazy("Referral code")
# Import column headers that mean the referral code (besides its label in either language).
ALIASES = ("referralcode", "referral", "推荐码", "推荐人编码", "邀请码", "推荐编码")
HELP = gettext_lazy("The code of the customer who referred this one, if any.")


def new_code() -> str:
    """Return a fresh random code (unguessable: from the system's secure random source)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str:
    """Return a code as stored: capitals, without spaces or dashes (as printed, 'ABCD-EFGH')."""
    return "".join(text.split()).replace("-", "").upper()


def shown(code: str) -> str:
    """Return a code as printed: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def code_for(customer: Customer) -> ReferralCode:
    """Return the customer's referral code (their first), making one on first use."""
    existing = ReferralCode.objects.filter(customer=customer).order_by("created_at", "pk").first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(customer=customer, code=new_code())
        except IntegrityError:
            continue  # a code already taken: draw again
    raise RuntimeError("no free referral code after 5 draws")


def link_for(code: str) -> str:
    """Return the public address a referral code's QR code points at."""
    return settings.PUBLIC_URL + reverse("loyalty:referral_landing", args=[code])


def qr_svg(link: str) -> str:
    """Return the QR code of the link as inline SVG."""
    return str(segno.make(link, error="m").svg_inline(scale=4, dark="#212529"))


def qr_png(link: str) -> bytes:
    """Return the QR code of the link as a PNG (for printing on a card)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def referrer_of(customer_id: int) -> int | None:
    """Return who referred the customer (their id), or None."""
    return (
        Referral.objects.filter(referred_id=customer_id)
        .exclude(status=ReferralStatus.VOID)
        .values_list("referrer_id", flat=True)
        .first()
    )


def chain_up(customer_id: int) -> list[int]:
    """Return the customer and those who referred them, in order, stopping at a repeat."""
    chain = [customer_id]
    while len(chain) < MAX_CHAIN:
        above = referrer_of(chain[-1])
        if above is None or above in chain:
            break
        chain.append(above)
    return chain


def _address(text: str) -> str:
    return "".join(text.split()).lower()


def _shares_contact(customer: Customer, others: Iterable[Customer]) -> bool:
    """Return whether the customer shares a non-blank mobile, email or address with any."""
    mine = {
        ("mobile", customer.mobile), ("email", customer.email.lower()),
        ("address", _address(customer.address)),
    }  # fmt: skip
    for other in others:
        theirs = {
            ("mobile", other.mobile), ("email", other.email.lower()),
            ("address", _address(other.address)),
        }  # fmt: skip
        if any(value for _name, value in mine & theirs):
            return True
    return False


def check_code(customer: Customer, raw_code: str) -> ReferralCode:
    """Return the code the new customer (saved or not) may be attributed by; refuse an
    unknown code, an erased customer's, and a customer sharing a mobile, email or address
    with the referrer or anyone up the referrer's chain (on the referral code field)."""
    found = ReferralCode.objects.select_related("customer").filter(code=normalize(raw_code))
    code = found.first()
    if code is None:
        raise Invalid(_("Unknown referral code."), FIELD)
    if Erasure.objects.filter(customer_id=code.customer_id).exists():
        raise Invalid(
            _("This referral code belonged to a customer whose data was erased; it no longer "
              "counts."), FIELD,
        )  # fmt: skip
    chain = chain_up(code.customer_id)
    if customer.pk in chain:
        raise Invalid(_("A customer cannot refer themselves."), FIELD)
    if _shares_contact(customer, Customer.objects.filter(pk__in=chain)):
        raise Invalid(
            _("Refused: the new customer has the same mobile, email or address as the "
              "referrer or someone who referred them."), FIELD,
        )  # fmt: skip
    return code


def attribute(actor: User | None, customer: Customer, raw_code: str) -> Referral:
    """Record that the new customer came by the code's owner; refuse as check_code does
    (the creation then rolls back whole).

    Called once, in the new customer's creation (the registered creation field); a customer
    is referred at most once (the referral's referred is unique).
    """
    found = check_code(customer, raw_code)
    referrer, code = found.customer, found.code
    referral = Referral.objects.create(
        referrer=referrer, referred=customer, code=code, created_by=actor
    )
    record_changes(actor, [
        RecordChange(referrer.pk, "referral", referral.pk, "referred", new=str(customer.pk)),
        RecordChange(customer.pk, "referral", referral.pk, "referred_by", new=str(referrer.pk)),
    ])  # fmt: skip
    emit("referral.created", actor_for(actor), customer_id=referrer.pk, subject_id=referral.pk,
         data={"referred_id": customer.pk})  # fmt: skip
    return referral


@dataclass(frozen=True)
class RewardRun:
    """What one reward run did: rewards issued, referrals over the monthly cap."""

    rewarded: int
    capped: int


# Pending referrals decided per transaction by the reward run.
REWARD_CHUNK = 1000


def issue_due_rewards(now: datetime.datetime | None = None) -> RewardRun:
    """Reward the referrers whose referred customer's first paid order has passed the refund
    window; return how many were rewarded and how many fell over the monthly cap.

    A refunded order is no longer paid, so it never qualifies; the next paid one may. The
    pending referrals are taken oldest first, a chunk per transaction, locked, so two runs
    cannot both reward one or both stay under a cap. Run again, it finds nothing new.
    """
    now = now or timezone.now()
    rewarded = capped = last = 0
    while True:
        with transaction.atomic():
            chunk, done = _reward_chunk(now, last)
        rewarded += done.rewarded
        capped += done.capped
        if len(chunk) < REWARD_CHUNK:
            return RewardRun(rewarded, capped)
        last = chunk[-1].pk


def _reward_chunk(now: datetime.datetime, after: int) -> tuple[list[Referral], RewardRun]:
    """Decide the next chunk of pending referrals (by id, so the oldest first) after the id
    `after`; return the chunk and what it did."""
    pending = Referral.objects.select_for_update().filter(
        pk__gt=after, status=ReferralStatus.PENDING
    )
    chunk = list(pending.order_by("pk")[:REWARD_CHUNK])
    cutoff = timezone.localdate(now) - datetime.timedelta(days=settings.REFERRAL_REFUND_WINDOW_DAYS)
    qualified = _qualified(cutoff, [r.referred_id for r in chunk])
    due = [referral for referral in chunk if referral.referred_id in qualified]
    counts = _rewards_this_month({referral.referrer_id for referral in due}, now)
    kind, amount = _reward_terms()
    rewarded, capped = [], []
    for referral in due:
        cap = settings.REFERRAL_MONTHLY_CAP
        if cap and counts.get(referral.referrer_id, 0) >= cap:
            capped.append(referral)
            continue
        counts[referral.referrer_id] = counts.get(referral.referrer_id, 0) + 1
        referral.reward_kind, referral.reward_amount = kind, amount
        rewarded.append(referral)
    # One statement per outcome (a CASE per row cost bulk_update 6 ms a referral); the
    # order that earned it is looked up by the database.
    first = _first_paid_order(cutoff)
    Referral.objects.filter(pk__in=[r.pk for r in rewarded]).update(
        status=ReferralStatus.REWARDED, reward_kind=kind, reward_amount=amount, issued_at=now,
        order_id=first,
    )  # fmt: skip
    Referral.objects.filter(pk__in=[r.pk for r in capped]).update(
        status=ReferralStatus.CAPPED, order_id=first
    )
    if kind == ReferralRewardKind.POINTS:
        # Points reach the referrer's balance through the ledger, once per referral.
        for referral in rewarded:
            points.grant(member_for(referral.referrer_id), int(amount), _("Referral reward"),
                         None, f"referral:{referral.pk}")  # fmt: skip
    _announce_rewards(rewarded)
    return chunk, RewardRun(len(rewarded), len(capped))


def _first_paid_order(cutoff: datetime.date) -> Subquery:
    """Return the referred customer's first paid order from before the cutoff (its id), as
    a subquery of a referral."""
    paid = Order.objects.filter(
        customer_id=OuterRef("referred_id"), status=OrderStatus.PAID, ordered_on__lte=cutoff
    )
    return Subquery(paid.order_by("ordered_on", "pk").values("pk")[:1])


def _qualified(cutoff: datetime.date, customer_ids: list[int]) -> set[int]:
    """Return those of the customers with a paid order from on or before the cutoff: their
    first paid order has then stood through the refund window."""
    paid = Order.objects.filter(status=OrderStatus.PAID, ordered_on__lte=cutoff)
    found: set[int] = set()
    for chunk in distinct_chunks(customer_ids):
        found.update(paid.filter(customer_id__in=chunk).values_list("customer_id", flat=True))
    return found


def _rewards_this_month(referrer_ids: set[int], now: datetime.datetime) -> dict[int, int]:
    """Return how many rewards each referrer was given in the calendar month of `now`."""
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    issued = Referral.objects.filter(
        referrer_id__in=list(referrer_ids), status=ReferralStatus.REWARDED, issued_at__gte=start
    )
    given = issued.values("referrer_id").annotate(count=Count("pk"))
    return {row["referrer_id"]: row["count"] for row in given}


def _announce_rewards(rewarded: list[Referral]) -> None:
    """Put the rewards on the referrers' timelines and announce them (referral.rewarded)."""
    record_changes(None, [
        RecordChange(r.referrer_id, "referral", r.pk, "rewarded",
                     new=f"{r.reward_kind}:{r.reward_amount}")
        for r in rewarded
    ])  # fmt: skip
    events = [
        NewEvent(r.referrer_id, r.pk, {"kind": r.reward_kind, "amount": str(r.reward_amount)})
        for r in rewarded
    ]
    if events:
        emit_many("referral.rewarded", actor_for(None), events)


def _reward_terms() -> tuple[str, Decimal]:
    """Return the reward's kind and amount (credit in the currency, or points) from settings.

    The points kind is recorded here until the points ledger's grant() is wired in (its
    one call belongs beside this record).
    """
    if settings.REFERRAL_REWARD_KIND == ReferralRewardKind.POINTS:
        return ReferralRewardKind.POINTS, Decimal(settings.REFERRAL_REWARD_POINTS)
    return ReferralRewardKind.CREDIT, Decimal(settings.REFERRAL_REWARD_CREDIT)


@dataclass(frozen=True)
class TreeNode:
    """A customer in a referral tree, with those they referred (down to the tree's depth)."""

    customer: Customer
    referral: Referral | None
    children: tuple["TreeNode", ...]


def tree_below(customer: Customer, depth: int = 3, width: int = 20) -> tuple[TreeNode, ...]:
    """Return those the customer referred, and whom they referred, `depth` levels down, at
    most `width` per customer (one query per level)."""
    nodes: dict[int, list[Referral]] = {}
    level = [customer.pk]
    seen = {customer.pk}
    for _level in range(depth):
        rows = Referral.objects.filter(referrer_id__in=level).exclude(status=ReferralStatus.VOID)
        level = []
        for referral in rows.select_related("referred").order_by("created_at", "pk"):
            children = nodes.setdefault(referral.referrer_id, [])
            if len(children) < width and referral.referred_id not in seen:
                children.append(referral)
                seen.add(referral.referred_id)
                level.append(referral.referred_id)
        if not level:
            break

    def build(pk: int) -> tuple[TreeNode, ...]:
        return tuple(TreeNode(r.referred, r, build(r.referred_id)) for r in nodes.get(pk, []))

    return build(customer.pk)


def chain_above(customer: Customer) -> list[Customer]:
    """Return who referred the customer, then who referred them, and so on (nearest first)."""
    ids = chain_up(customer.pk)[1:]
    found = Customer.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def referral_of(customer: Customer) -> Referral | None:
    """Return the referral that brought the customer, if any."""
    return Referral.objects.filter(referred=customer).select_related("referrer").first()


# --- merge and erasure -------------------------------------------------------------------


def merge_referrals(source: Customer, target: Customer) -> int:
    """Keep referrals true when `source` is merged into `target`: its codes and the
    referrals it made go to the target, the referral that brought it too when the target
    has none; a referral that would now be the target referring itself, or a loop, is made
    void (kept as history). Return how many rows changed."""
    changed = ReferralCode.objects.filter(customer=source).update(customer=target)
    above_target = chain_up(target.pk)  # the target itself, then who referred it, and so on
    made = Referral.objects.filter(referrer=source)
    changed += _void(made.filter(referred_id__in=above_target), "merged: self-referral or loop")
    changed += made.exclude(referred_id__in=above_target).update(referrer=target)
    incoming = Referral.objects.filter(referred=source).first()
    if incoming is None:
        return changed
    if incoming.referrer_id == target.pk or Referral.objects.filter(referred=target).exists():
        return changed + _void(Referral.objects.filter(pk=incoming.pk), "merged: duplicate")
    if target.pk in chain_up(incoming.referrer_id):
        return changed + _void(Referral.objects.filter(pk=incoming.pk), "merged: loop")
    return changed + Referral.objects.filter(pk=incoming.pk).update(referred=target)


def _void(referrals: QuerySet[Referral], note: str) -> int:
    """Void the pending referrals (a reward already issued stays on record as issued)."""
    return referrals.filter(status=ReferralStatus.PENDING).update(
        status=ReferralStatus.VOID, note=note
    )


def erase_referrals(customer: Customer, values: PersonalValues) -> list[Path]:
    """An erased customer earns no more rewards: void the referrals they made that wait for
    one. The rows hold no personal data (ids only) and stay for the figures; the code stays
    so that using it is refused with the reason."""
    _void(Referral.objects.filter(referrer=customer), "referrer erased")
    return []


# --- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralShare:
    """New customers in a period and how many of them came by referral."""

    new: int
    referred: int

    @property
    def share(self) -> Decimal:
        """Return the referred share of new customers (0 when there were none)."""
        if not self.new:
            return Decimal(0)
        return (Decimal(self.referred) / Decimal(self.new)).quantize(SHARE_PLACES)


def _local_days(field: str, start: datetime.date, end: datetime.date) -> Q:
    """Return the filter on a moment `field` for the local days start..end (inclusive)."""
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def referral_share(
    start: datetime.date, end: datetime.date, among: QuerySet[Customer] | None = None
) -> ReferralShare:
    """Return how many customers (of `among`, default all) were created in the local days
    start..end (merged duplicates left out) and how many of those came by a referral that
    is not void."""
    customers = Customer.objects.all() if among is None else among
    new = customers.filter(_local_days("created_at", start, end), merged_into__isnull=True)
    referred = Referral.objects.filter(referred__in=new.values("pk")).exclude(
        status=ReferralStatus.VOID
    )
    return ReferralShare(new.count(), referred.count())


def referral_share_by_month(
    last: datetime.date, months: int = 12
) -> list[tuple[str, ReferralShare]]:
    """Return the referral share of each of the `months` calendar months up to the one
    holding `last`, oldest first, keyed "YYYY-MM" (for a chart)."""
    starts = []
    year, month = last.year, last.month
    for _month in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    shares = []
    for start in reversed(starts):
        following = datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
        shares.append((f"{start:%Y-%m}", referral_share(start, end)))
    return shares


@dataclass(frozen=True)
class RewardCost:
    """Referral rewards issued in a period: how many, the credit given and the points."""

    rewards: int
    credit: Decimal
    points: int


def reward_cost(start: datetime.date, end: datetime.date) -> RewardCost:
    """Return the referral rewards issued in the local days start..end and what they cost."""
    issued = Referral.objects.filter(
        _local_days("issued_at", start, end), status=ReferralStatus.REWARDED
    )
    totals = issued.aggregate(
        rewards=Count("pk"),
        credit=Sum("reward_amount", filter=Q(reward_kind=ReferralRewardKind.CREDIT)),
        points=Sum("reward_amount", filter=Q(reward_kind=ReferralRewardKind.POINTS)),
    )
    return RewardCost(totals["rewards"], totals["credit"] or Decimal(0), int(totals["points"] or 0))


@dataclass(frozen=True)
class ClvComparison:
    """Mean CLV in the latest scoring run of referred customers and of the others."""

    as_of: datetime.date
    referred: int
    referred_clv: float | None
    others: int
    others_clv: float | None


def clv_comparison() -> ClvComparison | None:
    """Return referred customers' mean CLV against the others' from the latest good scoring
    run (insights), or None before the first run."""
    run = latest_run()
    if run is None:
        return None
    scores = CustomerScore.objects.of_run(run.pk)
    referred_ids = Referral.objects.exclude(status=ReferralStatus.VOID).values("referred_id")
    is_referred = Q(customer_id__in=referred_ids)
    totals = scores.aggregate(
        referred=Count("pk", filter=is_referred), referred_clv=Avg("clv", filter=is_referred),
        others=Count("pk", filter=~is_referred), others_clv=Avg("clv", filter=~is_referred),
    )  # fmt: skip
    return ClvComparison(run.as_of, **totals)
