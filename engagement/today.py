"""Today (今日待办): a rep's day as one list, one line per customer, most value at stake first.

The items come from every app through `customers.extensions.today_sources`; this module
merges them per customer, ranks the lines by CLV × churn risk (the latest scoring run),
then by days overdue, then by an occasion, hides snoozed customers and keeps a daily record
(TodayLine) of each user's lines and which were done, so that a manager sees how much of
yesterday's list each rep worked through.

A line counts as done for the day when, that day, the user logged a contact with the
customer (from Today or anywhere else), snoozed it, or took the one-click action of its
items (an item with an action disappears from its source once the action was taken: a
follow-up completed, a greeting sent).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accounts.access import assignable_owners, sees_every_customer, team_member_ids
from accounts.models import Role, User
from core.actors import actor_for
from core.errors import Invalid, NotFound
from core.events import emit
from customers import extensions
from customers.extensions import TodayItem
from customers.models import Customer
from customers.services import visible_customers
from engagement import today_cache
from engagement.models import LineOutcome, Snooze, TodayLine
from insights.models import CustomerScore, score_key
from insights.services import latest_run
from interactions import services as interactions
from interactions.models import Interaction


class TodayEvent(StrEnum):
    # Declared here, with the service that emits it, while engagement has no events.py yet.
    SNOOZED = "today.snoozed"  # subject: the snooze; data: {"until"}


# How many items each source is asked for: enough for a long day's list after snoozes and
# done lines are taken out, few enough to read and rank in a few milliseconds.
SOURCE_LIMIT = today_cache.SOURCE_LIMIT
# How many lines a page or an API call shows at once: a day's work; the next come up as the
# rep works through these.
SHOWN_LINES = 50


@dataclass(frozen=True)
class Reason:
    """One item of a line, in words: "Follow-up, 3 days overdue: call about the renewal"."""

    kind: str
    text: str
    due: datetime.date
    ref: str
    action_label: str = ""
    action_url: str = ""

    @property
    def actionable(self) -> bool:
        return bool(self.action_url)


@dataclass
class Line:
    """One customer on a user's Today: every reason, what is at stake, and how to reach them."""

    customer: Customer
    items: list[TodayItem]
    day: datetime.date
    value_at_stake: float
    overdue_days: int
    has_occasion: bool
    tier: str
    rank: int = 0
    done_at: datetime.datetime | None = None

    # Put into words only when shown or recorded: a long list is ranked without them.
    @cached_property
    def reasons(self) -> list[Reason]:
        return _unique([describe(item, self.day) for item in self.items])

    @property
    def urgency(self) -> int:
        """Return the most urgent item's priority (1 overdue, 2 due today, 3 a signal)."""
        return self.items[0].priority

    @property
    def refs(self) -> set[str]:
        return {item.ref for item in self.items if item.ref}

    @property
    def phone(self) -> str:
        return format_mobile(self.customer.mobile)

    @property
    def summary(self) -> str:
        """Return the reasons as one text, to pre-fill the contact log."""
        return "; ".join(reason.text for reason in self.reasons)


@dataclass
class TodayList:
    """A user's Today: the open lines, ranked, and how many were done or snoozed today."""

    user: User
    day: datetime.date
    lines: list[Line]
    done: int
    total: int
    snoozed: list[Snooze] = field(default_factory=list)


@dataclass(frozen=True)
class Completion:
    """How much of one user's list of a day was done."""

    user: User
    total: int
    done: int

    @property
    def share(self) -> float | None:
        return self.done / self.total if self.total else None


def format_mobile(mobile: str) -> str:
    """Return a mainland mobile number in the usual 3-4-4 groups; any other number as stored."""
    if len(mobile) == 11 and mobile.isdigit() and mobile.startswith("1"):
        return f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    return mobile


# The kinds Today names before their reason; an item of another kind (no_contact, whose reason
# says so already) is shown by its own reason alone.
# In their own context: the apps adding these kinds may translate the same words their way.
KIND_LABELS = {
    "follow_up": lambda: pgettext("today item", "Follow-up"),
    "churn_warning": lambda: pgettext("today item", "Churn warning"),
    "care": lambda: pgettext("today item", "Care occasion"),
}


