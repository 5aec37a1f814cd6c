"""The promise to the customer (承诺时间): a resolution time the agent gives, tracked apart
from the internal SLA.

The owner is reminded REMIND_BEFORE of working time before the promise breaks, by a
follow-up due that day (it shows on their Today list). The promise is kept if the ticket is
resolved by then; broken when it is resolved later or the time passes with the ticket still
open (`ticket.promise_broken`). The outcome, once recorded, is never changed; a new promise
starts a new one.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core import events
from core.actors import Actor
from core.calendar import WorkingCalendar, working_calendar
from core.errors import Forbidden, Invalid
from interactions.services import NewFollowUp, create_follow_ups, open_follow_ups_from
from service.models import OPEN_STATUSES, Ticket

REMIND_BEFORE = datetime.timedelta(hours=2)  # of working time
# The furthest a promise may be given: a customer is not promised a date years away.
LONGEST = datetime.timedelta(days=366)
ORIGIN = "promise:"
SWEEP_ACTOR = Actor.of_job("sla-sweep")
_HANDLERS = (Role.AGENT, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class Promised:
    """What `promise` changed: the fields to save, and a word for the agent when the time
    is outside working hours ("" otherwise)."""

    fields: list[str]
    note: str


def remind_at(
    calendar: WorkingCalendar, since: datetime.datetime, promised_by: datetime.datetime
) -> datetime.datetime:
    """Return when to remind the owner: REMIND_BEFORE of working time before the promise,
    or at `since` when less working time than that is left.

    A reminder that would come as a working period ends (18:00) comes when the next one
    starts (09:00 the next working day), when the owner is there to act on it.
    """
    left = calendar.between(since, promised_by)
    moment = calendar.add(since, max(left - REMIND_BEFORE, datetime.timedelta(0)))
    return min(calendar.next_working_moment(moment), promised_by).astimezone(datetime.UTC)


def promise(
    ticket: Ticket, actor: User, when: datetime.datetime, now: datetime.datetime
) -> Promised:
    """Set the promised resolution time on `ticket` (the caller saves the fields and records
    the step); refuse a time that is not in the future, or a ticket no longer open.

    A time outside working hours is accepted (the customer was told it) and said so.
    """
    if not (actor.is_active and (actor.role in _HANDLERS or actor.pk == ticket.assignee_id)):
        raise Forbidden(_("Only the service team may promise a resolution time."))
    if ticket.status not in OPEN_STATUSES:
        raise Invalid(_("A resolution time can be promised only on an open ticket."), "when")
    if when.utcoffset() is None:
        raise Invalid(_("Give the promised time with its time zone."), "when")
    if when <= now:
        raise Invalid(_("The promised time must be in the future."), "when")
    if when - now > LONGEST:
        raise Invalid(_("The promised time must be within a year."), "when")
    calendar = working_calendar()
    ticket.promised_by = when
    ticket.promise_kept = None
    ticket.promise_reminded_at = None
    ticket.promise_remind_at = remind_at(calendar, now, when)
    # The next sweep looks at the ticket and works its next check out.
    ticket.sla_check_at = now
    fields = ["promised_by", "promise_kept", "promise_reminded_at", "promise_remind_at",
              "sla_check_at"]  # fmt: skip
    return Promised(fields, _outside_note(calendar, when))


def _outside_note(calendar: WorkingCalendar, when: datetime.datetime) -> str:
    """Return a word for the agent if nobody works at `when` ("" if somebody does)."""
    if calendar.is_working_moment(when):
        return ""
    next_moment = formats.date_format(
        timezone.localtime(calendar.next_working_moment(when)), "DATETIME_FORMAT"
    )
    return _("The promised time is outside working hours; the team next works from %(next)s.") % {
        "next": next_moment
    }


def settle_at_resolution(ticket: Ticket, now: datetime.datetime) -> list[str]:
    """Record whether the running promise was kept once the ticket is resolved; return the
    fields changed (announcing a broken one)."""
    if ticket.status in OPEN_STATUSES or ticket.promised_by is None:
        return []
    if ticket.promise_kept is not None:
        return []
    resolved = ticket.resolved_at or now
    ticket.promise_kept = resolved <= ticket.promised_by
    if not ticket.promise_kept:
        data = {"promised_by": event_time(ticket.promised_by), "resolved_at": event_time(resolved)}
        events.emit(
            "ticket.promise_broken", SWEEP_ACTOR, customer_id=ticket.customer_id,
            subject_id=ticket.pk, data=data,
        )  # fmt: skip
    return ["promise_kept"]


def event_time(moment: datetime.datetime | None) -> str | None:
    """Return a moment as events carry it (JSON): ISO 8601 in UTC."""
    return None if moment is None else moment.astimezone(datetime.UTC).isoformat()


def _running(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.filter(
        status__in=OPEN_STATUSES, promised_by__isnull=False, promise_kept__isnull=True
    )


def sweep(due: QuerySet[Ticket], now: datetime.datetime) -> tuple[int, int]:
    """Remind the owners whose promise comes near and record the promises the time passed
    by, among the `due` tickets; return (reminded, broken). Inside the SLA sweep's
    transaction."""
    return _remind(_running(due), now), _break(_running(due), now)


def _remind(running: QuerySet[Ticket], now: datetime.datetime) -> int:
    due = running.filter(promise_reminded_at__isnull=True, promise_remind_at__lte=now)
    rows = list(
        due.select_for_update().values_list(
            "pk", "customer_id", "assignee_id", "number", "promised_by"
        )
    )
    due.update(promise_reminded_at=now)
    owned = [row for row in rows if row[2] is not None]
    already = {
        (f.customer_id, f.origin) for f in open_follow_ups_from([row[1] for row in owned], ORIGIN)
    }
    today = timezone.localdate(now)
    plans = [
        NewFollowUp(customer, owner, today, _reminder_note(number, promised_by), f"{ORIGIN}{pk}")
        for pk, customer, owner, number, promised_by in owned
        if (customer, f"{ORIGIN}{pk}") not in already and promised_by is not None
    ]
    create_follow_ups(None, plans)
    return len(rows)


def _reminder_note(number: str, promised_by: datetime.datetime) -> str:
    moment = timezone.localtime(promised_by).strftime("%Y-%m-%d %H:%M")
    return _("Ticket %(number)s: resolution promised to the customer by %(moment)s.") % {
        "number": number, "moment": moment,
    }  # fmt: skip


def _break(running: QuerySet[Ticket], now: datetime.datetime) -> int:
    passed = running.filter(promised_by__lte=now)
    rows = list(passed.select_for_update().values_list("pk", "customer_id", "promised_by"))
    passed.update(promise_kept=False)
    events.emit_columns(
        SWEEP_ACTOR, "ticket.promise_broken", [row[1] for row in rows], [row[0] for row in rows],
        {"promised_by": [event_time(row[2]) for row in rows], "resolved_at": [None] * len(rows)},
    )  # fmt: skip
    return len(rows)


def recompute_reminders(calendar: WorkingCalendar) -> int:
    """Work the reminder moments of the running promises not yet reminded out again on the
    calendar as it is now; return how many moved."""
    rows = (
        _running(Ticket.objects.all())
        .filter(promise_reminded_at__isnull=True)
        .values_list("pk", "opened_at", "promised_by", "promise_remind_at")
    )
    changed = []
    for pk, opened_at, promised_by, old in rows.iterator(chunk_size=5000):
        if promised_by is None:  # excluded by the filter; for the type checker
            continue
        new = remind_at(calendar, min(opened_at, promised_by), promised_by)
        if new != old:
            changed.append(Ticket(pk=pk, promise_remind_at=new))
    Ticket.objects.bulk_update(changed, ["promise_remind_at"], batch_size=500)
    return len(changed)
