"""Cadences (回访节奏): regular contacts planned as follow-ups, and customers left too long.

A cadence names an audience (value tier, RFM segment, lifecycle, tenure, top N by lifetime
value, from the latest scoring run) and an interval. Each morning `plan_day` gives every
customer a cadence matches a follow-up for their owner once their last contact (the latest
logged interaction or completed follow-up; before any, their first purchase) is an interval
old, unless they have an open follow-up already. The follow-up is due on a working day and
carries the cadence as its origin, so a contact logged before it is due moves it
(`replan_after_contact`). Set-based: one query per cadence finds who is due, whatever the
size of the base, and the follow-ups go in through interactions' bulk path.
"""

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.calendar import WorkingCalendar, working_calendar
from core.channels import Channel
from core.errors import Forbidden
from core.events import Event
from customers.extensions import TodayItem
from customers.models import Customer
from engagement import today_cache
from engagement.models import Cadence, Lifecycle
from insights.forms import SEGMENT_LABELS
from insights.models import CustomerScore, ScoreRun, score_key
from insights.services import latest_run
from interactions.models import FollowUp, Interaction
from interactions.services import (
    NewFollowUp,
    create_follow_ups,
    open_follow_ups_from,
    redate_follow_ups,
)

ORIGIN_PREFIX = "cadence:"


# The rules page --------------------------------------------------------------------------


def may_edit_cadences(user: User) -> bool:
    """Return whether the user may change the cadences: managers and administrators."""
    return user.is_active and (user.is_admin or user.is_manager)


def check_may_edit(user: User) -> None:
    """Refuse a change to the cadences by anyone but a manager or an administrator."""
    if not may_edit_cadences(user):
        raise Forbidden(_("Only managers and administrators may change cadences."))


def all_cadences() -> QuerySet[Cadence]:
    """Return every cadence, most frequent first."""
    return Cadence.objects.order_by("interval_days", "pk")


@transaction.atomic
def save_cadence(actor: User, cadence: Cadence | None, fields: dict[str, Any]) -> Cadence:
    """Create a cadence (`cadence` None) or change one, after the model's checks.

    Follow-ups already planned keep their day; the next plan uses the new rule.
    """
    check_may_edit(actor)
    cadence = cadence or Cadence()
    for name, value in fields.items():
        setattr(cadence, name, value)
    cadence.full_clean()
    cadence.save()
    return cadence


# Planning ------------------------------------------------------------------------------


def plan_day(day: datetime.date) -> int:
    """Plan the day's cadence follow-ups; return how many were created.

    Each customer due under a cadence and without any open follow-up gets one, for their
    owner, due on the day or the next working day after it. The most frequent cadence wins
    when several are due. A second run for the same day finds every such customer with an
    open follow-up and creates nothing.
    """
    run = latest_run()
    cadences = list(Cadence.objects.filter(enabled=True).order_by("interval_days", "pk"))
    if run is None or not cadences:
        return 0
    calendar = working_calendar()
    due_on = next_working_day(calendar, day)
    planned: dict[int, NewFollowUp] = {}
    notes = _NotesInOwnersLanguage()
    for cadence in cadences:
        for customer_id, owner_id in due_customers(cadence, run, day).iterator(2000):
            if customer_id not in planned:
                note = notes(cadence, owner_id)
                planned[customer_id] = NewFollowUp(
                    customer_id, owner_id, due_on, note, cadence.origin
                )
    return len(create_follow_ups(None, list(planned.values())))


class _NotesInOwnersLanguage:
    """A cadence's follow-up note in the language of the rep who reads it (their own
    choice, else the site's), worked out once per cadence and language."""

    def __init__(self) -> None:
        self.languages = {
            pk: language or settings.LANGUAGE_CODE
            for pk, language in User.objects.values_list("pk", "language")
        }
        self.known: dict[tuple[int, str], str] = {}

    def __call__(self, cadence: Cadence, owner_id: int) -> str:
        language = self.languages.get(owner_id, settings.LANGUAGE_CODE)
        key = (cadence.pk, language)
        if key not in self.known:
            with translation.override(language):
                self.known[key] = cadence_note(cadence)
        return self.known[key]


