"""SLA deadlines on the team's working calendar, and the sweep that warns, breaches and
escalates.

Contract for the workflow (service.services): after every step that changes a ticket's
clock-relevant fields (created, acknowledged, waiting on the customer started or ended,
resolved, reopened, priority or customer tier changed), call `refresh_deadlines(ticket, now)`
inside the same transaction; it sets `first_response_due` and `resolution_due` and returns the
names of the fields it changed, for `save(update_fields=...)`.

The clocks count working time from `opened_at` on core's calendar. They stop while the team
waits on the customer and while the ticket is resolved (a reopening carries on from where
the clock stopped): the working time of each pause is added to `sla_paused`, so a deadline
is always `opened_at` + target + paused working time, which a calendar change can work out
again for every open ticket at once. The first-response deadline is fixed once answered.

The sweep (every minute, service.tasks) marks set-based: a warning at 75 % of a target, a
breach at the deadline, and with the first breach an escalation to the team lead. Marks are
set once and never cleared: a breach stays a breach.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least, NullIf
from django.utils import timezone

from accounts.models import Membership, Role, User
from core import events
from core.actors import Actor
from core.calendar import WorkingCalendar, working_calendar
from core.chunks import chunked
from insights.models import CustomerScore
from insights.services import latest_run
from service import promises
from service.models import OPEN_STATUSES, SlaPolicy, Ticket

SWEEP_ACTOR = Actor.of_job("sla-sweep")
ZERO = datetime.timedelta(0)


def warning_share(target: datetime.timedelta) -> datetime.timedelta:
    """Return the working time after which a clock with this target warns: 75 %."""
    return target * 3 // 4


@dataclass(frozen=True)
class Deadlines:
    """A ticket's deadlines and warning moments (None without a policy)."""

    first_response_due: datetime.datetime | None = None
    first_response_warn_at: datetime.datetime | None = None
    resolution_due: datetime.datetime | None = None
    resolution_warn_at: datetime.datetime | None = None
    next_due: datetime.datetime | None = None

    def fields(self) -> dict[str, datetime.datetime | None]:
        return {
            "first_response_due": self.first_response_due,
            "first_response_warn_at": self.first_response_warn_at,
            "resolution_due": self.resolution_due,
            "resolution_warn_at": self.resolution_warn_at,
            "next_due": self.next_due,
        }


def deadlines(
    calendar: WorkingCalendar,
    opened_at: datetime.datetime,
    first_response: datetime.timedelta,
    resolution: datetime.timedelta,
    paused: datetime.timedelta,
    answered: tuple[datetime.datetime, datetime.datetime | None] | None = None,
) -> Deadlines:
    """Return the deadlines of a ticket opened at `opened_at` with these targets and this
    much paused working time.

    `answered` is (first response, its deadline as fixed then) once the customer has had a
    first response: that deadline no longer moves (None if none was set then).
    """

    def after(work: datetime.timedelta) -> datetime.datetime:
        return calendar.add(opened_at, work + paused).astimezone(datetime.UTC)

    resolution_due = after(resolution)
    if answered is not None:
        first_due = answered[1]
        return Deadlines(first_due, None, resolution_due, after(warning_share(resolution)),
                         resolution_due)  # fmt: skip
    first_due = after(first_response)
    return Deadlines(
        first_due, after(warning_share(first_response)),
        resolution_due, after(warning_share(resolution)),
        min(first_due, resolution_due),
    )  # fmt: skip


def customer_tier(customer_id: int) -> str:
    """Return the customer's value tier in the latest scoring run ("" before any run)."""
    run = latest_run()
    if run is None:
        return ""
    tier = CustomerScore.objects.of_customer(run.pk, customer_id).values_list(
        "value_tier", flat=True
    )
    return tier.first() or ""


def policy_for(priority: str, tier: str) -> SlaPolicy | None:
    """Return the policy of the priority and tier, else of the priority for any tier."""
    found = SlaPolicy.objects.filter(priority=priority, value_tier__in=[tier, ""])
    return found.order_by("-value_tier").first()


def _clock_stopped(ticket: Ticket) -> bool:
    return ticket.waiting_since is not None or ticket.status not in OPEN_STATUSES


