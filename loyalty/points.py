"""The points ledger (积分): earning, refund reversal, redemption, expiry, adjustments.

Every change to a member's points is one PointsEntry and, in the same transaction, the kept
Member.points_balance / points_debt and the member's lots (PointsLot): the balance is the
sum of the entries' points and of the lots' remaining points (`mismatches` proves it, the
`loyalty_rebuild` command reports it). A member's row is locked before any of their points
move, so two writers never both spend the same points.

Earning follows `order.paid` from every write path (a form, the API, the bulk path, an
import): the event's orders become PointsEarning rows, a batch at a time, and are confirmed
after LOYALTY_CONFIRMATION_DAYS (a refund before that cancels them). A refund after it
takes back the order's share of its points; what the balance cannot cover becomes debt,
settled from later earnings. Expiry takes each lot LOYALTY_EXPIRY_MONTHS after it was
earned; spending takes the lots that expire soonest first.
"""

import calendar
import datetime
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_edit_owned_by
from accounts.models import Role, User
from core.actors import Actor, actor_for
from core.bulk import insert_columns
from core.chunks import IN_CHUNK, chunked, rows_in
from core.errors import Forbidden, Invalid
from core.events import Event, emit
from customers.models import Customer
from loyalty.members import member_for, member_ids_for
from loyalty.models import (
    AdjustmentState,
    EarningState,
    EntryKind,
    Member,
    MembershipTier,
    PointsAdjustment,
    PointsEarning,
    PointsEntry,
    PointsLot,
    PointsPromotion,
)
from sales.models import Order, OrderStatus

logger = logging.getLogger(__name__)

# The most points one change may move: far above any real order, far below the column's
# range, so a typo of a few zeros is refused rather than booked.
MAX_POINTS = 100_000_000
HUNDRED = Decimal(100)
WHOLE = re.compile(r"[+-]?[0-9]{1,12}")


@dataclass(frozen=True)
class Rules:
    """The earning rules as configured (settings.LOYALTY_*)."""

    per_100: int
    confirmation: datetime.timedelta
    expiry_months: int
    birthday_multiplier: Decimal
    programme_start: datetime.date | None

    @classmethod
    def current(cls) -> "Rules":
        """Return the rules in the settings."""
        start = settings.LOYALTY_PROGRAMME_START
        return cls(
            settings.LOYALTY_POINTS_PER_100,
            datetime.timedelta(days=settings.LOYALTY_CONFIRMATION_DAYS),
            settings.LOYALTY_EXPIRY_MONTHS,
            Decimal(settings.LOYALTY_BIRTHDAY_POINTS_MULTIPLIER),
            datetime.date.fromisoformat(start) if start else None,
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_for(earned_on: datetime.date) -> datetime.date:
    """Return the day points earned on `earned_on` expire (they are gone from that day)."""
    return add_months(earned_on, Rules.current().expiry_months)


def points_for(amount: Decimal, multiplier: Decimal, per_100: int) -> int:
    """Return the points a paid amount earns: per_100 per ¥100 times the multiplier,
    rounded down once."""
    if amount <= 0:
        return 0
    return int((amount * per_100 * multiplier / HUNDRED).to_integral_value(ROUND_FLOOR))


def checked_points(value: object, field: str = "points", *, signed: bool = False) -> int:
    """Return `value` (an int, or digits as text) as a whole number of points, or refuse it
    naming the field: fractional, zero or (unless `signed`) negative, or beyond MAX_POINTS."""
    if isinstance(value, str) and WHOLE.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("Enter a whole number of points."), field)
    if value == 0 or (value < 0 and not signed):
        raise Invalid(_("Enter a number of points above zero."), field)
    if abs(value) > MAX_POINTS:
        raise Invalid(
            _("At most %(max)s points can be moved at once.") % {"max": f"{MAX_POINTS:,}"}, field
        )
    return value


# --- The one place points move -------------------------------------------------------


def lock_member(member_id: int) -> Member:
    """Return the member's row, locked until the transaction ends (SQLite's IMMEDIATE
    transactions already hold the one write lock)."""
    return Member.objects.select_for_update().get(pk=member_id)


def _entry(
    member: Member, kind: str, points: int, debt: int, actor: Actor, **fields: object
) -> PointsEntry:
    return PointsEntry.objects.create(
        member=member, kind=kind, points=points, debt=debt,
        actor_label=actor.label[:200], actor_user_id=actor.user_id, **fields,
    )  # fmt: skip


