"""Service numbers: the figures a manager steers customer service by, for any period.

Every figure counts the tickets opened in the period (local dates in TIME_ZONE), so that a
period's numbers are one set of tickets; a ticket still open counts in what it has
reached (a first response, a breach, a kept promise). The period's tickets are read in one
query as columns of numbers (datetimes as epoch seconds, computed by the database) and the
figures are NumPy over those columns, for the whole period or per agent, team, category,
week or month; no ticket is looked at one by one in Python.

- complaint rate: customers with a complaint opened in the period ÷ active customers, where
  active is insights' meaning (a purchase within LOST_AFTER_DAYS before some day of the
  period, i.e. from start − LOST_AFTER_DAYS to the end), and a customer who complained in
  the period counts as active too (they are evidently in touch);
- first-response and resolution time: working time (core.calendar) from opening to the
  first response and to the resolution, median and mean;
- SLA met: tickets with an SLA target whose outcome is known (resolved, or breached), not
  breached on first response nor on resolution ÷ those tickets;
- promises kept: promises kept ÷ promises whose outcome is known;
- CSAT: answers of 4–5 ÷ answers (the sources' satisfied / surveyed who answered), with the
  response rate answered ÷ surveys sent; NPS: % promoters (9–10) − % detractors (0–6);
- reopen rate: tickets reopened ÷ tickets resolved at least once;
- goodwill gift cost: approved gifts' cost.
"""

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Case, F, FloatField, Func, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from accounts.access import visible_owner_q
from accounts.models import Membership, Role, User
from core.calendar import working_calendar
from customers.models import Customer
from insights.services import config as insights_config
from sales.services import purchase_rows
from service.models import Gift, GiftStatus, Kind, Ticket
from service.worktime import working_seconds

_EPOCH = datetime.date(1970, 1, 1)
_DAY = datetime.timedelta(days=1)


class Epoch(Func):
    """Seconds since the Unix epoch of a datetime column, as a float (NULL stays NULL).

    SQLite keeps datetimes as text, which its julianday() reads (to the millisecond).
    """

    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


# The columns read for each ticket, in order; datetimes as epoch seconds.
COLUMNS: dict[str, Any] = {
    "customer": "customer_id",
    "assignee": "assignee_id",
    "category": "category_id",
    "product": "product_id",
    "complaint": Case(When(kind=Kind.COMPLAINT, then=Value(1.0)), default=Value(0.0)),
    "opened": Epoch("opened_at"),
    "first_response": Epoch("first_responded_at"),
    "resolved": Epoch("resolved_at"),
    "first_response_due": Epoch("first_response_due"),
    "resolution_due": Epoch("resolution_due"),
    "first_response_breached": Epoch("first_response_breached_at"),
    "resolution_breached": Epoch("resolution_breached_at"),
    # PostgreSQL casts no boolean to a number.
    "promise_kept": Case(
        When(promise_kept=True, then=Value(1.0)),
        When(promise_kept=False, then=Value(0.0)),
        default=None,
        output_field=FloatField(),
    ),
    "reopen_count": "reopen_count",
    "survey": "survey__id",
    "answered": Epoch("survey__answered_at"),
    "csat": "survey__csat",
    "nps": "survey__nps",
    # A float is exact enough for money that is rounded back to cents once summed.
    "gift_cost": Cast(
        Coalesce(
            Subquery(
                Gift.objects.filter(ticket=OuterRef("pk"), status=GiftStatus.APPROVED)
                .values("ticket")
                .annotate(total=Sum("cost"))
                .values("total")
            ),
            Value(Decimal(0)),
        ),
        FloatField(),
    ),
}
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_MOMENTS = [i for i, value in enumerate(COLUMNS.values()) if isinstance(value, Epoch)]