def next_working_day(calendar: WorkingCalendar, day: datetime.date) -> datetime.date:
    """Return the day if the company works then, else the next day it does."""
    while not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def cadence_note(cadence: Cadence) -> str:
    """Return the follow-up's note naming its cadence, in the active language."""
    return _("Cadence “%(name)s”: %(channel)s") % {
        "name": cadence.name, "channel": Channel(cadence.channel).label
    }  # fmt: skip


def audience(cadence: Cadence, run: ScoreRun, day: datetime.date) -> QuerySet[CustomerScore]:
    """Return the run's scores of the active customers (with an active owner) the cadence
    matches on the day."""
    scores = CustomerScore.objects.of_run(run.pk).filter(
        customer__archived_at__isnull=True, customer__owner__is_active=True
    )
    if cadence.value_tier:
        scores = scores.filter(value_tier=cadence.value_tier)
    if cadence.segment:
        scores = scores.filter(segment=cadence.segment)
    returning_since = day - datetime.timedelta(days=settings.RETURNING_CUSTOMER_DAYS)
    if cadence.lifecycle == Lifecycle.NEW:
        scores = scores.filter(first_purchase_on__gt=returning_since)
    elif cadence.lifecycle == Lifecycle.RETURNING:
        scores = scores.filter(first_purchase_on__lte=returning_since)
    if cadence.min_tenure_days is not None:
        scores = scores.filter(first_purchase_on__lte=day - days(cadence.min_tenure_days))
    if cadence.window_days is not None:
        # In their first N days: day 0 is the first purchase, the window's last is N - 1.
        scores = scores.filter(first_purchase_on__gt=day - days(cadence.window_days))
    if cadence.top_clv is not None:
        top = scores.order_by("-clv", "pk").values("pk")[: cadence.top_clv]
        scores = scores.filter(pk__in=Subquery(top))
    return scores


def due_customers(
    cadence: Cadence, run: ScoreRun, day: datetime.date
) -> QuerySet[CustomerScore, tuple[int, int]]:
    """Return (customer id, owner id) of those the cadence matches whose last contact is at
    least an interval before the day and who have no open follow-up.

    "Last contact on or before day - interval" is "no contact since the start of the day
    after it", one index probe per customer (no per-customer maximum is computed).
    """
    since = local_midnight(day - days(cadence.interval_days - 1))
    customer = OuterRef("customer_id")
    contacted = Interaction.objects.filter(customer_id=customer, occurred_at__gte=since)
    followed = FollowUp.objects.filter(customer_id=customer).filter(
        Q(done_at__isnull=True) | Q(done_at__gte=since)
    )
    return (
        audience(cadence, run, day)
        .filter(first_purchase_on__lte=day - days(cadence.interval_days))
        .filter(~Exists(contacted), ~Exists(followed))
        .order_by()
        .values_list("customer_id", "customer__owner_id")
    )


def days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Return the start of the day in the company's time zone, as an aware moment."""
    return datetime.datetime.combine(day, datetime.time(), timezone.get_default_timezone())


# Re-planning after a contact -----------------------------------------------------------


def replan_after_contact(event: Event) -> None:
    """Move the customer's open cadence follow-ups not yet due to their last contact plus
    the interval, on a working day (subscriber of interaction.logged).

    Only later: a contact logged for long ago never brings a follow-up forward. It reads
    the customer's contacts as they are now, so a repeated event moves nothing again.
    """
    if event.customer_id is None:
        return
    today = timezone.localdate()
    pending = [
        f for f in open_follow_ups_from([event.customer_id], ORIGIN_PREFIX) if f.due_on > today
    ]
    last = last_contact_day(event.customer_id)
    if not pending or last is None:
        return
    cadences = Cadence.objects.in_bulk([cadence_id(f.origin) for f in pending])
    calendar = working_calendar()
    moves = []
    for follow_up in pending:
        cadence = cadences.get(cadence_id(follow_up.origin))
        if cadence is None:
            continue
        day = next_working_day(calendar, last + days(cadence.interval_days))
        if day > follow_up.due_on:
            moves.append((follow_up, day))
    redate_follow_ups(None, moves)