def credit(
    member: Member, points: int, kind: str, actor: Actor, earned_on: datetime.date, **fields: object
) -> PointsEntry:
    """Add points to a locked member: first against their debt, the rest to the balance as
    a lot expiring LOYALTY_EXPIRY_MONTHS after `earned_on`; return the entry."""
    settled = min(member.points_debt, points)
    kept = points - settled
    entry = _entry(member, kind, kept, -settled, actor, **fields)
    if kept:
        PointsLot.objects.create(
            member=member, expires_on=expiry_for(earned_on), points=kept, remaining=kept
        )
    member.points_balance += kept
    member.points_debt -= settled
    member.save(update_fields=["points_balance", "points_debt"])
    return entry


def debit(
    member: Member, points: int, kind: str, actor: Actor, *, owe_rest: bool, **fields: object
) -> PointsEntry:
    """Take points from a locked member, soonest-expiring lots first; return the entry.

    With `owe_rest` (a refund's reversal) what the balance cannot cover becomes debt;
    otherwise a balance too small is refused and nothing changes.
    """
    if points > member.points_balance and not owe_rest:
        raise Invalid(
            _("Only %(balance)s points are available.") % {"balance": f"{member.points_balance:,}"},
            "points",
        )
    taken = min(points, member.points_balance)
    _consume(member, taken)
    entry = _entry(member, kind, -taken, points - taken, actor, **fields)
    member.points_balance -= taken
    member.points_debt += points - taken
    member.save(update_fields=["points_balance", "points_debt"])
    return entry


def _consume(member: Member, points: int) -> None:
    """Take points from the member's lots by soonest expiry (then oldest)."""
    left = points
    lots = PointsLot.objects.filter(member=member, remaining__gt=0).order_by("expires_on", "pk")
    for lot in lots.iterator(chunk_size=100):
        if left == 0:
            break
        take = min(left, lot.remaining)
        PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        left -= take
    # The lots always add up to the balance; a shortfall means they do not (a bug).
    assert left == 0, f"member {member.pk}: lots hold {points - left} of {points} points"


# --- Earning from orders ---------------------------------------------------------------


def orders_paid(events: Sequence[Event]) -> None:
    """Record the points each newly paid order earns, a batch of `order.paid` at a time
    (subscriber): a few queries and inserts per batch, never one per order."""
    if not events:
        return
    now = timezone.now()
    rules = Rules.current()
    order_ids = [event.subject_id for event in events if event.subject_id is not None]
    known = _earnings_of(order_ids)
    again = [known[pk] for pk in order_ids if pk in known and known[pk][1] in _ENDED]
    fresh = [e for e in events if e.subject_id is not None and e.subject_id not in known]
    if again:
        # Paid again after a refund (reinstated): the order earns its points anew.
        PointsEarning.objects.filter(pk__in=[pk for pk, _state in again]).update(
            state=EarningState.PENDING, reversed=0, confirm_at=now + rules.confirmation
        )
    if fresh:
        _record_earnings(fresh, rules, now)
    if rules.confirmation == datetime.timedelta(0):
        confirm_due(now, order_ids=order_ids)


_ENDED = {EarningState.CANCELLED, EarningState.REVERSED}


def _by_key_range(
    table: str, key: str, keys: Sequence[int], columns: str, where: str = ""
) -> list[tuple[Any, ...]]:
    """Return (key, *columns) of the table's rows whose `key` is one of `keys`, by raw SQL:
    read as the range from the smallest key to the largest when the keys are one dense run
    (a bulk write's ids), else a chunk of keys at a time. The ORM's IN look-up prepares each
    value in Python, which cost more than the queries at ten thousand keys."""
    if not keys:
        return []
    wanted = set(keys)
    low, high = min(wanted), max(wanted)
    select = f"SELECT {key}, {columns} FROM {table} WHERE {where or '1 = 1'}"
    if high - low > 4 * len(wanted) + IN_CHUNK:
        rows = rows_in(f"{select} AND {key} IN ({{}})", [(k,) for k in sorted(wanted)])
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"{select} AND {key} BETWEEN %s AND %s", [low, high])
            rows = cursor.fetchall()
    return [row for row in rows if row[0] in wanted]