def _track_pause(ticket: Ticket, calendar: WorkingCalendar, now: datetime.datetime) -> list[str]:
    """Start or end the running pause; return the fields changed."""
    stopped = _clock_stopped(ticket)
    if stopped and ticket.sla_paused_since is None:
        began = ticket.waiting_since or ticket.resolved_at or now
        ticket.sla_paused_since = min(began, now)
        return ["sla_paused_since"]
    if not stopped and ticket.sla_paused_since is not None:
        ticket.sla_paused += max(calendar.between(ticket.sla_paused_since, now), ZERO)
        ticket.sla_paused_since = None
        return ["sla_paused", "sla_paused_since"]
    return []


def refresh_deadlines(ticket: Ticket, now: datetime.datetime) -> list[str]:
    """Return the fields changed on `ticket` after working its SLA clocks and deadlines (and
    the promise's outcome once resolved) out again; the caller saves them."""
    calendar = working_calendar()
    changed = _track_pause(ticket, calendar, now)
    policy = policy_for(ticket.priority, customer_tier(ticket.customer_id))
    if ticket.sla_policy_id != (policy.pk if policy else None):
        ticket.sla_policy = policy
        changed.append("sla_policy")
    new = Deadlines()
    if policy is not None:
        answered = None
        if ticket.first_responded_at is not None:
            answered = (ticket.first_responded_at, ticket.first_response_due)
        new = deadlines(
            calendar, ticket.opened_at, policy.first_response, policy.resolution,
            ticket.sla_paused, answered,
        )  # fmt: skip
    for name, value in new.fields().items():
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed.append(name)
    changed += promises.settle_at_resolution(ticket, now)
    # Open: the next sweep looks at the ticket and works its next check out (check_moment).
    check = now if ticket.status in OPEN_STATUSES else None
    if ticket.sla_check_at != check:
        ticket.sla_check_at = check
        changed.append("sla_check_at")
    return changed


FAR = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def check_moment() -> Case:
    """Return, as SQL, the earliest moment a sweep has something to do for a ticket: a
    warning or deadline not yet marked while its clock runs, a promise's reminder or time
    while it runs; NULL for none (a ticket no longer open)."""
    running = Q(waiting_since__isnull=True)
    unanswered = running & Q(first_responded_at__isnull=True)
    pending = [
        (unanswered & Q(sla_warned_at__isnull=True), "first_response_warn_at"),
        (unanswered & Q(first_response_breached_at__isnull=True), "first_response_due"),
        (running & Q(resolution_warned_at__isnull=True), "resolution_warn_at"),
        (running & Q(resolution_breached_at__isnull=True), "resolution_due"),
        (Q(promise_kept__isnull=True, promise_reminded_at__isnull=True), "promise_remind_at"),
        (Q(promise_kept__isnull=True), "promised_by"),
    ]
    far = Value(FAR, output_field=DateTimeField())
    # Each moment or "far" (NULLs would make SQLite's MIN NULL), the least, "far" back to NULL.
    moments = [
        Coalesce(Case(When(condition, then=F(name)), output_field=DateTimeField()), far)
        for condition, name in pending
    ]
    earliest = NullIf(Least(*moments), far)
    return Case(When(status__in=OPEN_STATUSES, then=earliest), output_field=DateTimeField())


@transaction.atomic
def recompute_open_deadlines(policy_ids: Sequence[int] | None = None) -> int:
    """Work the deadlines of every open ticket (or those under these policies) out again on
    the calendar as it is now, set-based; return how many tickets changed.

    Called after the company's calendar or a policy changed; a ticket's paused working
    time is kept as it was counted.
    """
    calendar = working_calendar()
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES, sla_policy__isnull=False)
    if policy_ids is not None:
        tickets = tickets.filter(sla_policy_id__in=policy_ids)
    columns = (
        "pk", "opened_at", "first_responded_at", "first_response_due", "sla_paused",
        "sla_policy__first_response_minutes", "sla_policy__resolution_minutes",
        "first_response_warn_at", "resolution_due", "resolution_warn_at", "next_due",
    )  # fmt: skip
    changed: list[Ticket] = []
    for row in tickets.values_list(*columns).iterator(chunk_size=5000):
        pk, opened, responded, first_due, paused, first_minutes, resolution_minutes = row[:7]
        new = deadlines(
            calendar, opened, datetime.timedelta(minutes=first_minutes),
            datetime.timedelta(minutes=resolution_minutes), paused,
            None if responded is None else (responded, first_due),
        )  # fmt: skip
        old = {
            "first_response_due": first_due, "first_response_warn_at": row[7],
            "resolution_due": row[8], "resolution_warn_at": row[9], "next_due": row[10],
        }  # fmt: skip
        if old != new.fields():
            changed.append(Ticket(pk=pk, **new.fields()))
    Ticket.objects.bulk_update(changed, list(Deadlines().fields()), batch_size=500)
    promises.recompute_reminders(calendar)
    tickets.update(sla_check_at=check_moment())
    return len(changed)