def describe(item: TodayItem, day: datetime.date) -> Reason:
    """Return the item in words: what kind of item, how late, and its own reason."""
    label = KIND_LABELS.get(item.kind)
    head = str(label()) if label else ""
    if item.kind == "follow_up":
        late = (day - item.due).days
        when = (
            ngettext("%(days)d day overdue", "%(days)d days overdue", late) % {"days": late}
            if late > 0
            else _("due today")
        )
        head = _("%(kind)s, %(when)s") % {"kind": head, "when": when}
    text = _("%(kind)s: %(reason)s") % {"kind": head, "reason": item.reason}
    if not (head and item.reason):
        text = head or item.reason
    action = item.action
    return Reason(
        item.kind, text, item.due, item.ref,
        action.label if action else "", action.url if action else "",
    )  # fmt: skip


def reps_for(viewer: User) -> list[User]:
    """Return the users whose Today the viewer may open: themselves, a manager's team, all."""
    if viewer.is_admin or viewer.role == Role.MANAGER:
        return assignable_owners(viewer)
    return [viewer]


def list_owner(viewer: User, rep_id: int | None) -> User:
    """Return whose Today to show: the viewer's own, or a rep they manage (404 otherwise)."""
    if rep_id is None or rep_id == viewer.pk:
        return viewer
    for rep in reps_for(viewer):
        if rep.pk == rep_id:
            return rep
    raise NotFound(_("No such rep among those you manage."), "rep")


def today_list(user: User, day: datetime.date) -> TodayList:
    """Return the user's Today for the day, recording its lines on the day's first view."""
    live = _ranked_lines(user, day, _items(user, day))
    recorded = _keep_record(user, day, live)
    for line in live:
        done = recorded.get(line.customer.pk)
        line.done_at = done.done_at if done else None
    # Only customers the user still sees: one handed to another rep leaves the list.
    snoozes = Snooze.objects.filter(
        user=user, until__gt=day, customer__in=visible_customers(user).values("pk")
    )
    return TodayList(
        user, day,
        lines=[line for line in live if line.done_at is None],
        done=sum(1 for line in recorded.values() if line.done_at is not None),
        total=len(recorded),
        snoozed=list(snoozes.select_related("customer").order_by("until", "pk")[:50]),
    )  # fmt: skip


def _keep_record(user: User, day: datetime.date, live: Sequence[Line]) -> dict[int, TodayLine]:
    """Mark the recorded lines done since, add the new ones; return the day's record by
    customer id.

    Without a transaction of its own, on a page view: each write stands alone, and the next
    view redoes whichever one a failure left undone.
    """
    recorded = {line.customer_id: line for line in TodayLine.objects.filter(user=user, day=day)}
    _mark_done(recorded, _finished(user, day, recorded, live))
    new = _records(user, day, [line for line in live if line.customer.pk not in recorded])
    if new:
        TodayLine.objects.bulk_create(new, ignore_conflicts=True)
    return {**recorded, **{line.customer.pk: line for line in new}}


def _items(user: User, day: datetime.date) -> list[TodayItem]:
    """Return every source's items for the user, on customers the user may see, not archived.

    The sources promise the user's own items; the access rule is checked again here so that
    a faulty source cannot put another rep's customer on the list.
    """
    owner_ids = None if sees_every_customer(user) else _owner_ids(user)
    return [
        item
        for source in extensions.today_sources
        for item in source(user, day, SOURCE_LIMIT)
        if not item.customer.is_archived
        and (owner_ids is None or item.customer.owner_id in owner_ids)
    ]


def _owner_ids(user: User) -> set[int]:
    if user.role == Role.MANAGER:
        return set(team_member_ids(user))
    return {user.pk}