def _day(value: Any) -> datetime.date:
    """Return a date column's value as a date (SQLite's raw cursor gives text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _earnings_of(order_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    rows = _by_key_range(PointsEarning._meta.db_table, "order_id", order_ids, "id, state")
    return {order: (pk, state) for order, pk, state in rows}


def _record_earnings(events: Sequence[Event], rules: Rules, now: datetime.datetime) -> None:
    """Insert the pending earnings of orders seen for the first time (before the programme's
    start: none)."""
    ids = [e.subject_id for e in events if e.subject_id]
    found = _by_key_range(Order._meta.db_table, "id", ids, "ordered_on")
    days = {pk: _day(day) for pk, day in found}
    eligible = [
        e for e in events
        if e.subject_id in days and e.customer_id is not None
        and (rules.programme_start is None or days[e.subject_id] >= rules.programme_start)
    ]  # fmt: skip
    if not eligible:
        return
    customers = [e.customer_id for e in eligible if e.customer_id is not None]
    members, tiers = member_ids_for(customers)
    multipliers = _multipliers(
        customers, [days[e.subject_id] for e in eligible if e.subject_id], tiers, rules
    )
    amounts = [Decimal(e.data.get("amount") or "0") for e in eligible]
    points = [
        points_for(amount, multiplier, rules.per_100)
        for amount, multiplier in zip(amounts, multipliers, strict=True)
    ]
    count = len(eligible)
    insert_columns(
        PointsEarning,
        ["order_id", "member_id", "amount", "points", "confirm_at", "state"],
        [
            [e.subject_id for e in eligible], [members[c] for c in customers], amounts, points,
            [now + rules.confirmation] * count, [EarningState.PENDING] * count,
        ],
    )  # fmt: skip


def _multipliers(
    customers: Sequence[int], days: Sequence[datetime.date], tiers: dict[int, str], rules: Rules
) -> list[Decimal]:
    """Return each order's multiplier: the member's tier's, times the birthday month's when
    the order falls in the customer's birth month, times the best promotion covering its day."""
    birth_months: dict[int, int] = {}
    if rules.birthday_multiplier != 1:
        table = Customer._meta.db_table
        birthdays = _by_key_range(table, "id", customers, "birthday", "birthday IS NOT NULL")
        birth_months = {pk: _day(birthday).month for pk, birthday in birthdays}
    tier_multiplier = dict(MembershipTier.objects.values_list("code", "points_multiplier"))
    promotions = list(
        PointsPromotion.objects.filter(
            ends_on__gte=min(days), starts_on__lte=max(days)
        ).values_list("starts_on", "ends_on", "multiplier")
    )
    one = Decimal(1)
    result = []
    for customer, day in zip(customers, days, strict=True):
        multiplier = tier_multiplier.get(tiers.get(customer, ""), one)
        if birth_months.get(customer) == day.month:
            multiplier *= rules.birthday_multiplier
        best = max((m for start, end, m in promotions if start <= day <= end), default=None)
        result.append(multiplier * best if best else multiplier)
    return result


def confirm_due(now: datetime.datetime, order_ids: Sequence[int] | None = None) -> int:
    """Credit the pending earnings whose confirmation time has come (all of them, or those of
    the orders given); return how many. A member's lock, entries, lots and kept balance are
    written for a whole chunk of earnings at once."""
    pending = PointsEarning.objects.filter(state=EarningState.PENDING, confirm_at__lte=now)
    if order_ids is not None:
        ids = [
            pk
            for chunk in chunked(order_ids)
            for pk in pending.filter(order_id__in=chunk).values_list("pk", flat=True)
        ]
    else:
        ids = list(pending.values_list("pk", flat=True))
    for chunk in chunked(ids, 5000):
        with transaction.atomic():
            _confirm_chunk(chunk, now)
    return len(ids)


def _confirm_chunk(earning_ids: list[int], now: datetime.datetime) -> None:
    rows = list(
        PointsEarning.objects.filter(pk__in=earning_ids, state=EarningState.PENDING)
        .order_by("member_id", "pk")
        .values_list("pk", "member_id", "order_id", "points")
    )
    member_ids = sorted({row[1] for row in rows})
    members = {
        m.pk: [m.points_balance, m.points_debt]
        for chunk in chunked(member_ids)
        for m in Member.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
    }
    expires_on = expiry_for(timezone.localdate(now))
    entries: list[tuple[int, int, int, int]] = []  # member, points, debt, order
    lots: list[tuple[int, int]] = []
    for _pk, member_id, order_id, points in rows:
        balance_debt = members[member_id]
        settled = min(balance_debt[1], points)
        kept = points - settled
        balance_debt[0] += kept
        balance_debt[1] -= settled
        entries.append((member_id, kept, -settled, order_id))
        if kept:
            lots.append((member_id, kept))
    actor = Actor.of_job("points-confirmation")
    count = len(entries)
    insert_columns(
        PointsEntry,
        ["member_id", "kind", "points", "debt", "order_id", "created_at", "actor_label"],
        [
            [e[0] for e in entries], [EntryKind.EARN] * count, [e[1] for e in entries],
            [e[2] for e in entries], [e[3] for e in entries], [now] * count, [actor.label] * count,
        ],
    )  # fmt: skip
    insert_columns(
        PointsLot,
        ["member_id", "expires_on", "points", "remaining"],
        [
            [lot[0] for lot in lots],
            [expires_on] * len(lots),
            [lot[1] for lot in lots],
            [lot[1] for lot in lots],
        ],
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Member._meta.db_table} SET points_balance = %s, points_debt = %s"
            " WHERE id = %s",
            [(b, d, pk) for pk, (b, d) in members.items()],
        )
    PointsEarning.objects.filter(pk__in=[row[0] for row in rows]).update(state=EarningState.EARNED)