def cadence_id(origin: str) -> int:
    """Return the cadence id of a follow-up origin "cadence:<id>" (0 if malformed)."""
    text = origin.removeprefix(ORIGIN_PREFIX)
    return int(text) if text.isdigit() else 0


def last_contact_day(customer_id: int) -> datetime.date | None:
    """Return the day (company time) of the customer's latest logged contact, if any."""
    moment = Interaction.objects.filter(customer_id=customer_id).aggregate(last=Max("occurred_at"))[
        "last"
    ]
    return None if moment is None else timezone.localdate(moment)


# Too long without contact (Today) ------------------------------------------------------


class OverdueRow(NamedTuple):
    """A customer overdue for contact, by id: what the day's cache keeps."""

    customer_id: int
    tier: str
    cadence: Cadence
    last: datetime.date
    ever: bool


@dataclass(frozen=True)
class Overdue:
    """A customer last contacted longer ago than their tier's longest cadence interval."""

    customer: Customer
    tier: str
    cadence: Cadence
    last_contact: datetime.date
    ever_contacted: bool

    def reason(self, day: datetime.date) -> str:
        """Return why the customer is on the list, in the active language."""
        silent = (day - self.last_contact).days
        if self.ever_contacted:
            first = ngettext(
                "No contact for %(days)d day", "No contact for %(days)d days", silent
            ) % {"days": silent}
        else:
            first = ngettext(
                "No contact since the first purchase %(days)d day ago",
                "No contact since the first purchase %(days)d days ago",
                silent,
            ) % {"days": silent}
        return _("%(first)s; %(tier)s-tier customers are %(how)s") % {
            "first": first, "tier": self.tier, "how": contacted_every(self.cadence)
        }  # fmt: skip


def contacted_every(cadence: Cadence) -> str:
    """Return "called every 30 days" (by channel) in the active language."""
    count = cadence.interval_days
    words = {
        Channel.PHONE: ngettext("called every %(days)d day", "called every %(days)d days", count),
        Channel.VISIT: ngettext("visited every %(days)d day", "visited every %(days)d days", count),
    }.get(
        Channel(cadence.channel),
        ngettext("contacted every %(days)d day", "contacted every %(days)d days", count),
    )
    return words % {"days": count}


def longest_by_tier() -> dict[str, Cadence]:
    """Return, per value tier, the enabled cadence naming that tier with the longest
    interval (tiers no cadence names are left out)."""
    longest: dict[str, Cadence] = {}
    for cadence in Cadence.objects.filter(enabled=True).exclude(value_tier=""):
        known = longest.get(cadence.value_tier)
        if known is None or cadence.interval_days > known.interval_days:
            longest[cadence.value_tier] = cadence
    return longest


def overdue_rows(user: User, day: datetime.date, limit: int) -> list[OverdueRow]:
    """Return at most `limit` of the user's own customers overdue for contact, as ids, the
    longest overdue first.

    Three queries whatever the user's book: the run, the cadences, the user's customers in
    those tiers past the threshold (by the customer-owner index, the score's key and one
    index probe per customer for each kind of contact).
    """
    run = latest_run()
    longest = longest_by_tier()
    if run is None or not longest:
        return []
    rows = _overdue_rows(user, run, day, longest)
    # The longest overdue: the earliest day the tier's cadence wanted a contact.
    rows.sort(key=lambda row: (row[3] + days(longest[row[1]].interval_days), row[0]))
    return [
        OverdueRow(customer_id, tier, longest[tier], last, ever)
        for customer_id, tier, ever, last in rows[:limit]
    ]


def _with_customers(rows: list[OverdueRow]) -> list[Overdue]:
    """Return the rows with their customers, read fresh in one query (gone ones left out)."""
    customers = Customer.objects.in_bulk([row.customer_id for row in rows])
    return [
        Overdue(customers[row.customer_id], row.tier, row.cadence, row.last, row.ever)
        for row in rows
        if row.customer_id in customers
    ]


