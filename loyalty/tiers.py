"""Membership tiers (会员等级) on the rolling 12-month net spend.

The spend is the sum of `Order.amount` (what was paid: line discounts already off) over the
customer's orders that are paid now and dated within the 12 months ending on the day. A
refunded, cancelled or deleted order counts for nothing, so a refund takes its amount back
off; an order dated later than the day does not count yet. The purchase summary's
`total_spend` is all-time and is not used: ERPNext ranked its tiers on the wrong spend for
years (cumulative, returns not netted).

A member rises at once when an order is paid (the `order.paid` subscriber) and falls only at
the annual review: a review that finds the spend below the tier keeps it for a grace period
(LOYALTY_TIER_GRACE_DAYS), and the spend on the day the grace period ends decides. Every
step is a TierChange with its reason's figures and announces `member.tier_changed`.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import events
from core.actors import Actor
from core.bulk import insert_columns
from core.chunks import chunked, rows_in
from core.templatetags.core import money
from loyalty.events import LoyaltyEvent
from loyalty.members import member_for
from loyalty.models import Member, MembershipTier, TierChange, TierChangeKind
from sales.models import Order, OrderStatus

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
REVIEW_ACTOR = Actor.of_job("loyalty-tier-review")
# Members reviewed per transaction: a review stopped half-way leaves the rest due.
REVIEW_CHUNK = 20_000
# From this many members due, their spends are read in one pass over the orders rather than
# by customer (a programme's first review, every member due).
ONE_PASS_FROM = 100_000


def years_after(day: datetime.date, years: int) -> datetime.date:
    """Return the same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def window_start(day: datetime.date) -> datetime.date:
    """Return the first day of the 12 months ending on `day` (both ends count)."""
    return years_after(day, -1) + datetime.timedelta(days=1)


def spend_of(customer_id: int, day: datetime.date) -> Decimal:
    """Return the customer's 12-month net spend on the day."""
    paid = Order.objects.filter(
        customer_id=customer_id, status=OrderStatus.PAID,
        ordered_on__gte=window_start(day), ordered_on__lte=day,
    )  # fmt: skip
    return paid.aggregate(total=Sum("amount"))["total"] or ZERO