def _ranked_lines(user: User, day: datetime.date, items: Sequence[TodayItem]) -> list[Line]:
    """Return one line per customer not snoozed, ranked: what cannot wait first (an overdue
    follow-up, then what is due today: a follow-up, a birthday), then signals (a churn
    warning, an occasion ahead); within each, value at stake, days overdue, an occasion.

    A birthday greeting is worth little tomorrow, and a promised call is a promise: value at
    stake alone put a rep's first page all churn warnings, and the day's birthdays below."""
    by_customer: dict[int, list[TodayItem]] = defaultdict(list)
    customers: dict[int, Customer] = {}
    for item in items:
        by_customer[item.customer.pk].append(item)
        customers[item.customer.pk] = item.customer
    snoozed = set(
        Snooze.objects.filter(
            user=user, until__gt=day, customer_id__in=list(by_customer)
        ).values_list("customer_id", flat=True)
    )
    scores = _scores([pk for pk in by_customer if pk not in snoozed])
    lines = [
        _line(customers[pk], by_customer[pk], day, scores.get(pk))
        for pk in by_customer
        if pk not in snoozed
    ]
    lines.sort(
        key=lambda line: (
            line.urgency, -line.value_at_stake, -line.overdue_days, not line.has_occasion,
            line.customer.name, line.customer.pk,
        )
    )  # fmt: skip
    for rank, line in enumerate(lines, start=1):
        line.rank = rank
    return lines


def _scores(customer_ids: list[int]) -> dict[int, tuple[float, str]]:
    """Return each customer's (CLV × churn risk, value tier) in the latest run, by key."""
    run = latest_run()
    if run is None or not customer_ids:
        return {}
    rows = CustomerScore.objects.filter(
        pk__in=[score_key(run.pk, pk) for pk in customer_ids]
    ).values_list("customer_id", "clv", "churn_risk", "value_tier")
    return {pk: (clv * risk, tier) for pk, clv, risk, tier in rows}


def _line(
    customer: Customer, items: list[TodayItem], day: datetime.date, score: tuple[float, str] | None
) -> Line:
    items = sorted(items, key=lambda item: (item.priority, item.due))
    value, tier = score if score is not None else (0.0, "")
    return Line(
        customer=customer,
        items=items,
        day=day,
        value_at_stake=value,
        overdue_days=max((day - item.due).days for item in items),
        has_occasion=any(item.kind == "care" for item in items),
        tier=tier,
    )


