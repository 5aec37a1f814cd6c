"""Consent and contact pressure: the one policy every send passes through.

`decide` answers for one prospective message: send now, wait until the end of the quiet
hours, or skip with a reason. The order matters only for the recorded reason: a customer
who is gone (archived, erased) or opted out is skipped before the cap is looked at.
"""

import bisect
import datetime
import enum
import functools
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.channels import Channel
from core.chunks import rows_in
from customers.models import Consent, Customer, Erasure
from engagement.models import Message, Purpose, SkipReason, Status
from engagement.recipients import Recipient
from insights.models import CustomerScore, score_key
from insights.services import latest_run

# Channels a machine delivers; quiet hours apply to them. The others are tasks for a
# person, who calls or visits in working hours anyway.
AUTOMATIC_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})
CAPPED_PURPOSES = frozenset({Purpose.MARKETING, Purpose.CARE})
# Messages that reached, or will reach, the customer: these are the contacts counted.
COUNTED_STATUSES = (Status.QUEUED, Status.SENT, Status.DELIVERED)


class Action(enum.StrEnum):
    SEND = "send"
    QUEUE_UNTIL = "queue_until"
    SKIP = "skip"


class Decision(NamedTuple):
    """Send now, wait until the end of the quiet hours, or skip (and why). A tuple: a bulk
    send makes one per message."""

    action: Action
    reason: str = ""
    until: datetime.datetime | None = None


# Counts a customer's capped contacts within `days` either side of a moment.
ContactCounter = Callable[[datetime.datetime, int], int]
# Each rolling window of the caps: its length in days, its cap, the reason to skip.
Windows = tuple[tuple[int, int, SkipReason], ...]


@dataclass(frozen=True)
class Caps:
    """The most marketing and care contacts a customer may receive in 7 and in 30 days."""

    days_7: int
    days_30: int

    def windows(self) -> Windows:
        """Return each rolling window: its length in days, its cap, the reason to skip."""
        return (
            (7, self.days_7, SkipReason.CAP_7_DAYS),
            (30, self.days_30, SkipReason.CAP_30_DAYS),
        )


# The longest window any cap looks at, either side of a message.
LONGEST_WINDOW = datetime.timedelta(days=30)


def default_caps() -> Caps:
    """Return the caps of a customer without a tier (settings)."""
    return Caps(settings.CONTACT_CAP_7_DAYS, settings.CONTACT_CAP_30_DAYS)


def tier_caps(tier: str) -> Caps:
    """Return the caps of a value tier (CONTACT_CAPS_BY_TIER), or the default ones."""
    pair = settings.CONTACT_CAPS_BY_TIER.get(tier)
    return Caps(*pair) if pair else default_caps()


def customer_caps(customer: Customer) -> Caps:
    """Return the caps of the customer's value tier in the latest scoring run."""
    if not settings.CONTACT_CAPS_BY_TIER:
        return default_caps()
    return tier_caps(value_tiers([customer.pk]).get(customer.pk, ""))


def value_tiers(ids: Collection[int]) -> dict[int, str]:
    """Return the customers' value tiers in the latest good scoring run (none: {}).

    Read by the scores' keys (a run's scores are one range of the table's own B-tree).
    """
    run = latest_run()
    if run is None:
        return {}
    table = connection.ops.quote_name(CustomerScore._meta.db_table)
    sql = f"SELECT customer_id, value_tier FROM {table} WHERE id IN ({{}})"
    keys = [(score_key(run.pk, pk),) for pk in sorted(set(ids))]
    return {pk: tier for pk, tier in rows_in(sql, keys)}


def refusal(customer: Customer, channel: str) -> SkipReason | None:
    """Return why nothing may reach the customer on the channel now, or None.

    Checked again right before delivery, so that an opt-out or an archive made while a
    message waited applies to it too.
    """
    return _refused(
        Recipient.of(customer).gone,
        lambda: Erasure.objects.filter(customer_id=customer.pk).exists(),
        lambda: not customer.may_contact(channel),
    )


def _refused(
    gone: bool, erased: Callable[[], bool], opted_out: Callable[[], bool]
) -> SkipReason | None:
    """Return the refusal, asking the facts in the order that names the reason (`gone`:
    archived or merged into another)."""
    if erased():
        return SkipReason.ERASED
    if gone:
        return SkipReason.ARCHIVED
    if opted_out():
        return SkipReason.OPTED_OUT
    return None