def orders_refunded(event: Event) -> None:
    """Take back a refunded order's points (subscriber of order.refunded and order.deleted):
    its share when the event names a refunded part of the amount, all of them otherwise;
    cancel them if they were still waiting for confirmation."""
    if event.subject_id is None:
        return
    refunded = event.data.get("refunded_amount")
    reverse_order(event.subject_id, Decimal(str(refunded)) if refunded else None, event.actor)


def order_left_paid(event: Event) -> None:
    """Take back the points of a paid order set to another status than paid or refunded
    (a cancellation; a refund has its own event) — subscriber of order.status_changed."""
    if event.data.get("old_status") == OrderStatus.PAID and event.data.get("status") not in (
        OrderStatus.PAID, OrderStatus.REFUNDED,
    ):  # fmt: skip
        orders_refunded(event)


def reverse_order(order_id: int, refunded: Decimal | None, actor: Actor) -> None:
    """Take back the share of an order's points that `refunded` is of its amount (None: the
    rest of them); a shortfall becomes the member's debt."""
    earning = PointsEarning.objects.filter(order_id=order_id).first()
    if earning is None or earning.state in _ENDED:
        return
    member = lock_member(earning.member_id)
    earning = PointsEarning.objects.select_for_update().get(pk=earning.pk)
    if earning.state == EarningState.PENDING:
        earning.state = EarningState.CANCELLED
        earning.save(update_fields=["state"])
        return
    if refunded is None or earning.amount <= 0 or refunded >= earning.amount:
        share = earning.points - earning.reversed
    else:
        share = min(
            int((earning.points * refunded / earning.amount).to_integral_value(ROUND_FLOOR)),
            earning.points - earning.reversed,
        )
    if share > 0:
        debit(member, share, EntryKind.REVERSE, actor, owe_rest=True, order_id=order_id)
    earning.reversed += share
    if earning.reversed >= earning.points:
        earning.state = EarningState.REVERSED
    earning.save(update_fields=["reversed", "state"])


# --- Grants and adjustments by hand ---------------------------------------------------------


def grant(member: Member, points: int, reason: str, actor: User | None, ref: str) -> PointsEntry:
    """Give a member points (a referral reward, a goodwill gesture) once per `ref`; return
    the entry (the first one again for a `ref` already granted)."""
    points = checked_points(points)
    if not ref:
        raise Invalid(_("A grant needs a reference."), "ref")
    with transaction.atomic():
        locked = lock_member(member.pk)
        known = PointsEntry.objects.filter(kind=EntryKind.GRANT, ref=ref).first()
        if known is not None:
            return known
        who = actor_for(actor)
        entry = credit(
            locked, points, EntryKind.GRANT, who, timezone.localdate(), reason=reason[:200], ref=ref
        )
        announce(who, locked, entry)
    return entry


def may_adjust(user: User, customer: Customer) -> bool:
    """Return whether the user may change this customer's points by hand (managers of the
    customer's owner, and admins)."""
    return (user.is_admin or user.role == Role.MANAGER) and can_edit_owned_by(
        user, customer.owner_id
    )


