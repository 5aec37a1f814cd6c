"""The calendar's listeners hear of every override saved or deleted, after the commit only;
a moment is in working time at the ends of a period too."""

import datetime

import pytest
from django.db import transaction

from core.calendar import WorkingCalendar, calendar_listeners, working_hours
from core.models import WorkingDayOverride

CST = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def heard():
    calls: list[int] = []
    calendar_listeners.register("test-listener", lambda: calls.append(1))
    yield calls
    calendar_listeners.unregister("test-listener")


@pytest.mark.django_db
def test_listeners_hear_of_a_saved_and_a_deleted_override_after_commit(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        override = WorkingDayOverride.objects.create(
            date=datetime.date(2027, 2, 20), is_working=True
        )
        assert heard == []  # not before the commit
    assert heard == [1]
    with django_capture_on_commit_callbacks(execute=True):
        override.delete()
    assert heard == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_heard_of_a_change_rolled_back(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        WorkingDayOverride.objects.create(date=datetime.date(2027, 2, 20), is_working=True)
        raise RuntimeError
    assert heard == []


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        ("2026-03-02T09:00", True),
        ("2026-03-02T12:00", True),  # the end of the morning
        ("2026-03-02T12:30", False),  # lunch
        ("2026-03-02T18:00", True),
        ("2026-03-02T18:01", False),
        ("2026-02-14T10:00", True),  # a make-up Saturday
        ("2026-02-17T10:00", False),  # the Spring Festival
        ("2026-03-01T10:00", False),  # a Sunday
    ],
)
def test_a_working_moment(moment, working):
    calendar = WorkingCalendar(working_hours(), {})
    when = datetime.datetime.fromisoformat(moment).replace(tzinfo=CST)
    assert calendar.is_working_moment(when) is working