def visible_tickets_q(user: User) -> Q:
    """Return the tickets the user may count: an agent, a manager and an admin every ticket,
    a rep their own customers' (the access rule on the ticket's customer's owner)."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.is_admin or user.role in (Role.AGENT, Role.MANAGER):
        return Q()
    return visible_owner_q(user, "customer__owner")


def visible_customer_ids(user: User) -> np.ndarray | None:
    """Return the customers a user's complaint rate counts, or None for every customer."""
    if user.is_active and (user.is_admin or user.role in (Role.AGENT, Role.MANAGER)):
        return None
    ids = Customer.objects.filter(visible_owner_q(user)).values_list("pk", flat=True)
    return np.fromiter(ids.iterator(), dtype=np.int64)


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """Return the first moment of `start` and of the day after `end` in TIME_ZONE."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(end + _DAY, datetime.time(), tzinfo=zone),
    )


@dataclass(frozen=True)
class TicketTable:
    """The period's tickets as columns (COLUMNS), with their working times worked out."""

    start: datetime.date
    end: datetime.date
    values: np.ndarray  # one row per ticket, one float column per COLUMNS entry
    first_response_seconds: np.ndarray  # working seconds, NaN until the first response
    resolution_seconds: np.ndarray  # working seconds, NaN until resolved

    def column(self, name: str) -> np.ndarray:
        return self.values[:, _INDEX[name]]

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def only(self, keep: np.ndarray) -> "TicketTable":
        """Return the table of the tickets the mask keeps."""
        return TicketTable(
            self.start, self.end, self.values[keep],
            self.first_response_seconds[keep], self.resolution_seconds[keep],
        )  # fmt: skip

    def local_days(self) -> np.ndarray:
        """Return each ticket's opening day as days since `start` (TIME_ZONE)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        days = (self.end - self.start).days + 1
        midnights = np.array(
            [
                datetime.datetime.combine(self.start + _DAY * i, datetime.time(), tzinfo=zone)
                .timestamp()
                for i in range(days)
            ]
        )  # fmt: skip
        return np.searchsorted(midnights, self.column("opened"), side="right") - 1


def load(tickets: Q, start: datetime.date, end: datetime.date) -> TicketTable:
    """Return the tickets matching `tickets` opened from `start` to `end`, as columns."""
    since, until = period_bounds(start, end)
    query = (
        Ticket.objects.filter(tickets, opened_at__gte=since, opened_at__lt=until)
        .annotate(**{f"n_{name}": _expression(value) for name, value in COLUMNS.items()})
        .values_list(*(f"n_{name}" for name in COLUMNS))
    )
    # Straight from the cursor: every column is already a number, and the ORM's converters
    # per value cost as much again as the database's reading.
    with connection.cursor() as cursor:
        cursor.execute(*query.query.sql_with_params())
        rows = cursor.fetchall()
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(COLUMNS))
    # To the millisecond, as SQLite keeps them: its julianday() leaves float noise below.
    values[:, _MOMENTS] = np.round(values[:, _MOMENTS], 3)
    opened = values[:, _INDEX["opened"]]
    calendar = working_calendar()
    return TicketTable(
        start, end, values,
        working_seconds(calendar, opened, values[:, _INDEX["first_response"]]),
        working_seconds(calendar, opened, values[:, _INDEX["resolved"]]),
    )  # fmt: skip


def _expression(value: Any) -> Any:
    """Return a column's expression; a plain field path becomes a float for the NumPy table."""
    return Cast(F(value), FloatField()) if isinstance(value, str) else value


@dataclass(frozen=True)
class Figures:
    """The service figures of one set of tickets; each ratio with its parts."""

    tickets: int
    complaints: int
    complaining_customers: int
    active_customers: int | None  # None where a complaint rate means nothing (an agent)
    first_responses: int
    first_response_median: float | None  # working seconds
    first_response_mean: float | None
    resolutions: int
    resolution_median: float | None
    resolution_mean: float | None
    sla_met: int
    sla_settled: int
    promises_kept: int
    promises_settled: int
    surveys_sent: int
    surveys_answered: int
    csat_answers: int
    satisfied: int
    nps_answers: int
    promoters: int
    detractors: int
    reopened: int
    resolved_once: int
    gift_cost: Decimal

    @property
    def complaint_rate(self) -> float | None:
        return _ratio(self.complaining_customers, self.active_customers)

    @property
    def sla_met_rate(self) -> float | None:
        return _ratio(self.sla_met, self.sla_settled)

    @property
    def promise_kept_rate(self) -> float | None:
        return _ratio(self.promises_kept, self.promises_settled)

    @property
    def csat(self) -> float | None:
        return _ratio(self.satisfied, self.csat_answers)

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.surveys_answered, self.surveys_sent)

    @property
    def nps(self) -> float | None:
        """Return the net promoter score, −100 to 100."""
        if not self.nps_answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.nps_answers

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.reopened, self.resolved_once)


