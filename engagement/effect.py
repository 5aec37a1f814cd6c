"""Care effect (关怀效果): what care messages led to, per care type, channel and month.

For each month, care occasion (the message's cause) and channel: messages sent and their
cost, replies (an inbound contact logged within 7 days after the send), positive responses
(the rep's mark on the message), and repurchase within 30 and 90 days compared with similar
customers who got no care message that month.

Everything is counted by the database in a few aggregate queries (one over the month
range's messages, one per month over the customers for the comparison group), never per
message: the page must stay quick with a million customers and hundreds of thousands of
messages.

The comparison: each contacted customer is described, on the day of the send, by value tier
(from the newest scoring run before that day whose scores are kept) and recency (days since
the last paid order before that day, in buckets); each customer not contacted that month is
described the same way on the month's 15th, the day a send spread over the month falls on
on average. The lift is the contacted customers' repurchase rate minus the rate the
uncontacted would have had with the contacted customers' mix of tier and recency (direct
standardisation over the strata both groups have), in percentage points.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable, Func
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import visible_owner_q
from accounts.models import User
from core.actors import actor_for
from core.errors import Invalid, NotFound
from core.events import emit
from customers.models import Customer
from engagement.models import Message, MessageResponse, Purpose, ResponseMark, Status
from engagement.services import check_may_send
from insights.models import CustomerScore, score_key
from insights.services import scored_runs
from interactions.services import inbound_interactions
from sales.services import paid_orders

REPLY_WINDOW = datetime.timedelta(days=7)
REPURCHASE_DAYS = (30, 90)
# Recency buckets by days since the last paid order: up to 30, 90, 180, 365, more, never.
RECENCY_EDGES = (30, 90, 180, 365)
NEVER = len(RECENCY_EDGES) + 1
MAX_MONTHS = 24
# The day of the month on which a customer not contacted is described and their windows start.
CONTROL_DAY = 15
SENT_STATUSES = (Status.SENT, Status.DELIVERED)
CENT = Decimal("0.01")


class ResponseEvent:
    MARKED = "message.response_marked"  # data: {"mark"}


# Counting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Repurchase of contacted against matched uncontacted customers for one window.

    `state` is "ok", "too_small" (either matched group under the minimum) or "open" (the
    window has not ended for every send of the month).
    """

    days: int
    state: str
    contacted: int = 0
    control: int = 0
    contacted_rate: float | None = None
    control_rate: float | None = None

    @property
    def lift_points(self) -> float | None:
        """Return the lift in percentage points, when the groups can be compared."""
        if self.state != "ok" or self.contacted_rate is None or self.control_rate is None:
            return None
        return (self.contacted_rate - self.control_rate) * 100


@dataclass
class EffectRow:
    """One month, care type and channel."""

    month: datetime.date
    cause_kind: str
    channel: str
    sent: int = 0
    cost: Decimal = Decimal(0)
    replies: int = 0
    positive: int = 0
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        return self.replies / self.sent if self.sent else None

    @property
    def positive_rate(self) -> float | None:
        return self.positive / self.sent if self.sent else None


# Per stratum (tier, recency): [customers, bought within 30 days, bought within 90 days].
Strata = dict[tuple[str, int], list[int]]


def min_group() -> int:
    """Return the smallest matched group a repurchase comparison is shown for."""
    return int(getattr(settings, "CARE_EFFECT_MIN_GROUP", 30))


def control_sample() -> int:
    """Return how many uncontacted customers at most are described each month."""
    return int(getattr(settings, "CARE_EFFECT_CONTROL_SAMPLE", 10_000))


def check_month_range(first: datetime.date, last: datetime.date, today: datetime.date) -> None:
    """Refuse a range that ends before it starts, lies in the future or is over 24 months."""
    if last < first:
        raise Invalid(_("The last month must not be before the first."), "end")
    if last > today.replace(day=1):
        raise Invalid(_("The last month cannot be in the future."), "end")
    if _month_index(last) - _month_index(first) >= MAX_MONTHS:
        raise Invalid(_("Choose at most %(n)d months.") % {"n": MAX_MONTHS}, "start")