def adjust(actor: User, customer: Customer, points: object, reason: str) -> PointsAdjustment:
    """Change a customer's points by hand with a reason; return the adjustment, applied at
    once up to LOYALTY_ADJUSTMENT_APPROVAL_LIMIT points, else waiting for another manager."""
    if not may_adjust(actor, customer):
        raise Forbidden(_("Only the customer's managers may change points by hand."))
    change = checked_points(points, signed=True)
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give a reason for the change."), "reason")
    waits = abs(change) > settings.LOYALTY_ADJUSTMENT_APPROVAL_LIMIT
    with transaction.atomic():
        member = lock_member(member_for(customer.pk).pk)
        adjustment = PointsAdjustment.objects.create(
            member=member, points=change, reason=reason[:200], requested_by=actor,
            state=AdjustmentState.WAITING if waits else AdjustmentState.APPLIED,
        )  # fmt: skip
        if not waits:
            _apply(member, adjustment, actor)
    return adjustment


def decide_adjustment(actor: User, adjustment: PointsAdjustment, approve: bool) -> PointsAdjustment:
    """Approve (apply) or reject an adjustment waiting for approval; return it. Not by the
    manager who asked for it."""
    customer = Customer.objects.get(member__pk=adjustment.member_id)
    if not may_adjust(actor, customer):
        raise Forbidden(_("Only the customer's managers may change points by hand."))
    if adjustment.requested_by_id == actor.pk:
        raise Forbidden(_("Another manager must approve a change you asked for."))
    with transaction.atomic():
        member = lock_member(adjustment.member_id)
        adjustment = PointsAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if adjustment.state != AdjustmentState.WAITING:
            raise Invalid(_("This change was already decided."))
        adjustment.decided_by = actor
        if approve:
            adjustment.state = AdjustmentState.APPLIED
            _apply(member, adjustment, actor)
        else:
            adjustment.state = AdjustmentState.REJECTED
            adjustment.save(update_fields=["state", "decided_by"])
    return adjustment


def _apply(member: Member, adjustment: PointsAdjustment, actor: User) -> None:
    who = actor_for(actor)
    fields = {"reason": adjustment.reason, "ref": f"adjustment:{adjustment.pk}"}
    if adjustment.points > 0:
        entry = credit(
            member, adjustment.points, EntryKind.ADJUST, who, timezone.localdate(), **fields
        )
    else:
        entry = debit(member, -adjustment.points, EntryKind.ADJUST, who, owe_rest=False, **fields)
    adjustment.entry = entry
    adjustment.save(update_fields=["state", "decided_by", "entry"])
    announce(who, member, entry)


def announce(actor: Actor, member: Member, entry: PointsEntry) -> None:
    """Emit points.changed for a change made by hand or by a rule other than earning."""
    emit(
        "points.changed", actor, customer_id=member.customer_id, subject_id=entry.pk,
        data={"kind": entry.kind, "points": entry.points, "debt": entry.debt},
    )  # fmt: skip


# --- Expiry ----------------------------------------------------------------------------


def expire(today: datetime.date) -> int:
    """Expire every lot whose day has come, for all members at once; return the points.

    Set-based: one entry per member with expiring points, the lots emptied and the kept
    balances lowered by three statements over the open-lot index, in one transaction, with
    the members locked first (as every other writer locks them) on PostgreSQL.
    """
    lot, member, entry = PointsLot._meta.db_table, Member._meta.db_table, PointsEntry._meta.db_table
    day = connection.ops.adapt_datefield_value(today)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    due = f"SELECT member_id FROM {lot} WHERE remaining > 0 AND expires_on <= %s"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM {member} WHERE id IN ({due}) ORDER BY id FOR UPDATE", [day]
            )
        cursor.execute(
            f"SELECT COALESCE(SUM(remaining), 0) FROM {lot}"
            " WHERE remaining > 0 AND expires_on <= %s",
            [day],
        )
        expired = int(cursor.fetchone()[0])
        if not expired:
            return 0
        cursor.execute(
            f"INSERT INTO {entry} (member_id, kind, points, debt, created_at, reason, ref,"
            " actor_label, order_id, actor_user_id)"
            f" SELECT member_id, %s, -SUM(remaining), 0, %s, '', '', %s, NULL, NULL FROM {lot}"
            " WHERE remaining > 0 AND expires_on <= %s GROUP BY member_id",
            [EntryKind.EXPIRE, now, "points-expiry", day],
        )
        cursor.execute(
            f"UPDATE {member} SET points_balance = points_balance - (SELECT SUM(remaining)"
            f" FROM {lot} WHERE {lot}.member_id = {member}.id"
            " AND remaining > 0 AND expires_on <= %s)"
            f" WHERE id IN ({due})",
            [day, day],
        )
        cursor.execute(
            f"UPDATE {lot} SET expired = expired + remaining, remaining = 0"
            " WHERE remaining > 0 AND expires_on <= %s",
            [day],
        )
    return expired