def _ratio(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


def figures(table: TicketTable, active_customers: int | None) -> Figures:
    """Return the figures of every ticket in the table; `active_customers` is the complaint
    rate's denominator (None: no complaint rate for this set of tickets)."""
    col = table.column
    complaint = col("complaint") == 1
    complaining = np.unique(col("customer")[complaint])
    breached = ~np.isnan(col("first_response_breached")) | ~np.isnan(col("resolution_breached"))
    has_sla = ~np.isnan(col("first_response_due")) | ~np.isnan(col("resolution_due"))
    settled = has_sla & (breached | ~np.isnan(col("resolved")))
    promise, csat, nps = col("promise_kept"), col("csat"), col("nps")
    reopened = col("reopen_count") > 0
    first, resolution = table.first_response_seconds, table.resolution_seconds
    cents = np.round(col("gift_cost") * 100).astype(np.int64).sum()
    return Figures(
        tickets=len(table), complaints=int(complaint.sum()),
        complaining_customers=int(complaining.size),
        active_customers=active_customers,
        first_responses=int((~np.isnan(first)).sum()),
        first_response_median=_median(first), first_response_mean=_mean(first),
        resolutions=int((~np.isnan(resolution)).sum()),
        resolution_median=_median(resolution), resolution_mean=_mean(resolution),
        sla_met=int((settled & ~breached).sum()), sla_settled=int(settled.sum()),
        promises_kept=int((promise == 1).sum()), promises_settled=int((~np.isnan(promise)).sum()),
        surveys_sent=int((~np.isnan(col("survey"))).sum()),
        surveys_answered=int((~np.isnan(col("answered"))).sum()),
        csat_answers=int((~np.isnan(csat)).sum()), satisfied=int((csat >= 4).sum()),
        nps_answers=int((~np.isnan(nps)).sum()), promoters=int((nps >= 9).sum()),
        detractors=int((nps <= 6).sum()),
        reopened=int(reopened.sum()),
        resolved_once=int((reopened | ~np.isnan(col("resolved"))).sum()),
        gift_cost=Decimal(int(cents)).scaleb(-2),
    )  # fmt: skip


def _median(values: np.ndarray) -> float | None:
    known = values[~np.isnan(values)]
    return float(np.median(known)) if known.size else None


def _mean(values: np.ndarray) -> float | None:
    known = values[~np.isnan(values)]
    return float(known.mean()) if known.size else None


# Active customers --------------------------------------------------------------------------


def lost_after_days() -> int:
    """Return insights' days without a purchase after which a customer counts as lost."""
    days: int = insights_config()["lost_after_days"]
    return days


class ActiveCustomers:
    """Counts the customers (of `customer_ids`, None: all) active in stretches of a period:
    a paid purchase from LOST_AFTER_DAYS before the stretch's first day to its last. The
    purchases are read once (sales.services.purchase_rows) for every stretch."""

    def __init__(
        self, customer_ids: np.ndarray | None, end: datetime.date, lost_after: int | None = None
    ) -> None:
        rows = purchase_rows(end)
        keep = np.ones(rows.day.shape, dtype=bool)
        if customer_ids is not None:
            keep = np.isin(rows.customer_id, customer_ids)
        self.customer, self.day = rows.customer_id[keep], rows.day[keep]
        self.lost_after = lost_after_days() if lost_after is None else lost_after

    def count(self, first: datetime.date, last: datetime.date, also: np.ndarray) -> int:
        """Return how many were active from `first` to `last`, counting the customers in
        `also` (those who complained then) as active too."""
        low = (first - _EPOCH).days - self.lost_after
        high = (last - _EPOCH).days
        ids = self.customer[(self.day >= low) & (self.day <= high)]
        return int(np.union1d(ids, also).size)


# Groups ------------------------------------------------------------------------------------


class Group(enum.StrEnum):
    TOTAL = "total"
    AGENT = "agent"
    TEAM = "team"
    CATEGORY = "category"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Row:
    """One group's figures: its key (a user, team or category id, a first day) and label."""

    key: Any
    label: str
    figures: Figures


@dataclass(frozen=True)
class Scope:
    """Which tickets and customers the figures count: one page's, for one request (it keeps
    the purchases it reads)."""

    tickets: Q  # the access rule and filters on Ticket
    customer_ids: np.ndarray | None  # the customers the complaint rate counts (None: all)
    lost_after: int | None = None  # days without a purchase that make a customer lost
    # The purchases read for each period end, kept for the page's other groupings.
    _active: dict[datetime.date, "ActiveCustomers"] = field(
        default_factory=dict, compare=False, repr=False
    )

    def active(self, end: datetime.date) -> "ActiveCustomers":
        """Return the active-customer counter up to `end`, reading the purchases once."""
        if end not in self._active:
            self._active[end] = ActiveCustomers(self.customer_ids, end, self.lost_after)
        return self._active[end]


def total(table: TicketTable, scope: Scope) -> Figures:
    """Return the figures of the whole table, with the complaint rate."""
    active = scope.active(table.end)
    return figures(table, _active(table, active, table.start, table.end))


def _active(
    table: TicketTable, active: ActiveCustomers, first: datetime.date, last: datetime.date
) -> int:
    """Return the customers active from `first` to `last`, those complaining in the table
    among them."""
    complaining = np.unique(table.column("customer")[table.column("complaint") == 1])
    return active.count(first, last, complaining)


def rows(table: TicketTable, scope: Scope, group: Group, names: "Names") -> list[Row]:
    """Return the figures per group, in the group's natural order (none for the total)."""
    grouper = _GROUPERS.get(group)
    return grouper(table, scope, names) if grouper else []


@dataclass(frozen=True)
class Names:
    """How a page names what it groups by (in the reader's language)."""

    user: Callable[[int | None], str]
    category: Callable[[int | None], str]
    week: Callable[[datetime.date], str]
    month: Callable[[datetime.date], str]


def _by_key(
    table: TicketTable, keys: np.ndarray, label: Callable[[Any], str], active: int | None
) -> list[Row]:
    distinct = np.unique(keys[~np.isnan(keys)])
    result = [
        Row(int(key), label(int(key)), figures(table.only(keys == key), active)) for key in distinct
    ]
    if np.isnan(keys).any():
        result.append(Row(None, label(None), figures(table.only(np.isnan(keys)), active)))
    return result


def _by_agent(table: TicketTable, scope: Scope, names: Names) -> list[Row]:
    rows = _by_key(table, table.column("assignee"), names.user, None)
    return sorted(rows, key=lambda row: (row.key is None, row.label))


def _by_team(table: TicketTable, scope: Scope, names: Names) -> list[Row]:
    """Return each team's figures: the tickets whose owner is a member (a member of two
    teams counts in both)."""
    assignees = np.unique(table.column("assignee")[~np.isnan(table.column("assignee"))])
    pairs = Membership.objects.filter(user_id__in=[int(a) for a in assignees])
    members: dict[tuple[int, str], list[int]] = {}
    for team_id, team_name, user_id in pairs.values_list("team_id", "team__name", "user_id"):
        members.setdefault((team_id, team_name), []).append(user_id)
    owner = table.column("assignee")
    return [
        Row(team_id, name, figures(table.only(np.isin(owner, ids)), None))
        for (team_id, name), ids in sorted(members.items(), key=lambda item: item[0][1])
    ]


def _by_category(table: TicketTable, scope: Scope, names: Names) -> list[Row]:
    active = scope.active(table.end)
    count = _active(table, active, table.start, table.end)
    rows = _by_key(table, table.column("category"), names.category, count)
    # The categories with the most tickets first: where the work and the trouble are.
    return sorted(rows, key=lambda row: (row.key is None, -row.figures.tickets, row.label))


def weeks(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Return the Mondays of the weeks the period touches."""
    first = start - _DAY * start.weekday()
    return [first + _DAY * 7 * i for i in range((end - first).days // 7 + 1)]


def months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Return the first days of the months the period touches."""
    result, month = [], start.replace(day=1)
    while month <= end:
        result.append(month)
        month = (month + _DAY * 32).replace(day=1)
    return result


def _by_time(
    table: TicketTable,
    scope: Scope,
    firsts: list[datetime.date],
    label: Callable[[datetime.date], str],
) -> list[Row]:
    """Return each stretch's figures (every stretch, with or without tickets), its complaint
    rate over the customers active in that stretch (clipped to the period)."""
    day = table.local_days()
    offsets = np.array([(first - table.start).days for first in firsts])
    slot = np.searchsorted(offsets, day, side="right") - 1
    active = scope.active(table.end)
    result = []
    for i, first in enumerate(firsts):
        last = firsts[i + 1] - _DAY if i + 1 < len(firsts) else table.end
        part = table.only(slot == i)
        count = _active(part, active, max(first, table.start), min(last, table.end))
        result.append(Row(first, label(first), figures(part, count)))
    return result


def _by_week(table: TicketTable, scope: Scope, names: Names) -> list[Row]:
    return _by_time(table, scope, weeks(table.start, table.end), names.week)


def _by_month(table: TicketTable, scope: Scope, names: Names) -> list[Row]:
    return _by_time(table, scope, months(table.start, table.end), names.month)


_GROUPERS: dict[Group, Callable[[TicketTable, Scope, Names], list[Row]]] = {
    Group.AGENT: _by_agent,
    Group.TEAM: _by_team,
    Group.CATEGORY: _by_category,
    Group.WEEK: _by_week,
    Group.MONTH: _by_month,
}