def care_effect(
    user: User, first: datetime.date, last: datetime.date, today: datetime.date | None = None
) -> list[EffectRow]:
    """Return the care effect rows of the months from `first` to `last` (any day in each),
    over the customers the user may see, by month, care type and channel."""
    today = today or timezone.localdate()
    first, last = first.replace(day=1), last.replace(day=1)
    check_month_range(first, last, today)
    runs = scored_runs()
    visible = Customer.objects.filter(visible_owner_q(user))
    with _without_jit():
        rows, treated = _contacted(visible, first, last, runs)
        # Only months whose shortest window is over are compared.
        months = {row.month for row in rows.values() if _window_over(row.month, 30, today)}
        controls = {month: _uncontacted(visible, month, runs) for month in sorted(months)}
    minimum = min_group()
    for key, row in rows.items():
        row.comparisons = [
            _compare(days, index, treated[key], controls[row.month], minimum)
            if _window_over(row.month, days, today)
            else Comparison(days, "open")
            for index, days in enumerate(REPURCHASE_DAYS, start=1)
        ]
    return sorted(rows.values(), key=lambda r: (r.month, r.cause_kind, r.channel))


@contextmanager
def _without_jit() -> Iterator[None]:
    """Turn PostgreSQL's JIT compiler off for this transaction's queries.

    Their many correlated lookups make the planner's cost estimate high enough to compile
    them, which took 1.1 of 1.4 s on 10,000 messages for work that runs in 0.3 s.
    """
    if connection.vendor != "postgresql":
        # Not a transaction on SQLite: the app's transactions start IMMEDIATE, taking the
        # write lock for as long as the page counts.
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _contacted(
    visible: QuerySet[Customer, Any],
    first: datetime.date,
    last: datetime.date,
    runs: list[tuple[datetime.date, int]],
) -> tuple[dict[tuple[Any, ...], EffectRow], dict[tuple[Any, ...], Strata]]:
    """Return the rows' counts and each row's contacted customers by stratum (one query)."""
    zone = timezone.get_current_timezone()
    start = _local_midnight(first)
    end = _local_midnight(_month_end(last) + datetime.timedelta(days=1))
    messages = (
        Message.objects.filter(
            purpose=Purpose.CARE,
            status__in=SENT_STATUSES,
            sent_at__gte=start,
            sent_at__lt=end,
            customer__in=visible.values("pk"),
        )
        .annotate(
            month=TruncMonth("sent_at", output_field=DateField(), tzinfo=zone),
            day=_local_day("sent_at", first, end),
        )
        .annotate(
            replied=Exists(
                inbound_interactions().filter(
                    customer=OuterRef("customer_id"),
                    occurred_at__gt=OuterRef("sent_at"),
                    occurred_at__lte=OuterRef("sent_at") + REPLY_WINDOW,
                )
            ),
            **_baseline(F("day"), runs),
        )
        .values("month", "cause_kind", "channel", "tier", "recency")
        .annotate(
            sent=Count("pk"),
            cost=Sum("cost"),
            replies=Count("pk", filter=Q(replied=True)),
            positive=Count("pk", filter=Q(response__mark=ResponseMark.POSITIVE)),
            bought_1=Count("pk", filter=Q(bought_1=True)),
            bought_2=Count("pk", filter=Q(bought_2=True)),
        )
        .order_by()
    )
    rows: dict[tuple[Any, ...], EffectRow] = {}
    treated: dict[tuple[Any, ...], Strata] = defaultdict(dict)
    for found in messages:
        key = (found["month"], found["cause_kind"], found["channel"])
        row = rows.setdefault(key, EffectRow(*key))
        row.sent += found["sent"]
        # SQLite sums decimals as floats: back to cents.
        row.cost = (row.cost + (found["cost"] or Decimal(0))).quantize(CENT)
        row.replies += found["replies"]
        row.positive += found["positive"]
        treated[key][(found["tier"], found["recency"])] = [
            found["sent"], found["bought_1"], found["bought_2"],
        ]  # fmt: skip
    return rows, treated