# --- The sweep --------------------------------------------------------------------------


@dataclass
class Marked:
    """The tickets one kind of mark was set on in a sweep: id, customer, owner, and what
    each event says."""

    ids: list[int] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    assignee_ids: list[int | None] = field(default_factory=list)
    data: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def add(self, row: Sequence[Any], **data: Any) -> None:
        pk, customer_id, assignee_id = row[:3]
        self.ids.append(pk)
        self.customer_ids.append(customer_id)
        self.assignee_ids.append(assignee_id)
        for name, value in data.items():
            self.data[name].append(value)

    def emit(self, kind: str) -> int:
        return events.emit_columns(SWEEP_ACTOR, kind, self.customer_ids, self.ids, dict(self.data))


# The most tickets one sweep looks at: a backlog (the first sweep over imported tickets)
# is worked off a minute at a time, the earliest due first, each sweep kept short.
SWEEP_LIMIT = 10_000


def _due(now: datetime.datetime, limit: int) -> QuerySet[Ticket]:
    """Return the tickets with something for the sweep to do by `now`, by their index: at
    most about `limit`, the earliest due (ties at the bound all come, so that a sweep always
    gets on)."""
    due = Ticket.objects.filter(sla_check_at__lte=now)
    moments = due.order_by("sla_check_at").values_list("sla_check_at", flat=True)
    last = list(moments[limit - 1 : limit])  # the limit-th earliest, if as many are due
    return due.filter(sla_check_at__lte=last[0]) if last and last[0] else due