def quiet_until(time_zone: str, now: datetime.datetime) -> datetime.datetime | None:
    """Return the end of the quiet hours if `now` falls inside them in the customer's time
    zone (blank: the company's)."""
    return _quiet_until(
        time_zone or settings.CUSTOMER_TIME_ZONE,
        now,
        settings.QUIET_HOURS_START,
        settings.QUIET_HOURS_END,
    )


@functools.lru_cache(maxsize=256)
def _quiet_until(
    zone_name: str, now: datetime.datetime, start: datetime.time, end: datetime.time
) -> datetime.datetime | None:
    """Return the end of the quiet hours in the zone if `now` falls inside them (cached: a
    bulk send asks it for every customer at one moment)."""
    zone = ZoneInfo(zone_name)
    local = now.astimezone(zone)
    at = local.time()
    spans_midnight = start > end
    inside = (at >= start or at < end) if spans_midnight else (start <= at < end)
    if not inside:
        return None
    day = local.date()
    if spans_midnight and at >= start:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, end, tzinfo=zone)


def capped_contacts(customer: Customer, at: datetime.datetime, days: int) -> int:
    """Return the customer's marketing and care contacts within `days` either side of `at`.

    Both sides: a message planned for `at` must leave every window of that length that
    contains it under the cap, including windows reaching into messages already queued.
    """
    span = datetime.timedelta(days=days)
    return Message.objects.filter(
        customer_id=customer.pk,
        purpose__in=CAPPED_PURPOSES,
        status__in=COUNTED_STATUSES,
        scheduled_for__gt=at - span,
        scheduled_for__lt=at + span,
    ).count()


def decide(customer: Customer, channel: str, purpose: str, now: datetime.datetime) -> Decision:
    """Return whether a message to the customer on the channel for the purpose goes now,
    waits for the end of the quiet hours, or is skipped (and why)."""
    until = quiet_until(customer.time_zone, now) if channel in AUTOMATIC_CHANNELS else None
    return _decision(
        refusal(customer, channel), until, purpose, now,
        lambda: customer_caps(customer).windows(),
        lambda at, days: capped_contacts(customer, at, days),
    )  # fmt: skip


def _decision(
    refused: SkipReason | None,
    until: datetime.datetime | None,
    purpose: str,
    now: datetime.datetime,
    windows: Callable[[], Windows],
    contacts: ContactCounter,
) -> Decision:
    """Return the decision from the refusal, the end of the quiet hours on the message's
    channel (None: not inside them, or a person's channel) and the caps (the one rule
    behind `decide` and `Ledger.decide`)."""
    if refused is not None:
        return Decision(Action.SKIP, refused)
    # In UTC: arithmetic on a datetime in the customer's zone is wall-clock arithmetic, and
    # a window across a change to or from summer time would be an hour short or long.
    at = (until or now).astimezone(datetime.UTC)
    if purpose in CAPPED_PURPOSES:
        for days, cap, reason in windows():
            if contacts(at, days) >= cap:
                return Decision(Action.SKIP, reason)
    if until is not None:
        return Decision(Action.QUEUE_UNTIL, "quiet_hours", until)
    return Decision(Action.SEND)


