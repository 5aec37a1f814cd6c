"""The service figures against values worked out by hand (see numbers_data)."""

import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import WorkingCalendar, working_calendar, working_hours
from service import numbers
from service.tests.numbers_data import END, START, ZONE, Fortnight, at, build
from service.worktime import working_seconds

HOUR = 3600.0


@pytest.fixture
def fortnight(rep: Any, other_rep: Any, make_customer: Any, make_order: Any) -> Fortnight:
    return build(rep, other_rep, make_customer, make_order)


NAMES = numbers.Names(
    user=lambda pk: str(pk), category=lambda pk: str(pk),
    week=lambda day: day.isoformat(), month=lambda day: day.isoformat(),
)  # fmt: skip


def everyone() -> numbers.Scope:
    """Return a fresh scope of every ticket (a scope keeps the purchases it read)."""
    return numbers.Scope(Q(), None)


def test_the_fortnight_figures(fortnight: Fortnight) -> None:
    table = numbers.load(Q(), START, END)
    f = numbers.total(table, everyone())
    assert f.tickets == 5  # the complaints of 03-01 23:50 and 03-16 00:10 are outside
    assert (f.complaints, f.complaining_customers, f.active_customers) == (2, 2, 4)
    assert f.complaint_rate == 0.5  # c1, c2 of c1, c3, c5 (active) and c2 (complained)
    assert f.first_responses == 4
    assert f.first_response_median == pytest.approx(1.5 * HOUR)  # 0.25, 1.5, 1.5, 2 h
    assert f.first_response_mean == pytest.approx(5.25 / 4 * HOUR)
    assert f.resolutions == 3
    assert f.resolution_median == pytest.approx(9 * HOUR)  # 2.5, 9, 16 h
    assert f.resolution_mean == pytest.approx(27.5 / 3 * HOUR)
    assert (f.sla_met, f.sla_settled) == (2, 3)  # T3 still running; T4 has no SLA
    assert (f.promises_kept, f.promises_settled) == (1, 2)
    assert (f.surveys_sent, f.surveys_answered) == (3, 2)
    assert (f.satisfied, f.csat_answers) == (1, 2)
    assert f.csat == 0.5 and f.response_rate == pytest.approx(2 / 3)
    assert (f.promoters, f.detractors, f.nps_answers) == (1, 1, 2)
    assert f.nps == 0
    assert (f.reopened, f.resolved_once) == (1, 3)
    assert f.gift_cost == Decimal("42.50")  # the refused 100.00 does not count


def test_by_agent_team_category_and_week(fortnight: Fortnight) -> None:
    table = numbers.load(Q(), START, END)
    a1, a2 = fortnight.a1.pk, fortnight.a2.pk
    agents = {
        row.key: row.figures
        for row in numbers.rows(table, everyone(), numbers.Group("agent"), NAMES)
    }
    assert set(agents) == {a1, a2, None}
    assert agents[a1].tickets == 2 and agents[a1].first_response_median == 1.5 * HOUR
    assert agents[a2].first_response_median == pytest.approx(1.125 * HOUR)  # 0.25 and 2 h
    assert agents[a1].complaint_rate is None  # a rate of customers, not of agents
    assert agents[None].tickets == 1
    teams = {
        row.label: row.figures
        for row in numbers.rows(table, everyone(), numbers.Group("team"), NAMES)
    }
    assert teams["East"].tickets == 2 and teams["West"].tickets == 2
    assert teams["East"].gift_cost == Decimal("42.50")
    categories = {
        row.key: row.figures
        for row in numbers.rows(table, everyone(), numbers.Group("category"), NAMES)
    }
    quality, delivery = fortnight.quality.pk, fortnight.delivery.pk
    assert categories[quality].tickets == 3 and categories[quality].complaint_rate == 0.25
    assert categories[delivery].complaint_rate == 0.25
    assert (categories[quality].sla_met, categories[quality].sla_settled) == (2, 2)
    weeks = numbers.rows(table, everyone(), numbers.Group("week"), NAMES)
    assert [row.key for row in weeks] == [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)]
    first, second = weeks[0].figures, weeks[1].figures
    assert first.tickets == 2 and second.tickets == 3
    # Week 1: c1 and c5 bought within 180 days, c1 and c2 complained: 2 of 3.
    assert first.complaint_rate == pytest.approx(2 / 3)
    # Week 2: c1, c3 (bought 03-10) and c5 active, nobody complained.
    assert (second.complaining_customers, second.active_customers) == (0, 3)
    months = numbers.rows(table, everyone(), numbers.Group("month"), NAMES)
    assert len(months) == 1 and months[0].figures.tickets == 5