def _uncontacted(
    visible: QuerySet[Customer, Any], month: datetime.date, runs: list[tuple[datetime.date, int]]
) -> Strata:
    """Return the customers who got no care message in the month, by stratum (one query)."""
    day = month.replace(day=CONTROL_DAY)
    contacted = Message.objects.filter(
        customer=OuterRef("pk"), purpose=Purpose.CARE, status__in=SENT_STATUSES,
        sent_at__gte=_local_midnight(month),
        sent_at__lt=_local_midnight(_month_end(month) + datetime.timedelta(days=1)),
    )  # fmt: skip
    customers = (
        _sample(visible)
        .exclude(Exists(contacted))
        .annotate(customer_id=F("pk"), **_baseline(Value(day, output_field=DateField()), runs))
        .values("tier", "recency")  # type: ignore[misc]  # annotations mypy cannot see
        .annotate(
            n=Count("pk"),
            bought_1=Count("pk", filter=Q(bought_1=True)),
            bought_2=Count("pk", filter=Q(bought_2=True)),
        )
        .order_by()
    )
    return {(c["tier"], c["recency"]): [c["n"], c["bought_1"], c["bought_2"]] for c in customers}


def _sample(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Return every customer, or a regular sample (every n-th by key) when there are more
    than CARE_EFFECT_CONTROL_SAMPLE: describing a million customers a month would keep the
    page waiting for minutes, and rates in each stratum need far fewer."""
    wanted = control_sample()
    total = customers.count()
    if total <= wanted:
        return customers
    step = -(-total // wanted)
    return customers.alias(slot=F("pk") % step).filter(slot=0)


def _baseline(day: Combinable, runs: list[tuple[datetime.date, int]]) -> dict[str, Any]:
    """Return the annotations describing a customer (`customer_id`) on `day`: value tier,
    recency bucket, and whether they bought within each repurchase window after it.

    Orders on the day itself count for neither side: an order's time is not known, so it may
    have come before the send.
    """
    customer = OuterRef("customer_id")
    orders = paid_orders().filter(customer=customer)
    # The bucket of the newest earlier order, in one lookup on the order index.
    bucket = Case(
        *(
            When(ordered_on__gt=_shift(OuterRef("day_ref"), -edge - 1), then=Value(i))
            for i, edge in enumerate(RECENCY_EDGES)
        ),
        default=Value(len(RECENCY_EDGES)),
        output_field=IntegerField(),
    )
    latest = (
        orders.filter(ordered_on__lt=OuterRef("day_ref"))
        .order_by("-ordered_on")
        .annotate(bucket=bucket)
        .values("bucket")[:1]
    )
    bought = {
        f"bought_{i}": Exists(
            orders.filter(
                ordered_on__gt=OuterRef("day_ref"),
                ordered_on__lte=_shift(OuterRef("day_ref"), days),
            )
        )
        for i, days in enumerate(REPURCHASE_DAYS, start=1)
    }
    return {
        "day_ref": ExpressionWrapper(day, output_field=DateField()),
        "score_key": _score_key(runs),
        "tier": Coalesce(
            Subquery(
                CustomerScore.objects.filter(pk=OuterRef("score_key")).values("value_tier")[:1]
            ),
            Value(""),
            output_field=CharField(),
        ),
        "recency": Coalesce(Subquery(latest), Value(NEVER), output_field=IntegerField()),
        **bought,
    }


def _score_key(runs: list[tuple[datetime.date, int]]) -> Any:
    """Return the key of the customer's score in the newest kept run dated before `day_ref`
    (null without one, so the tier is "")."""
    run_base = Case(
        *(When(day_ref__gt=as_of, then=Value(score_key(run_id, 0))) for as_of, run_id in runs),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    return ExpressionWrapper(run_base + F("customer_id"), output_field=BigIntegerField())


class ShiftDays(Func):
    """The date `days` later (earlier when negative), in the database's own date arithmetic.

    Django's date-plus-timedelta runs a Python function per row on SQLite; a page counting
    a hundred thousand messages calls it millions of times. `days` is an int of ours.
    """

    output_field = DateField()
    template = "(CAST(%(expressions)s AS date) + %(days)d)"

    def __init__(self, expression: Any, days: int) -> None:
        super().__init__(expression, days=int(days))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "date(%(expressions)s, '%(days)+d days')"
        return self.as_sql(compiler, connection, template=template, **extra)


class FixedOffsetDay(Func):
    """The calendar day of a stored UTC time at a fixed offset from UTC, in SQLite's own
    date function (Django's time-zone conversion is a Python function per row there)."""

    output_field = DateField()
    template = "date(%(expressions)s, '%(seconds)+d seconds')"

    def __init__(self, expression: Any, seconds: int) -> None:
        super().__init__(expression, seconds=int(seconds))


def _local_day(field_name: str, first: datetime.date, end: datetime.datetime) -> Any:
    """Return the day of a time in the current time zone: on SQLite, in its own date function
    when the zone keeps one offset over the months counted (Asia/Shanghai always does)."""
    zone = timezone.get_current_timezone()
    if connection.vendor == "sqlite":
        moments = [_local_midnight(first) + datetime.timedelta(days=n)
                   for n in range((end.date() - first).days + 2)]  # fmt: skip
        offsets = {zone.utcoffset(moment.replace(tzinfo=None)) for moment in moments}
        if len(offsets) == 1 and (offset := offsets.pop()) is not None:
            return FixedOffsetDay(F(field_name), int(offset.total_seconds()))
    return TruncDate(field_name, tzinfo=zone)


def _shift(day: Any, days: int) -> Any:
    return ShiftDays(day, days)


def _compare(days: int, index: int, treated: Strata, control: Strata, minimum: int) -> Comparison:
    """Return the comparison over the strata both groups have (direct standardisation)."""
    shared = [s for s in treated if s in control and control[s][0]]
    contacted = sum(treated[s][0] for s in shared)
    uncontacted = sum(control[s][0] for s in shared)
    if min(contacted, uncontacted) < max(minimum, 1):
        return Comparison(days, "too_small", contacted, uncontacted)
    rate = sum(treated[s][index] for s in shared) / contacted
    expected = sum(treated[s][0] * control[s][index] / control[s][0] for s in shared) / contacted
    return Comparison(days, "ok", contacted, uncontacted, rate, expected)


def _window_over(month: datetime.date, days: int, today: datetime.date) -> bool:
    """Return whether the window of `days` after every send of the month has ended."""
    return _month_end(month) + datetime.timedelta(days=days) < today


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first days of the months from `first` to `last`."""
    return [
        datetime.date(index // 12, index % 12 + 1, 1)
        for index in range(_month_index(first), _month_index(last) + 1)
    ]


# Responses -----------------------------------------------------------------------------------


def visible_message(user: User, message_id: int) -> Message:
    """Return the message if the user may see its customer (404 otherwise)."""
    message = (
        Message.objects.filter(pk=message_id, customer__in=Customer.objects.filter(
            visible_owner_q(user)
        ).values("pk"))
        .select_related("customer")
        .first()
    )  # fmt: skip
    if message is None:
        raise NotFound(_("No such message."), "message_id")
    return message


@transaction.atomic
def mark_response(actor: User, message: Message, mark: str) -> MessageResponse:
    """Record how the customer took a sent message (a new mark replaces the old one)."""
    check_may_send(actor, message.customer)
    if mark not in ResponseMark.values:
        raise Invalid(_("Choose positive, neutral or negative."), "mark")
    if message.status not in SENT_STATUSES:
        raise Invalid(_("Only a sent message can have a response."), "mark")
    response, _created = MessageResponse.objects.update_or_create(
        message=message,
        defaults={"mark": mark, "marked_by": actor, "marked_at": timezone.now()},
    )
    emit(
        ResponseEvent.MARKED, actor_for(actor), customer_id=message.customer_id,
        subject_id=message.pk, data={"mark": mark},
    )  # fmt: skip
    return response