class Ledger:
    """What `decide` needs for many customers at once, read in a few queries, and the
    contacts a bulk send has planned so far.

    A bulk send asks `decide` here for each message in order and `count`s each contact it
    plans, so it reaches exactly the decisions of one `send` after another: the cap sees
    the messages already stored and the batch's own earlier ones. Built inside the bulk
    send's transaction, after the customers are locked, so nothing changes under it.
    """

    def __init__(self, customer_ids: Collection[int], now: datetime.datetime) -> None:
        ids = sorted(set(customer_ids))
        self.erased = _erased_among(ids)
        self.opted_out = _opted_out_among(ids)
        self.tiers = value_tiers(ids) if settings.CONTACT_CAPS_BY_TIER else {}
        self.contacts: dict[int, list[datetime.datetime]] = defaultdict(list)
        for customer_id, at in _contacts_among(ids, now):
            self.contacts[customer_id].append(at)
        for times in self.contacts.values():
            times.sort()
        # Settings read once, not per message: each read goes through Django's lazy settings.
        self.windows = {tier: tier_caps(tier).windows() for tier in {"", *self.tiers.values()}}
        self.quiet: dict[tuple[str, datetime.datetime], datetime.datetime | None] = {}

    def decide(
        self, customer: Recipient, channel: str, purpose: str, now: datetime.datetime
    ) -> Decision:
        """Return what `decide` would answer for this message, given the batch so far."""
        refused = _refused(
            customer.gone,
            lambda: customer.pk in self.erased,
            lambda: (customer.pk, channel) in self.opted_out,
        )
        until = (
            self._quiet_until(customer.time_zone, now) if channel in AUTOMATIC_CHANNELS else None
        )
        return _decision(
            refused, until, purpose, now,
            lambda: self.windows[self.tiers.get(customer.pk, "")],
            lambda at, days: self._count(customer.pk, at, days),
        )  # fmt: skip

    def _quiet_until(self, time_zone: str, now: datetime.datetime) -> datetime.datetime | None:
        """Return quiet_until, worked out once per time zone."""
        if (time_zone, now) not in self.quiet:
            self.quiet[time_zone, now] = quiet_until(time_zone, now)
        return self.quiet[time_zone, now]

    def count(self, customer_id: int, purpose: str, at: datetime.datetime) -> None:
        """Note a contact the batch has planned (a message queued for `at`)."""
        if purpose in CAPPED_PURPOSES:
            bisect.insort(self.contacts[customer_id], at)

    def _count(self, customer_id: int, at: datetime.datetime, days: int) -> int:
        """Return the contacts strictly within `days` either side of `at` (capped_contacts)."""
        times = self.contacts.get(customer_id)
        if not times:
            return 0
        span = datetime.timedelta(days=days)
        return bisect.bisect_left(times, at + span) - bisect.bisect_right(times, at - span)


def _contacts_among(ids: list[int], now: datetime.datetime) -> list[tuple[int, datetime.datetime]]:
    """Return (customer, time) of the customers' capped contacts in reach of a decision now.

    A message decided now goes at `now` or at the end of the quiet hours, within a day, so
    the windows around it reach no further than this. A plain cursor (core.chunks.rows_in):
    the ORM's IN look-up prepares each id in Python.
    """
    table = connection.ops.quote_name(Message._meta.db_table)
    # Purpose and status are tested here, not in SQL: given them, SQLite (no statistics)
    # reads the index by status and time, every queued message of two months for each
    # chunk of customers, instead of each customer's own messages.
    sql = (
        f"SELECT customer_id, scheduled_for, purpose, status FROM {table}"
        " WHERE scheduled_for > %s AND scheduled_for < %s AND customer_id IN ({})"
    )
    since, until = now - LONGEST_WINDOW, now + LONGEST_WINDOW + datetime.timedelta(days=2)
    span = [connection.ops.adapt_datetimefield_value(at) for at in (since, until)]
    rows = rows_in(sql, [(pk,) for pk in ids], before=span)
    # SQLite hands back the stored UTC time without its zone.
    return [
        (pk, at if timezone.is_aware(at) else timezone.make_aware(at, datetime.UTC))
        for pk, at, purpose, status in rows
        if purpose in CAPPED_PURPOSES and status in COUNTED_STATUSES
    ]


def _erased_among(ids: list[int]) -> set[int]:
    """Return which of the customers were erased."""
    table = connection.ops.quote_name(Erasure._meta.db_table)
    sql = f"SELECT customer_id FROM {table} WHERE customer_id IN ({{}})"
    return {pk for (pk,) in rows_in(sql, [(pk,) for pk in ids])}


def _opted_out_among(ids: list[int]) -> set[tuple[int, str]]:
    """Return the (customer, channel) pairs the customers opted out of."""
    table = connection.ops.quote_name(Consent._meta.db_table)
    sql = f"SELECT customer_id, channel FROM {table} WHERE granted = %s AND customer_id IN ({{}})"
    return {(pk, channel) for pk, channel in rows_in(sql, [(pk,) for pk in ids], before=[False])}
