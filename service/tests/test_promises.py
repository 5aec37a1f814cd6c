"""The promise (承诺时间): given in the future, said so when outside working hours; the
owner reminded two working hours before; kept or broken recorded once, at resolution or
when the time passes."""

import datetime

import pytest

from accounts.models import Role
from conftest import make_user
from core.errors import Forbidden, Invalid
from core.events import events_in
from core.models import OutboxEvent, WorkingDayOverride
from interactions.models import FollowUp
from service import sla
from service.models import Status
from service.promises import promise
from service.tests.sla_support import at, local, open_ticket, seeded_policies, step

pytestmark = pytest.mark.usefixtures(seeded_policies.__name__)


@pytest.fixture
def ticket(team, rep, make_customer):
    owner = make_user("li.agent", Role.AGENT, team)
    return open_ticket(make_customer(rep), at("2026-03-02", "09:00"), assignee=owner)


def promised(ticket, when, now):
    """Promise as the workflow does: the agent promises, the fields are saved."""
    done = promise(ticket, ticket.assignee, when, now)
    ticket.save(update_fields=done.fields)
    return done


def broken_events():
    rows = OutboxEvent.objects.filter(kind="ticket.promise_broken")
    return [event for row in rows for event in events_in(row)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "reminder"),
    [
        (at("2026-03-03", "11:00"), "2026-03-03 09:00"),
        # Two working hours before 10:00 Tuesday is 17:00 Monday.
        (at("2026-03-03", "10:00"), "2026-03-02 17:00"),
        # Less than two working hours away: remind at once.
        (at("2026-03-02", "11:00"), "2026-03-02 10:00"),
    ],
)
def test_a_promise_reminds_two_working_hours_before(ticket, when, reminder):
    done = promised(ticket, when, at("2026-03-02", "10:00"))
    ticket.refresh_from_db()
    assert ticket.promised_by == when and ticket.promise_kept is None
    assert local(ticket.promise_remind_at) == reminder
    assert done.note == ""


@pytest.mark.django_db
def test_a_promise_outside_working_hours_is_taken_and_said_so(ticket):
    done = promised(ticket, at("2026-02-28", "20:00"), at("2026-02-27", "10:00"))
    assert "outside working hours" in done.note and "2026" in done.note
    # 18:00 ends the working day: a promise then is within it.
    assert promised(ticket, at("2026-03-02", "18:00"), at("2026-03-02", "10:00")).note == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "message"),
    [
        (at("2026-03-02", "09:59"), "in the future"),
        (at("2026-03-02", "10:00"), "in the future"),
        (at("2027-03-04", "10:00"), "within a year"),
        (datetime.datetime(2026, 3, 3, 10), "time zone"),
    ],
)
def test_a_promise_in_the_past_or_far_away_is_refused(ticket, when, message):
    with pytest.raises(Invalid, match=message) as refused:
        promise(ticket, ticket.assignee, when, at("2026-03-02", "10:00"))
    assert refused.value.field == "when"
    ticket.refresh_from_db()
    assert ticket.promised_by is None


@pytest.mark.django_db
def test_only_the_service_team_promises_on_an_open_ticket(ticket, rep, manager):
    now, when = at("2026-03-02", "10:00"), at("2026-03-03", "10:00")
    with pytest.raises(Forbidden):
        promise(ticket, rep, when, now)
    assert promise(ticket, manager, when, now).fields
    ticket.status = Status.RESOLVED
    with pytest.raises(Invalid, match="open ticket"):
        promise(ticket, ticket.assignee, when, now)


@pytest.mark.django_db
def test_the_sweep_reminds_the_owner_once_with_a_follow_up(ticket):
    promised(ticket, at("2026-03-03", "11:00"), at("2026-03-02", "10:00"))
    assert sla.sweep(at("2026-03-03", "08:59")).promises_reminded == 0
    assert sla.sweep(at("2026-03-03", "09:00")).promises_reminded == 1
    assert sla.sweep(at("2026-03-03", "09:30")).promises_reminded == 0
    [reminder] = FollowUp.objects.all()
    assert (reminder.assignee, reminder.customer) == (ticket.assignee, ticket.customer)
    assert reminder.origin == f"promise:{ticket.pk}"
    assert reminder.due_on == datetime.date(2026, 3, 3) and ticket.number in reminder.note


@pytest.mark.django_db
def test_a_promise_the_time_passed_by_is_broken_and_stays_broken(ticket):
    when = at("2026-03-03", "11:00")
    promised(ticket, when, at("2026-03-02", "10:00"))
    assert sla.sweep(at("2026-03-03", "11:00")).promises_broken == 1
    ticket.refresh_from_db()
    assert ticket.promise_kept is False
    [event] = broken_events()
    assert (event.subject_id, event.data["promised_by"]) == (ticket.pk, "2026-03-03T03:00:00+00:00")
    resolved = at("2026-03-03", "12:00")
    step(ticket, resolved, status=Status.RESOLVED, resolved_at=resolved)
    ticket.refresh_from_db()
    assert ticket.promise_kept is False and len(broken_events()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("resolved", "kept"), [("10:59", True), ("11:00", True), ("11:01", False)])
def test_kept_or_broken_is_recorded_at_resolution(ticket, resolved, kept):
    promised(ticket, at("2026-03-03", "11:00"), at("2026-03-02", "10:00"))
    moment = at("2026-03-03", resolved)
    step(ticket, moment, status=Status.RESOLVED, resolved_at=moment)
    ticket.refresh_from_db()
    assert ticket.promise_kept is kept
    assert len(broken_events()) == (0 if kept else 1)


@pytest.mark.django_db
def test_a_new_promise_starts_over(ticket):
    promised(ticket, at("2026-03-03", "11:00"), at("2026-03-02", "10:00"))
    sla.sweep(at("2026-03-03", "11:00"))
    promised(ticket, at("2026-03-04", "11:00"), at("2026-03-03", "11:30"))
    ticket.refresh_from_db()
    assert ticket.promise_kept is None and ticket.promise_reminded_at is None


@pytest.mark.django_db(transaction=True)
def test_a_calendar_override_moves_the_reminder_not_the_promise(immediate_queue, ticket):
    step(ticket, at("2026-02-13", "10:00"), opened_at=at("2026-02-13", "10:00"))
    promised(ticket, at("2026-02-24", "11:00"), at("2026-02-13", "10:00"))
    assert local(ticket.promise_remind_at) == "2026-02-24 09:00"
    WorkingDayOverride.objects.create(date=datetime.date(2026, 2, 24), is_working=False)
    ticket.refresh_from_db()
    # Two working hours before Tuesday 11:00, Tuesday closed: the make-up Saturday 16:00.
    assert local(ticket.promise_remind_at) == "2026-02-14 16:00"
    assert local(ticket.promised_by) == "2026-02-24 11:00"