def spends_of(customer_ids: Sequence[int] | None, day: datetime.date) -> dict[int, Decimal]:
    """Return the 12-month net spend of each of these customers on the day (absent: none);
    with None, of every customer, in one pass over the orders."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = (
        f"SELECT customer_id, SUM(amount) FROM {table} WHERE status = %s AND ordered_on >= %s"
        " AND ordered_on <= %s"
    )
    before: list[Any] = [OrderStatus.PAID.value, window_start(day), day]
    if customer_ids is None:
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} GROUP BY customer_id", before)
            rows = cursor.fetchall()
    else:
        sql += " AND customer_id IN ({}) GROUP BY customer_id"
        rows = rows_in(sql, [(pk,) for pk in customer_ids], before=before)
    return {pk: _money(total) for pk, total in rows}


def _money(total: Decimal | float) -> Decimal:
    """Return a sum as cents: SQLite sums decimals as floats, PostgreSQL exactly."""
    if isinstance(total, Decimal):
        return total
    return Decimal(repr(total)).quantize(CENT)


class Ladder:
    """The tiers from the lowest, looked up by code in one step (the review asks a million
    times)."""

    def __init__(self, tiers: Sequence[MembershipTier]) -> None:
        self.tiers = sorted(tiers, key=lambda tier: tier.rank)
        self.by_code = {tier.code: tier for tier in self.tiers}

    def reached(self, spend: Decimal) -> MembershipTier | None:
        """Return the highest tier the spend reaches (None below every threshold)."""
        for tier in reversed(self.tiers):
            if spend >= tier.min_spend:
                return tier
        return None

    def named(self, code: str) -> MembershipTier | None:
        return self.by_code.get(code)

    def rank(self, code: str) -> int:
        tier = self.by_code.get(code)
        return tier.rank if tier is not None else 0


def all_tiers() -> Ladder:
    """Return the tiers as they stand."""
    return Ladder(list(MembershipTier.objects.all()))


def tier_for_spend(spend: Decimal, tiers: Ladder) -> MembershipTier | None:
    """Return the highest tier the spend reaches (None below every threshold)."""
    return tiers.reached(spend)


# Deciding ----------------------------------------------------------------------------------


@dataclass
class State:
    """What the rules read and write of a member."""

    id: int
    customer_id: int
    tier: str
    tier_since: datetime.date | None
    review_on: datetime.date | None
    grace_until: datetime.date | None


@dataclass(frozen=True)
class Step:
    """A tier change to record: its kind, tiers, the spend and the threshold held against."""

    kind: str
    from_tier: str
    to_tier: str
    spend: Decimal
    threshold: Decimal


def _move(state: State, target: MembershipTier, spend: Decimal, day: datetime.date) -> Step:
    """Put the member in the target tier from the day; the next review a year on."""
    kind = TierChangeKind.JOINED if not state.tier else TierChangeKind.UPGRADE
    step = Step(kind, state.tier, target.code, spend, target.min_spend)
    state.tier, state.tier_since = target.code, day
    state.review_on, state.grace_until = years_after(day, 1), None
    return step


def after_payment(state: State, spend: Decimal, day: datetime.date, tiers: Ladder) -> Step | None:
    """Apply a payment: rise at once to the tier the spend reaches; a grace period the spend
    now covers ends. Never lower the tier. Return the change to record, if any."""
    target = tier_for_spend(spend, tiers)
    if target is None:
        return None
    current = tiers.rank(state.tier)
    if target.rank > current or not state.tier:
        return _move(state, target, spend, day)
    if state.grace_until is not None and target.rank >= current:
        state.grace_until = None
    return None


def at_review(state: State, spend: Decimal, day: datetime.date, tiers: Ladder) -> Step | None:
    """Apply a due review (its date or its grace period's end reached); return the change.

    At the annual review a spend below the tier starts the grace period (the tier is kept)
    and the next review is a year on; at the grace period's end that day's spend decides,
    down to the tier it reaches (none below every threshold).
    """
    target = tier_for_spend(spend, tiers)
    current = tiers.rank(state.tier)
    reached = target.rank if target is not None else 0
    if state.grace_until is not None and state.grace_until <= day:
        state.grace_until = None
        if reached < current:
            step = _fall(state, target, spend, day, tiers)
            if state.review_on is None or state.review_on <= day:
                # The anniversary on the same day: this was its review too.
                state.review_on = _next_review(state.review_on, day)
            return step
    if state.review_on is not None and state.review_on > day and state.tier:
        return None
    if target is not None and (reached > current or not state.tier):
        return _move(state, target, spend, day)
    state.review_on = _next_review(state.review_on, day)
    if reached < current and state.grace_until is None:
        state.grace_until = day + datetime.timedelta(days=settings.LOYALTY_TIER_GRACE_DAYS)
        held = tiers.named(state.tier)
        threshold = held.min_spend if held is not None else ZERO
        return Step(TierChangeKind.GRACE, state.tier, state.tier, spend, threshold)
    return None


def _fall(
    state: State, target: MembershipTier | None, spend: Decimal, day: datetime.date,
    tiers: Ladder,
) -> Step:  # fmt: skip
    held = tiers.named(state.tier)
    step = Step(
        TierChangeKind.DOWNGRADE, state.tier, target.code if target else "", spend,
        held.min_spend if held is not None else ZERO,
    )  # fmt: skip
    state.tier = target.code if target else ""
    state.tier_since = day
    return step


def _next_review(review_on: datetime.date | None, day: datetime.date) -> datetime.date:
    """Return the member's next anniversary after the day (a year on for a first review)."""
    if review_on is None:
        return years_after(day, 1)
    years = 1
    while years_after(review_on, years) <= day:
        years += 1
    return years_after(review_on, years)


# Writing -----------------------------------------------------------------------------------


def _state(member: Member) -> State:
    return State(
        member.pk, member.customer_id, member.tier, member.tier_since, member.review_on,
        member.grace_until,
    )  # fmt: skip


@transaction.atomic
def follow_payment(
    customer_id: int, day: datetime.date, order_number: str = "", actor: Actor = REVIEW_ACTOR
) -> TierChange | None:
    """Raise the customer's tier at once if their spend on the day reaches a higher one;
    return the change recorded (None: the tier holds)."""
    member = Member.objects.select_for_update().get(pk=member_for(customer_id).pk)
    state = _state(member)
    step = after_payment(state, spend_of(customer_id, day), day, all_tiers())
    _save_states([state])
    if step is None:
        return None
    [change] = _record([(state, step)], day, actor, order_number)
    return change


def _save_states(states: Sequence[State]) -> None:
    """Write the members' tier fields: one UPDATE per set of values and chunk of ids (a
    review gives most members the same few sets; an UPDATE per member cost three times as
    much)."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for s in states:
        groups[(s.tier, s.tier_since, s.review_on, s.grace_until)].append(s.id)
    table = connection.ops.quote_name(Member._meta.db_table)
    sql = (
        f"UPDATE {table} SET tier = %s, tier_since = %s, review_on = %s, grace_until = %s"
        " WHERE id IN ({})"
    )
    with connection.cursor() as cursor:
        for values, ids in groups.items():
            for chunk in chunked(ids):
                cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), [*values, *chunk])


def _record(
    steps: Sequence[tuple[State, Step]], day: datetime.date, actor: Actor, order_number: str = ""
) -> list[TierChange]:
    """Add the steps to the members' tier history and announce them; return the rows."""
    if not steps:
        return []
    count = len(steps)
    if count == 1:
        state, step = steps[0]
        changes = [TierChange.objects.create(
            member_id=state.id, kind=step.kind, from_tier=step.from_tier, to_tier=step.to_tier,
            spend=step.spend, threshold=step.threshold, changed_on=day, order_number=order_number,
        )]  # fmt: skip
    else:
        changes = []
        insert_columns(TierChange, (
            "member_id", "kind", "from_tier", "to_tier", "spend", "threshold", "changed_on",
            "order_number", "created_at",
        ), [
            [s.id for s, _ in steps], [p.kind for _, p in steps], [p.from_tier for _, p in steps],
            [p.to_tier for _, p in steps], [p.spend for _, p in steps],
            [p.threshold for _, p in steps], [day] * count, [order_number] * count,
            [timezone.now()] * count,
        ])  # fmt: skip
    events.emit_columns(
        actor, LoyaltyEvent.TIER_CHANGED,
        [s.customer_id for s, _ in steps], [s.id for s, _ in steps],
        {
            "kind": [p.kind for _, p in steps], "from_tier": [p.from_tier for _, p in steps],
            "to_tier": [p.to_tier for _, p in steps], "spend": [str(p.spend) for _, p in steps],
        },
    )  # fmt: skip
    return changes


@dataclass(frozen=True)
class ReviewResult:
    reviewed: int
    changes: dict[str, int]


def due_members(day: datetime.date, everyone: bool = False) -> list[State]:
    """Return the members due for review on the day (with `everyone`, every member): the
    annual review reached, a grace period ended, or no tier yet."""
    table = connection.ops.quote_name(Member._meta.db_table)
    columns = "id, customer_id, tier, tier_since, review_on, grace_until"
    sql = f"SELECT {columns} FROM {table}"
    params: list[Any] = []
    if not everyone:
        # Three index look-ups joined, not one OR over the table.
        sql = (
            f"{sql} WHERE review_on <= %s UNION SELECT {columns} FROM {table} WHERE grace_until"
            f" <= %s UNION SELECT {columns} FROM {table} WHERE review_on IS NULL"
        )
        params = [day, day]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_state_of_row(row) for row in cursor.fetchall()]