def test_a_rep_counts_only_their_customers(fortnight: Fortnight, rep: Any) -> None:
    scope = numbers.Scope(numbers.visible_tickets_q(rep), numbers.visible_customer_ids(rep))
    f = numbers.total(numbers.load(scope.tickets, START, END), scope)
    assert f.tickets == 4  # T4 is the other rep's customer's
    assert f.active_customers == 4  # c4 (the other rep's) never counts; c1, c2, c3, c5 do


def test_roles_see_every_ticket_but_a_rep(
    rep: Any, manager: Any, agent: Any, admin_user: Any
) -> None:
    for user in (manager, agent, admin_user):
        assert numbers.visible_tickets_q(user) == Q()
        assert numbers.visible_customer_ids(user) is None
    assert numbers.visible_tickets_q(rep) == Q(customer__owner_id=rep.pk)


def test_no_tickets_no_figures(db: Any) -> None:
    f = numbers.total(numbers.load(Q(), START, END), everyone())
    assert f.tickets == 0 and f.first_response_median is None and f.csat is None
    assert f.nps is None and f.gift_cost == 0 and f.complaint_rate is None


# Working time, many at once, equals the calendar's one at a time ---------------------------

PAIRS = [
    (at(13, 17, 55, month=2), at(24, 9, 30, month=2)),  # across the Spring Festival 2026
    (at(14, 10, month=2), at(14, 11, month=2)),  # a make-up Saturday is worked
    (at(28, 17, month=2), at(2, 9, 30)),  # the make-up Saturday 02-28, then Monday
    (at(2, 12, 10), at(2, 12, 50)),  # within lunch: nothing
    (at(7, 10), at(8, 10)),  # a weekend: nothing
    (at(2, 8), at(2, 19)),  # before and after hours: the whole day
]


def test_working_time_many_at_once(db: Any) -> None:
    calendar = working_calendar()
    first = np.array([a.timestamp() for a, _b in PAIRS])
    second = np.array([b.timestamp() for _a, b in PAIRS])
    got = working_seconds(calendar, first, second)
    assert got.tolist() == [calendar.between(a, b).total_seconds() for a, b in PAIRS]
    assert got[1] == HOUR and got[3] == 0 and got[4] == 0 and got[5] == 8 * HOUR
    assert np.isnan(working_seconds(calendar, first[:1], np.array([np.nan])))[0]


START_2026 = datetime.datetime(2026, 1, 1, tzinfo=ZONE).timestamp()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300 * 86400), st.integers(0, 40 * 86400)),
        min_size=1, max_size=20,
    )
)  # fmt: skip
def test_working_time_agrees_with_the_calendar(offsets: list[tuple[int, int]]) -> None:
    calendar = WorkingCalendar(working_hours(), {datetime.date(2026, 5, 6): False})
    first = np.array([START_2026 + a for a, _b in offsets], dtype=np.float64)
    second = first + np.array([b for _a, b in offsets])
    got = working_seconds(calendar, first, second)
    expected = [
        calendar.between(moment(a), moment(b)).total_seconds()
        for a, b in zip(first, second, strict=True)
    ]
    assert got.tolist() == expected


def moment(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, ZONE)
