"""The morning run: plan every rep's day before they start.

One scheduled job (engagement.tasks.morning_run) does, in order:
1. care: the greetings due today go through the one send path in bulk (send_many). A
   greeting a machine delivers (SMS, email) goes on the occasion's day, held by the quiet
   hours until they end; one a person does (a gift by post, a call, a visit, WeChat) becomes
   the owner's follow-up from the occasion's lead time on, so that a gift arrives in time;
2. cadences: the follow-ups the rules call for (engagement.cadence.plan_day);
3. Today: each rep's list for the day is recorded (engagement.today.snapshot_day), so that
   a manager can see tomorrow how much of it was done.

Every step is idempotent for a day: a greeting's key is (customer, purpose, occasion date,
channel), a cadence never duplicates an open follow-up, and the day's record is kept once.
A second run the same day therefore changes nothing; a run missed on one day catches up on
the person's greetings still inside their lead time.
"""

import datetime
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from accounts.models import User
from core.actors import Actor, acting_as
from core.memory import cyclic_gc_paused
from engagement import cadence, care, today
from engagement.models import CareOccasion
from engagement.policy import AUTOMATIC_CHANNELS
from engagement.recipients import Recipient, recipients
from engagement.services import send_many_ids

log = logging.getLogger(__name__)
JOB = "morning-run"
# Customers are read and their greetings sent this many at a time, one transaction each:
# bounded memory, and a quarter of the commits of the bulk send's default chunk.
CHUNK = 20_000


@dataclass(frozen=True)
class MorningReport:
    """What one morning run did, and how long each step took."""

    day: datetime.date
    greetings: int
    follow_ups: int
    today_lines: int
    seconds: dict[str, float]


def run_morning(day: datetime.date) -> MorningReport:
    """Plan the day: send today's greetings, plan the cadences' follow-ups, record Today."""
    seconds: dict[str, float] = {}
    with acting_as(Actor.of_job(JOB)):
        started = time.perf_counter()
        greetings = send_greetings(day)
        seconds["care"] = time.perf_counter() - started
        started = time.perf_counter()
        follow_ups = cadence.plan_day(day)
        seconds["cadences"] = time.perf_counter() - started
        started = time.perf_counter()
        lines = today.snapshot_day(day)
        seconds["today"] = time.perf_counter() - started
    report = MorningReport(day, greetings, follow_ups, lines, seconds)
    log.info("Morning run for %s: %s", day, report)
    return report


def due_greetings(day: datetime.date) -> list[care.Occasion]:
    """Return the occasions whose greeting goes today: a machine's on the day itself, a
    person's from its lead time up to the day."""
    settings = {o.code: o for o in CareOccasion.objects.filter(enabled=True)}
    if not settings:
        return []
    furthest = max(o.lead_days for o in settings.values())
    end = day + datetime.timedelta(days=furthest + 1)
    return [
        occasion
        for occasion in care.occasions_between(day, end)
        if _goes_today(settings[occasion.code], occasion.date, day)
    ]


def _goes_today(settings: CareOccasion, date: datetime.date, day: datetime.date) -> bool:
    if settings.channel in AUTOMATIC_CHANNELS:
        return date == day
    return (date - day).days <= settings.lead_days


def send_greetings(day: datetime.date) -> int:
    """Send today's greetings through the one send path; return how many were asked for.

    The customers are read as rows (recipients), and the messages are not read back: on a
    festival that is a million of each (docs/decisions.md).
    """
    # A festival's million occasions, rows and requests form no cycles; the collector
    # would walk them all again and again (half the step's time at 100,000 customers).
    with cyclic_gc_paused(collect_after=True):
        occasions = due_greetings(day)
        settings = {o.code: o for o in CareOccasion.objects.all()}
        values = _OccasionValues({user.pk: user for user in User.objects.all()})
        for batch in _batches(occasions, CHUNK):
            people = recipients([o.customer_id for o in batch])
            requests = [
                care.greeting_request(
                    occasion, people[occasion.customer_id], settings[occasion.code],
                    values(people[occasion.customer_id], occasion),
                )
                for occasion in batch
            ]  # fmt: skip
            send_many_ids(None, requests, chunk=CHUNK)
    return len(occasions)


class _OccasionValues:
    """An occasion's placeholder values, worked out once per occasion, language, owner and
    years: on a festival a million customers share a few dozen."""

    def __init__(self, owners: dict[int, User]) -> None:
        self.owners = owners
        self.known: dict[tuple[str, str, int, int], dict[str, str]] = {}

    def __call__(self, customer: Recipient, occasion: care.Occasion) -> dict[str, str]:
        key = (occasion.code, customer.language, customer.owner_id, occasion.years)
        if key not in self.known:
            self.known[key] = care.greeting_values(
                occasion.code, occasion.years, customer.language, self.owners[customer.owner_id]
            )
        return self.known[key]


def _batches(items: Sequence[care.Occasion], size: int) -> Iterator[Sequence[care.Occasion]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