def _unique(reasons: Iterable[Reason]) -> list[Reason]:
    """Return the reasons without repeats (two sources may say the same thing)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for reason in reasons:
        key = (reason.ref or reason.kind, reason.text)
        if key not in seen:
            seen.add(key)
            kept.append(reason)
    return kept


def _records(user: User, day: datetime.date, lines: Iterable[Line]) -> list[TodayLine]:
    return [_record(user, day, line) for line in lines]


def _record(user: User, day: datetime.date, line: Line) -> TodayLine:
    reasons = [_reason_record(reason) for reason in line.reasons]
    return TodayLine(user=user, day=day, customer=line.customer, rank=line.rank, reasons=reasons)


def _reason_record(reason: Reason) -> dict[str, Any]:
    return {
        "kind": reason.kind,
        "text": reason.text,
        "due": reason.due.isoformat(),
        "ref": reason.ref,
        "actionable": reason.actionable,
    }


def _finished(
    user: User, day: datetime.date, recorded: dict[int, TodayLine], live: Sequence[Line]
) -> dict[int, str]:
    """Return the open recorded lines done since (customer id → outcome): a contact logged
    by the user today, or every actionable item gone from the sources (its action taken)."""
    open_ids = [pk for pk, line in recorded.items() if line.done_at is None]
    if not open_ids:
        return {}
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    contacted = Interaction.objects.filter(
        user=user, customer_id__in=open_ids, occurred_at__gte=start,
        occurred_at__lt=start + datetime.timedelta(days=1),
    ).values_list("customer_id", flat=True)  # fmt: skip
    finished = dict.fromkeys(contacted, LineOutcome.CONTACTED.value)
    # With the customer: an occasion's ref ("care:birthday:2026-12-05") is not the customer's own.
    live_refs = {(line.customer.pk, ref) for line in live for ref in line.refs}
    for pk in open_ids:
        refs = [r["ref"] for r in recorded[pk].reasons if r.get("actionable") and r["ref"]]
        if pk not in finished and refs and not any((pk, ref) in live_refs for ref in refs):
            finished[pk] = LineOutcome.ACTION.value
    return finished


def _mark_done(recorded: dict[int, TodayLine], finished: dict[int, str]) -> None:
    now = timezone.now()
    for outcome in set(finished.values()):
        ids = [recorded[pk].pk for pk, value in finished.items() if value == outcome]
        TodayLine.objects.filter(pk__in=ids, done_at__isnull=True).update(
            done_at=now, outcome=outcome
        )
    for pk, outcome in finished.items():
        recorded[pk].done_at, recorded[pk].outcome = now, outcome


def mark_done(user: User, customer: Customer, day: datetime.date, outcome: LineOutcome) -> None:
    """Mark the customer's line on the user's Today of the day done (again: no change)."""
    TodayLine.objects.filter(user=user, day=day, customer=customer, done_at__isnull=True).update(
        done_at=timezone.now(), outcome=outcome
    )


@transaction.atomic
def log_contact(
    actor: User, customer: Customer, fields: dict[str, Any], day: datetime.date
) -> Interaction:
    """Log a contact from Today (interactions' rules) and mark the customer's line done."""
    interaction = interactions.log_interaction(actor, customer, fields)
    mark_done(actor, customer, day, LineOutcome.CONTACTED)
    return interaction


@transaction.atomic
def snooze(actor: User, customer: Customer, until: datetime.date, day: datetime.date) -> Snooze:
    """Put the customer off the actor's Today until a later day; the line is done today.

    The customer must be one the actor may see (the caller loads it through the access
    rule); a day not after `day` is refused on `until`.
    """
    if until <= day:
        raise Invalid(_("Snooze until: choose a day after today."), "until")
    snoozed, _created = Snooze.objects.update_or_create(
        user=actor, customer=customer, defaults={"until": until}
    )
    mark_done(actor, customer, day, LineOutcome.SNOOZED)
    emit(
        TodayEvent.SNOOZED, actor_for(actor), customer_id=customer.pk, subject_id=snoozed.pk,
        data={"until": until.isoformat()},
    )  # fmt: skip
    return snoozed


def completion(users: Sequence[User], day: datetime.date) -> list[Completion]:
    """Return, for each user, how many of their lines of the day were done (one query)."""
    counts = {
        row["user_id"]: row
        for row in TodayLine.objects.filter(day=day, user__in=users)
        .values("user_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    }
    return [
        Completion(user, counts[user.pk]["total"], counts[user.pk]["done"])
        if user.pk in counts
        else Completion(user, 0, 0)
        for user in users
    ]


def snapshot_day(day: datetime.date) -> int:
    """Record every active rep's lines of the day not yet recorded; return how many were.

    The morning run calls this for all reps; a second call the same day adds nothing.
    The sources answer per user, so each rep costs a few queries; the rows go in one
    bulk insert per batch.
    """
    reps = User.objects.filter(is_active=True, role=Role.REP).order_by("pk")
    recorded = set(TodayLine.objects.filter(day=day).values_list("user_id", "customer_id"))
    rows = [
        record
        for rep in reps
        for record in _records(rep, day, _ranked_lines(rep, day, _items(rep, day)))
        if (rep.pk, record.customer_id) not in recorded
    ]
    TodayLine.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def line_summary(user: User, customer: Customer, day: datetime.date) -> str:
    """Return the reasons of the customer's line on the user's Today, in the active
    language, to pre-fill the log ("" when the customer has none).

    Put into words now rather than read from the day's record: the morning run records
    the lines in the site's language, and a rep may read another.
    """
    items = [item for item in _items(user, day) if item.customer.pk == customer.pk]
    if not items:
        return ""
    return _line(customer, items, day, None).summary[:SUMMARY_LENGTH]


SUMMARY_LENGTH = Interaction._meta.get_field("summary").max_length or 500