def _running(due: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Return the due open tickets whose clocks run (not waiting on the customer)."""
    return due.filter(status__in=OPEN_STATUSES, waiting_since__isnull=True)


_ROW = ("pk", "customer_id", "assignee_id")


def _claim(due: QuerySet[Ticket]) -> list[tuple[Any, ...]]:
    """Return the due tickets' rows (id, customer, owner), locked until the commit,
    so that the set-based update that follows marks exactly these (on SQLite the sweep's
    transaction holds the write lock from its start)."""
    return list(due.select_for_update().values_list(*_ROW))


def _mark(steps: Sequence[tuple[str, QuerySet[Ticket], dict[str, Any]]]) -> Marked:
    """Set each step's marks on its due tickets, set-based; return the tickets marked, each
    with the step's clock."""
    marked = Marked()
    for clock, due, values in steps:
        rows = _claim(due)
        due.update(**values)
        for row in rows:
            marked.add(row, clock=clock)
    return marked


def _warn(due: QuerySet[Ticket], now: datetime.datetime) -> Marked:
    """Mark the clocks that reached 75 % of their target since the last sweep."""
    unanswered = _running(due).filter(first_responded_at__isnull=True)
    return _mark([
        ("first_response",
         unanswered.filter(sla_warned_at__isnull=True, first_response_warn_at__lte=now),
         {"sla_warned_at": now}),
        ("resolution",
         _running(due).filter(resolution_warned_at__isnull=True, resolution_warn_at__lte=now),
         {"resolution_warned_at": now, "sla_warned_at": Coalesce("sla_warned_at", now)}),
    ])  # fmt: skip


def _breach(due: QuerySet[Ticket], now: datetime.datetime) -> Marked:
    """Mark the deadlines passed since the last sweep."""
    unanswered = _running(due).filter(first_responded_at__isnull=True)
    return _mark([
        ("first_response",
         unanswered.filter(first_response_breached_at__isnull=True, first_response_due__lte=now),
         {"first_response_breached_at": now}),
        ("resolution",
         _running(due).filter(resolution_breached_at__isnull=True, resolution_due__lte=now),
         {"resolution_breached_at": now}),
    ])  # fmt: skip


def _escalate(due: QuerySet[Ticket], now: datetime.datetime) -> Marked:
    """Escalate the open tickets with a breach and no escalation yet to their team leads."""
    breached = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    tickets = due.filter(breached, status__in=OPEN_STATUSES, escalated_at__isnull=True)
    rows = _claim(tickets)
    tickets.update(escalated_at=now)
    leads = team_leads({row[2] for row in rows})
    marked = Marked()
    for row in rows:
        marked.add(row, leads=leads.get(row[2], leads[None]))
    return marked


def team_leads(assignee_ids: Iterable[int | None]) -> dict[int | None, list[int]]:
    """Return each assignee's team leads: the active managers of the assignee's teams;
    under None (and for an assignee whose teams have no manager), every active manager.

    See docs/decisions.md: accounts has no lead of its own; a team's managers lead it.
    """
    wanted = [pk for pk in assignee_ids if pk is not None]
    managers = User.objects.filter(role=Role.MANAGER, is_active=True)
    everyone = sorted(managers.values_list("pk", flat=True))
    teams: dict[int, set[int]] = defaultdict(set)
    for chunk in chunked(sorted(wanted)):
        for user_id, team_id in Membership.objects.filter(user_id__in=chunk).values_list(
            "user_id", "team_id"
        ):
            teams[user_id].add(team_id)
    team_ids = {team for user_teams in teams.values() for team in user_teams}
    managers_of: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in Membership.objects.filter(
        team_id__in=team_ids, user__in=managers
    ).values_list("team_id", "user_id"):
        managers_of[team_id].add(user_id)
    leads: dict[int | None, list[int]] = {None: everyone}
    for pk in wanted:
        found = sorted({m for team in teams.get(pk, ()) for m in managers_of[team]} - {pk})
        leads[pk] = found or everyone
    return leads


@dataclass(frozen=True)
class SweepResult:
    warned: int
    breached: int
    escalated: int
    promises_reminded: int
    promises_broken: int
    # Per person to tell: [ticket id, what happened, which clock] (service.notices).
    notices: dict[int, list[list[Any]]]


@transaction.atomic
def sweep(now: datetime.datetime | None = None, limit: int = SWEEP_LIMIT) -> SweepResult:
    """Warn, breach and escalate the open tickets whose moment came (at most about `limit`
    of them, the earliest), set-based, and settle the promises; emit the events. The caller
    tells the people concerned (`notices`) once this has committed."""
    now = now or timezone.now()
    due = _due(now, limit)
    warned, breached = _warn(due, now), _breach(due, now)
    escalated = _escalate(due, now)
    warned.emit("ticket.warned")
    breached.emit("ticket.breached")
    escalated.emit("ticket.escalated")
    reminded, broken = promises.sweep(due, now)
    # What is left to do for the tickets looked at: after these marks, a moment after now.
    due.update(sla_check_at=check_moment())
    notices = _notices(warned, breached, escalated)
    return SweepResult(
        len(warned.ids), len(breached.ids), len(escalated.ids), reminded, broken, notices
    )


def _notices(warned: Marked, breached: Marked, escalated: Marked) -> dict[int, list[list[Any]]]:
    """Return, per person to tell, [ticket id, what happened, clock]: the owner of a warned
    or breached ticket, the leads of an escalated one."""
    notices: dict[int, list[list[Any]]] = defaultdict(list)
    for kind, marked in (("warned", warned), ("breached", breached)):
        for pk, assignee_id, clock in zip(
            marked.ids, marked.assignee_ids, marked.data.get("clock", ()), strict=True
        ):
            if assignee_id is not None:
                notices[assignee_id].append([pk, kind, clock])
    for pk, leads in zip(escalated.ids, escalated.data.get("leads", ()), strict=True):
        for lead in leads:
            notices[lead].append([pk, "escalated", ""])
    return dict(notices)