def _overdue_rows(
    user: User, run: ScoreRun, day: datetime.date, longest: dict[str, Cadence]
) -> list[tuple[int, str, bool, datetime.date]]:
    """Return (customer id, tier, ever contacted, last contact day) of the user's overdue
    customers."""
    customer = OuterRef("pk")
    score = CustomerScore.objects.filter(pk=score_key(run.pk, 0) + customer)
    past: Q = Q(pk__in=[])
    for tier, cadence in longest.items():
        since = local_midnight(day - days(cadence.interval_days - 1))
        contacted = Interaction.objects.filter(customer_id=customer, occurred_at__gte=since)
        done = FollowUp.objects.filter(customer_id=customer, done_at__gte=since)
        past |= (
            Q(tier=tier, first_purchase__lte=day - days(cadence.interval_days))
            & ~Exists(contacted) & ~Exists(done)
        )  # fmt: skip
    last_interaction = Interaction.objects.filter(customer_id=customer).order_by("-occurred_at")
    last_done = FollowUp.objects.filter(customer_id=customer, done_at__isnull=False).order_by(
        "-done_at"
    )
    rows = (
        Customer.objects.filter(owner=user, archived_at__isnull=True)
        .annotate(
            tier=Subquery(score.values("value_tier")),
            first_purchase=Subquery(score.values("first_purchase_on")),
        )
        .filter(past)
        .annotate(
            last_interaction=Subquery(last_interaction.values("occurred_at")[:1]),
            last_done=Subquery(last_done.values("done_at")[:1]),
        )
        .values_list("pk", "tier", "first_purchase", "last_interaction", "last_done")
    )
    found = []
    for pk, tier, first_purchase, *moments in rows:
        last = max((timezone.localdate(m) for m in moments if m is not None), default=None)
        if last is not None and last >= first_purchase:
            found.append((pk, tier, True, last))
        else:
            found.append((pk, tier, False, first_purchase))
    return found


def no_contact_items(user: User, day: datetime.date, limit: int) -> list[TodayItem]:
    """Return the user's customers left too long without contact as Today items, the
    longest overdue first: signals (priority 3) dated the day, like churn warnings, which
    come before them (registry order).

    Who is overdue is found once per user and day (engagement.today_cache): a contact
    logged during the day marks the customer's line done, which takes it off the list.
    """
    return [
        TodayItem(
            customer=overdue.customer, kind="no_contact", priority=3, due=day,
            reason=overdue.reason(day), ref=f"no_contact:{overdue.customer.pk}",
        )
        for overdue in _with_customers(
            today_cache.day_cached(
                "no-contact", user, day, limit, lambda: overdue_rows(user, day, limit)
            )
        )
    ]  # fmt: skip


def audience_in_words(cadence: Cadence) -> str:
    """Return whom the cadence contacts, in the active language ("A-tier · returning")."""
    parts = []
    if cadence.top_clv is not None:
        parts.append(_("top %(count)d by lifetime value") % {"count": cadence.top_clv})
    if cadence.value_tier:
        parts.append(_("%(tier)s-tier") % {"tier": cadence.value_tier})
    if cadence.segment:
        parts.append(str(SEGMENT_LABELS.get(cadence.segment, cadence.segment)))
    if cadence.lifecycle:
        parts.append(str(Lifecycle(cadence.lifecycle).label))
    if cadence.min_tenure_days is not None:
        parts.append(
            ngettext("customer for %(days)d day or more", "customer for %(days)d days or more",
                     cadence.min_tenure_days) % {"days": cadence.min_tenure_days}
        )  # fmt: skip
    if cadence.window_days is not None:
        parts.append(
            ngettext("in their first %(days)d day", "in their first %(days)d days",
                     cadence.window_days) % {"days": cadence.window_days}
        )  # fmt: skip
    return " · ".join(parts) or _("every customer")
