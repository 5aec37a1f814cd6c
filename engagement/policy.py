"""Consent and contact pressure: the one policy every send passes through.

`decide` answers for one prospective message: send now, wait until the end of the quiet
hours, or skip with a reason. The order matters only for the recorded reason: a customer
who is gone (archived, erased) or opted out is skipped before the cap is looked at.
"""

import datetime
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from core.channels import Channel
from customers.models import Customer, Erasure
from engagement.models import Message, Purpose, SkipReason, Status

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


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""
    until: datetime.datetime | None = None


def customer_time_zone(customer: Customer) -> ZoneInfo:
    """Return the customer's time zone: their own, or the company's default for customers."""
    return ZoneInfo(customer.time_zone or settings.CUSTOMER_TIME_ZONE)


def refusal(customer: Customer, channel: str) -> SkipReason | None:
    """Return why nothing may reach the customer on the channel now, or None.

    Checked again right before delivery, so that an opt-out or an archive made while a
    message waited applies to it too.
    """
    if Erasure.objects.filter(customer_id=customer.pk).exists():
        return SkipReason.ERASED
    if customer.archived_at is not None or customer.merged_into_id is not None:
        return SkipReason.ARCHIVED
    if not customer.may_contact(channel):
        return SkipReason.OPTED_OUT
    return None


def quiet_until(customer: Customer, now: datetime.datetime) -> datetime.datetime | None:
    """Return the end of the quiet hours if `now` falls inside them for the customer."""
    zone = customer_time_zone(customer)
    local = now.astimezone(zone)
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
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
    refused = refusal(customer, channel)
    if refused is not None:
        return Decision(Action.SKIP, refused)
    until = quiet_until(customer, now) if channel in AUTOMATIC_CHANNELS else None
    at = until or now
    if purpose in CAPPED_PURPOSES:
        caps = (
            (7, settings.CONTACT_CAP_7_DAYS, SkipReason.CAP_7_DAYS),
            (30, settings.CONTACT_CAP_30_DAYS, SkipReason.CAP_30_DAYS),
        )
        for days, cap, reason in caps:
            if capped_contacts(customer, at, days) >= cap:
                return Decision(Action.SKIP, reason)
    if until is not None:
        return Decision(Action.QUEUE_UNTIL, "quiet_hours", until)
    return Decision(Action.SEND)