def _state_of_row(row: Sequence[Any]) -> State:
    return State(row[0], row[1], row[2], _date(row[3]), _date(row[4]), _date(row[5]))


def _date(value: object) -> datetime.date | None:
    """Return a date column's value as a date (SQLite's raw cursor gives text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def review_tiers(day: datetime.date, everyone: bool = False) -> ReviewResult:
    """Review the members due on the day (the nightly run; `everyone` reviews all, as at a
    programme's start); return how many and the changes by kind.

    Each chunk of members is one transaction: a run stopped half-way leaves the rest due,
    and a second run the same day finds nothing due.
    """
    tiers = all_tiers()
    due = due_members(day, everyone)
    every_spend = spends_of(None, day) if len(due) >= ONE_PASS_FROM else None
    counts: dict[str, int] = {}
    for chunk in chunked(sorted(due, key=lambda s: s.customer_id), REVIEW_CHUNK):
        spends = every_spend
        if spends is None:
            spends = spends_of([s.customer_id for s in chunk], day)
        with transaction.atomic():
            for kind in _review_chunk(chunk, spends, day, tiers):
                counts[kind] = counts.get(kind, 0) + 1
    return ReviewResult(len(due), counts)


def _review_chunk(
    chunk: Sequence[State], spends: dict[int, Decimal], day: datetime.date, tiers: Ladder
) -> list[str]:
    before = [(s.tier, s.tier_since, s.review_on, s.grace_until) for s in chunk]
    steps = []
    for state in chunk:
        step = at_review(state, spends.get(state.customer_id, ZERO), day, tiers)
        if step is not None:
            steps.append((state, step))
    changed = [
        s for s, old in zip(chunk, before, strict=True)
        if (s.tier, s.tier_since, s.review_on, s.grace_until) != old
    ]  # fmt: skip
    _save_states(changed)
    _record(steps, day, REVIEW_ACTOR)
    return [step.kind for _, step in steps]


# Reading -----------------------------------------------------------------------------------


def tier_label(tier: MembershipTier | None, code: str = "") -> str:
    """Return the tier's name in the reader's language (the code of a tier since removed)."""
    if tier is None:
        return code or _("No tier")
    language = (get_language() or "").lower()
    return tier.name_zh if language.startswith("zh") and tier.name_zh else tier.name


def reason(change: TierChange, tiers: Ladder) -> str:
    """Return why the change happened, in the reader's language."""
    values = {
        "spend": money(change.spend), "threshold": money(change.threshold),
        "from": tier_label(tiers.named(change.from_tier), change.from_tier),
        "to": tier_label(tiers.named(change.to_tier), change.to_tier),
        "order": change.order_number,
    }  # fmt: skip
    if change.kind in (TierChangeKind.JOINED, TierChangeKind.UPGRADE):
        if change.order_number:
            return _("12-month spend %(spend)s reached %(to)s (from %(threshold)s) with order "
                     "%(order)s.") % values  # fmt: skip
        return _("12-month spend %(spend)s reached %(to)s (from %(threshold)s).") % values
    if change.kind == TierChangeKind.GRACE:
        return _("At the annual review the 12-month spend %(spend)s was below %(from)s "
                 "(from %(threshold)s): the tier is kept for a grace period.") % values  # fmt: skip
    return _("At the end of the grace period the 12-month spend %(spend)s was still below "
             "%(from)s (from %(threshold)s): now %(to)s.") % values  # fmt: skip