def expiring_on(day: datetime.date) -> list[tuple[int, int]]:
    """Return (customer id, points) of the members whose points expire on `day`."""
    rows = (
        PointsLot.objects.filter(remaining__gt=0, expires_on=day)
        .values("member__customer_id")
        .annotate(points=Sum("remaining"))
        .values_list("member__customer_id", "points")
    )
    return [(customer, int(points)) for customer, points in rows]


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    member_id: int
    kept: tuple[int, int]
    ledger: tuple[int, int]
    lots: int


def mismatches(fix: bool = False) -> list[Mismatch]:
    """Return the members whose kept balance or debt differs from their ledger, or whose
    lots do not add up to the balance; with `fix`, set the kept figures to the ledger's."""
    ledger = {
        m: (int(p or 0), int(d or 0))
        for m, p, d in PointsEntry.objects.values("member_id")
        .annotate(p=Sum("points"), d=Sum("debt"))
        .values_list("member_id", "p", "d")
    }
    lots = dict(
        PointsLot.objects.values("member_id")
        .annotate(r=Sum("remaining"))
        .values_list("member_id", "r")
    )
    found = []
    for pk, balance, debt in Member.objects.values_list(
        "pk", "points_balance", "points_debt"
    ).iterator():
        sums = ledger.get(pk, (0, 0))
        left = int(lots.get(pk) or 0)
        if (balance, debt) != sums or left != sums[0]:
            found.append(Mismatch(pk, (balance, debt), sums, left))
    if fix:
        with transaction.atomic():
            for mismatch in found:
                Member.objects.filter(pk=mismatch.member_id).update(
                    points_balance=mismatch.ledger[0], points_debt=mismatch.ledger[1]
                )
    return found


def statement(member: Member, limit: int = 200) -> list[PointsEntry]:
    """Return the member's ledger, newest first."""
    return list(member.entries.order_by("-created_at", "-pk")[:limit])


def open_lots(member: Member) -> list[PointsLot]:
    """Return the member's lots with points left, soonest expiry first."""
    return list(member.lots.filter(remaining__gt=0).order_by("expires_on", "pk"))


# --- Backfill of history before the programme --------------------------------------------


@dataclass(frozen=True)
class BackfillPreview:
    orders: int
    members: int
    points: int
    liability: Decimal


def _backfill_orders() -> "Q":
    start = Rules.current().programme_start
    if start is None:
        return Q(pk__in=[])
    return Q(status=OrderStatus.PAID, ordered_on__lt=start)


def _backfill_rows() -> list[tuple[int, int, datetime.date, Decimal]]:
    earned = PointsEarning.objects.values("order_id")
    return list(
        Order.objects.filter(_backfill_orders())
        .exclude(pk__in=earned)
        .values_list("pk", "customer_id", "ordered_on", "amount")
    )


def backfill_preview() -> BackfillPreview:
    """Return what backfilling the orders before the programme's start would create: orders,
    members, points and their liability (points × LOYALTY_POINT_VALUE), at the base rate."""
    rows = _backfill_rows()
    per_100 = Rules.current().per_100
    points = sum(points_for(amount, Decimal(1), per_100) for *_rest, amount in rows)
    value = Decimal(settings.LOYALTY_POINT_VALUE)
    return BackfillPreview(len(rows), len({row[1] for row in rows}), points, points * value)


def backfill(actor: User, expected_points: int) -> int:
    """Credit the orders before the programme's start at the base rate (admins only, after
    the preview: `expected_points` must still be what it showed); return the points. The
    points expire LOYALTY_EXPIRY_MONTHS from today, when they were earned."""
    if not actor.is_admin:
        raise Forbidden(_("Only an admin may backfill points."))
    rows = _backfill_rows()
    per_100 = Rules.current().per_100
    points = [points_for(amount, Decimal(1), per_100) for *_rest, amount in rows]
    if sum(points) != expected_points:
        raise Invalid(_("The orders changed since the preview; preview again."), "expected_points")
    now = timezone.now()
    with transaction.atomic():
        members, _tiers = member_ids_for([row[1] for row in rows])
        insert_columns(
            PointsEarning,
            ["order_id", "member_id", "amount", "points", "confirm_at", "state"],
            [
                [r[0] for r in rows], [members[r[1]] for r in rows], [r[3] for r in rows],
                points, [now] * len(rows), [EarningState.PENDING] * len(rows),
            ],
        )  # fmt: skip
    confirm_due(now, order_ids=[row[0] for row in rows])
    return sum(points)
