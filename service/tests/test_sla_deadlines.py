"""SLA deadlines in working time on China's calendar: across the 2026 Spring Festival (the
holiday 02-15 to 02-23, make-up Saturdays 02-14 and 02-28), at 17:55, at lunch, on a
Sunday; the pause while waiting on the customer; the policy by priority and tier."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import WorkingCalendar, working_hours
from service.models import SlaPolicy, Status
from service.sla import deadlines, policy_for
from service.tests.sla_support import at, local, open_ticket, score_tier, step

# The seeded policies (service/migrations/0007): urgent 1 h / 1 day, high 2 h / 2 days,
# normal 4 h / 3 days, low 1 day / 5 days of working time (8 hours a day).
DEADLINES = [
    # priority, opened (Shanghai), first response due, resolution due
    # Friday before the holiday: the make-up Saturday works, the nine days off do not.
    ("normal", "2026-02-13 10:00", "2026-02-13 15:00", "2026-02-25 10:00"),
    # 17:55 on Friday: five minutes today, the rest on the make-up Saturday.
    ("urgent", "2026-02-13 17:55", "2026-02-14 09:55", "2026-02-14 17:55"),
    # 17:55 on the make-up Saturday: the next working day is after the holiday.
    ("normal", "2026-02-14 17:55", "2026-02-24 13:55", "2026-02-26 17:55"),
    # Opened during the holiday: the clock starts when work does.
    ("urgent", "2026-02-16 10:00", "2026-02-24 10:00", "2026-02-24 18:00"),
    # Opened at lunch: the clock starts at 13:00; a deadline may fall on 12:00 itself.
    ("normal", "2026-02-24 12:30", "2026-02-24 17:00", "2026-02-27 12:00"),
    # 17:55 on Friday before the second make-up Saturday.
    ("low", "2026-02-27 17:55", "2026-02-28 17:55", "2026-03-05 17:55"),
    # Opened on a Sunday: Monday 09:00 on.
    ("high", "2026-03-01 10:00", "2026-03-02 11:00", "2026-03-03 18:00"),
    # 17:55 on an ordinary Friday: Monday morning.
    ("urgent", "2026-03-06 17:55", "2026-03-09 09:55", "2026-03-09 17:55"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("priority", "opened", "first_due", "resolution_due"), DEADLINES)
def test_deadlines_across_the_spring_festival(
    rep, make_customer, priority, opened, first_due, resolution_due
):
    day, time = opened.split()
    ticket = open_ticket(make_customer(rep), at(day, time), priority)
    assert (local(ticket.first_response_due), local(ticket.resolution_due)) == (
        first_due,
        resolution_due,
    )
    assert ticket.next_due == ticket.first_response_due


@pytest.mark.django_db
def test_the_warning_comes_at_three_quarters_of_each_target(rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-02-13", "10:00"))
    # 3 of 4 hours: 10-12, 13-14; 18 of 24 hours: Fri 7, Sat 8, Tue 3 (09:00-12:00).
    assert local(ticket.first_response_warn_at) == "2026-02-13 14:00"
    assert local(ticket.resolution_warn_at) == "2026-02-24 12:00"


@pytest.mark.django_db
def test_a_pause_across_the_holiday_counts_only_its_working_time(rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-02-13", "10:00"))
    step(ticket, at("2026-02-13", "10:30"), first_responded_at=at("2026-02-13", "10:30"))
    step(ticket, at("2026-02-13", "16:00"), waiting_since=at("2026-02-13", "16:00"))
    assert local(ticket.sla_paused_since) == "2026-02-13 16:00"
    step(ticket, at("2026-02-24", "11:00"), waiting_since=None)
    # Paused: Friday 16-18, the make-up Saturday, Tuesday 09-11: 12 working hours, not the
    # eleven days of the calendar.
    assert ticket.sla_paused == datetime.timedelta(hours=12)
    assert ticket.sla_paused_since is None
    assert local(ticket.resolution_due) == "2026-02-26 15:00"
    # The first response was given in time: its deadline no longer moves.
    assert local(ticket.first_response_due) == "2026-02-13 15:00"
    assert ticket.next_due == ticket.resolution_due


@pytest.mark.django_db
def test_a_pause_inside_the_holiday_moves_nothing(rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-02-13", "10:00"))
    step(ticket, at("2026-02-15", "10:00"), waiting_since=at("2026-02-15", "10:00"))
    step(ticket, at("2026-02-23", "16:00"), waiting_since=None)
    assert ticket.sla_paused == datetime.timedelta(0)
    assert local(ticket.resolution_due) == "2026-02-25 10:00"


@pytest.mark.django_db
def test_a_resolved_ticket_reopened_carries_on_where_its_clock_stopped(rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"))
    step(ticket, at("2026-03-02", "10:00"), first_responded_at=at("2026-03-02", "10:00"))
    resolved = at("2026-03-03", "09:00")
    step(ticket, resolved, status=Status.RESOLVED, resolved_at=resolved)
    assert ticket.sla_paused_since == resolved
    step(ticket, at("2026-03-04", "09:00"), status=Status.ACKNOWLEDGED, reopen_count=1)
    assert ticket.sla_paused == datetime.timedelta(hours=8)
    # 3 days from Monday 09:00 was Wednesday 18:00; a day resolved moves it to Thursday.
    assert local(ticket.resolution_due) == "2026-03-05 18:00"


@pytest.mark.django_db
def test_a_priority_change_takes_the_other_policy(rep, make_customer):
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "normal")
    urgent = SlaPolicy.objects.get(priority="urgent", value_tier="")
    step(ticket, at("2026-03-02", "09:30"), priority="urgent")
    assert ticket.sla_policy == urgent
    assert local(ticket.first_response_due) == "2026-03-02 10:00"


@pytest.mark.django_db
def test_an_a_tier_customer_gets_the_tighter_policy(rep, make_customer):
    customer = make_customer(rep)
    score_tier(customer, "A")
    ticket = open_ticket(customer, at("2026-03-02", "09:00"), "urgent")
    assert (ticket.sla_policy.priority, ticket.sla_policy.value_tier) == ("urgent", "A")
    assert local(ticket.first_response_due) == "2026-03-02 09:30"
    assert local(ticket.resolution_due) == "2026-03-02 14:00"


@pytest.mark.django_db
def test_a_tier_without_a_policy_of_its_own_takes_the_any_tier_one():
    assert policy_for("normal", "C") == SlaPolicy.objects.get(priority="normal", value_tier="")
    SlaPolicy.objects.filter(priority="low").delete()
    assert policy_for("low", "A") is None


@pytest.mark.django_db
def test_without_a_policy_a_ticket_has_no_deadlines(rep, make_customer):
    SlaPolicy.objects.filter(priority="low").delete()
    ticket = open_ticket(make_customer(rep), at("2026-03-02", "09:00"), "low")
    assert ticket.sla_policy is None and ticket.resolution_due is None and ticket.next_due is None


# --- properties over the calendar alone (no database) -----------------------------------

CALENDAR = WorkingCalendar(working_hours(), {})


def due(moment: datetime.datetime | None) -> datetime.datetime:
    """Return the moment, which a ticket with a policy and no first response always has."""
    assert moment is not None
    return moment


moments = st.datetimes(
    min_value=datetime.datetime(2025, 12, 1), max_value=datetime.datetime(2026, 11, 30)
).map(lambda moment: moment.replace(tzinfo=datetime.UTC))
targets = st.integers(min_value=1, max_value=60 * 8 * 20).map(
    lambda minutes: datetime.timedelta(minutes=minutes)
)
pauses = st.integers(min_value=0, max_value=60 * 8 * 30).map(
    lambda minutes: datetime.timedelta(minutes=minutes)
)


@settings(max_examples=200, deadline=None)
@given(opened=moments, first=targets, shorter=targets, longer=targets, paused=pauses)
def test_a_longer_target_never_comes_earlier(opened, first, shorter, longer, paused):
    shorter, longer = sorted((shorter, longer))
    short = deadlines(CALENDAR, opened, first, shorter, paused)
    long = deadlines(CALENDAR, opened, first, longer, paused)
    assert due(short.resolution_due) <= due(long.resolution_due)
    assert due(short.resolution_warn_at) <= due(long.resolution_warn_at)


@settings(max_examples=200, deadline=None)
@given(opened=moments, first=targets, resolution=targets, less=pauses, more=pauses)
def test_a_pause_never_shortens_the_deadline(opened, first, resolution, less, more):
    less, more = sorted((less, more))
    before = deadlines(CALENDAR, opened, first, resolution, less)
    after = deadlines(CALENDAR, opened, first, resolution, more)
    assert due(before.resolution_due) <= due(after.resolution_due)
    assert due(before.first_response_due) <= due(after.first_response_due)
    # The deadline is exactly the target plus the pause of working time after opening.
    assert CALENDAR.between(opened, due(after.resolution_due)) == resolution + more


@settings(max_examples=200, deadline=None)
@given(opened=moments, first=targets, resolution=targets)
def test_the_warning_comes_before_the_deadline_and_the_queue_shows_the_nearer(
    opened, first, resolution
):
    found = deadlines(CALENDAR, opened, first, resolution, datetime.timedelta(0))
    assert due(found.first_response_warn_at) <= due(found.first_response_due)
    assert due(found.resolution_warn_at) <= due(found.resolution_due)
    assert due(found.next_due) == min(due(found.first_response_due), due(found.resolution_due))
