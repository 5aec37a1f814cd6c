"""The working calendar: China's days with make-up workdays, overrides, and working-time
arithmetic that is monotone, additive and never lands outside working hours."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import (
    WorkingCalendar,
    WorkingHours,
    add_working_time,
    is_working_day,
    next_working_moment,
    working_calendar,
    working_hours,
    working_time_between,
)
from core.env import env_time
from core.models import WorkingDayOverride

CST = datetime.timezone(datetime.timedelta(hours=8))
SHANGHAI = working_hours().zone
HOUR = datetime.timedelta(hours=1)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=CST)


def hours(start: str, lunch_start: str, lunch_end: str, end: str) -> WorkingHours:
    time = datetime.time.fromisoformat
    return WorkingHours(time(start), time(lunch_start), time(lunch_end), time(end), SHANGHAI)


DEFAULT = WorkingCalendar(working_hours(), {})
# Other shapes of day, and overrides: a closed Monday and a worked Saturday.
CALENDARS = [
    DEFAULT,
    WorkingCalendar(
        hours("08:30", "11:45", "13:15", "17:30"),
        {datetime.date(2026, 3, 2): False, datetime.date(2026, 3, 7): True},
    ),
    WorkingCalendar(hours("10:00", "14:00", "14:00", "19:00"), {}),
]


# --- the examples the calendar must get right ----------------------------------------


@pytest.mark.django_db
def test_two_hours_after_friday_evening_is_the_make_up_saturday():
    due = add_working_time(at(2026, 2, 13, 17), 2 * HOUR)
    assert due.isoformat() == "2026-02-14T10:00:00+08:00"


@pytest.mark.django_db
def test_two_hours_after_the_make_up_saturday_is_after_the_spring_festival():
    due = add_working_time(at(2026, 2, 14, 17, 30), 2 * HOUR)
    assert due.isoformat() == "2026-02-24T10:30:00+08:00"
    assert working_time_between(at(2026, 2, 14, 17, 30), due) == 2 * HOUR


@pytest.mark.django_db
def test_days_from_the_package():
    assert is_working_day(datetime.date(2026, 2, 14))  # a Saturday, worked (调休)
    assert not is_working_day(datetime.date(2026, 2, 23))  # a Monday off, swapped
    assert not is_working_day(datetime.date(2026, 10, 1))  # National Day
    assert not is_working_day(datetime.date(2026, 3, 7))  # an ordinary Saturday
    assert is_working_day(datetime.date(2026, 3, 9))


@pytest.mark.django_db
def test_lunch_and_evening_are_not_working_time():
    assert add_working_time(at(2026, 3, 9, 11), 2 * HOUR) == at(2026, 3, 9, 14)
    assert add_working_time(at(2026, 3, 9, 17), HOUR) == at(2026, 3, 9, 18)  # due by close
    assert add_working_time(at(2026, 3, 9, 12, 30), datetime.timedelta(0)) == at(2026, 3, 9, 13)
    assert next_working_moment(at(2026, 3, 9, 18)) == at(2026, 3, 10, 9)
    assert next_working_moment(at(2026, 3, 9, 10)) == at(2026, 3, 9, 10)
    assert working_time_between(at(2026, 3, 9, 11), at(2026, 3, 9, 19)) == 6 * HOUR
    assert working_time_between(at(2026, 3, 10, 9), at(2026, 3, 9, 17)) == -HOUR


@pytest.mark.django_db
def test_an_override_is_seen_at_once():
    """The per-year day sets are cached by the overrides themselves, so a new override is
    never answered from the cache."""
    assert add_working_time(at(2026, 2, 13, 17), 2 * HOUR) == at(2026, 2, 14, 10)
    WorkingDayOverride.objects.create(date=datetime.date(2026, 2, 14), is_working=False)
    assert add_working_time(at(2026, 2, 13, 17), 2 * HOUR) == at(2026, 2, 24, 10)
    WorkingDayOverride.objects.create(
        date=datetime.date(2026, 2, 21), is_working=True, note="stocktaking"
    )
    assert add_working_time(at(2026, 2, 13, 17), 2 * HOUR) == at(2026, 2, 21, 10)


def test_naive_times_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        DEFAULT.add(datetime.datetime(2026, 3, 9, 10), HOUR)
    with pytest.raises(ValueError, match="negative"):
        DEFAULT.add(at(2026, 3, 9, 10), -HOUR)
    with pytest.raises(ValueError, match="1950-2100"):
        DEFAULT.add(at(2100, 12, 31, 10), 1000 * HOUR)


def test_working_hours_out_of_order_fail_at_start_up(settings):
    settings.LUNCH_START = datetime.time(8, 0)
    with pytest.raises(ImproperlyConfigured, match="LUNCH_START"):
        working_hours()
    settings.LUNCH_START = datetime.time(12, 0)
    settings.WORKING_TIME_ZONE = "Mars/Olympus"
    with pytest.raises(ImproperlyConfigured, match="WORKING_TIME_ZONE"):
        working_hours()


def test_env_time(monkeypatch):
    monkeypatch.setenv("HT_OPEN", "08:30")
    assert env_time("HT_OPEN", datetime.time(9)) == datetime.time(8, 30)
    monkeypatch.delenv("HT_OPEN")
    assert env_time("HT_OPEN", datetime.time(9)) == datetime.time(9)
    for bad in ("half past eight", "25:00", "08:30+08:00"):
        monkeypatch.setenv("HT_OPEN", bad)
        with pytest.raises(ImproperlyConfigured, match="HT_OPEN"):
            env_time("HT_OPEN", datetime.time(9))


# --- properties -----------------------------------------------------------------------

BOUNDARIES = [datetime.time(h, m) for h, m in ((8, 30), (9, 0), (11, 45), (12, 0), (13, 0))]
BOUNDARIES += [datetime.time(h, m) for h, m in ((13, 15), (14, 0), (17, 30), (18, 0), (19, 0))]
days = st.dates(datetime.date(2025, 12, 1), datetime.date(2027, 2, 28))
times = st.one_of(st.times(), st.sampled_from(BOUNDARIES))
zones = st.sampled_from([CST, datetime.UTC, SHANGHAI])
moments = st.builds(
    lambda day, time, zone: datetime.datetime.combine(day, time, tzinfo=CST).astimezone(zone),
    days,
    times,
    zones,
)
durations = st.one_of(
    st.integers(0, 400 * 60).map(lambda minutes: datetime.timedelta(minutes=minutes)),
    st.integers(0, 400 * 3600 * 10**6).map(lambda micros: datetime.timedelta(microseconds=micros)),
    st.sampled_from([datetime.timedelta(hours=h) for h in (0, 1, 3, 4, 5, 8, 9, 16, 40)]),
)
calendars = st.sampled_from(CALENDARS)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inside(calendar: WorkingCalendar, moment: datetime.datetime) -> bool:
    local = moment.astimezone(calendar.hours.zone)
    micros = (local.hour * 3600 + local.minute * 60 + local.second) * 10**6 + local.microsecond
    return calendar.is_working_day(local.date()) and calendar.hours.inside(micros)


@PROPERTY
@given(calendars, moments, moments, durations)
def test_monotone_in_the_start(calendar, first, second, duration):
    first, second = sorted((first, second))
    assert calendar.add(first, duration) <= calendar.add(second, duration)


@PROPERTY
@given(calendars, moments, durations, durations)
def test_monotone_in_the_duration(calendar, start, shorter, longer):
    shorter, longer = sorted((shorter, longer))
    assert start <= calendar.add(start, shorter) <= calendar.add(start, longer)


@PROPERTY
@given(calendars, moments, durations, durations)
def test_additive_from_inside_working_time(calendar, start, first, second):
    start = calendar.add(start, datetime.timedelta(0))  # a start inside working time
    assert inside(calendar, start)
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@PROPERTY
@given(calendars, moments, durations)
def test_never_lands_outside_working_time(calendar, start, duration):
    due = calendar.add(start, duration)
    assert inside(calendar, due)
    assert due.utcoffset() == calendar.hours.zone.utcoffset(due.replace(tzinfo=None))


@PROPERTY
@given(calendars, moments, durations)
def test_working_time_between_inverts_add(calendar, start, duration):
    assert calendar.between(start, calendar.add(start, duration)) == duration


@PROPERTY
@given(calendars, moments, moments)
def test_working_time_between_is_antisymmetric_and_bounded(calendar, first, second):
    forward = calendar.between(first, second)
    assert forward == -calendar.between(second, first)
    assert abs(forward) <= abs(second - first)


@PROPERTY
@given(calendars, moments)
def test_the_next_working_moment(calendar, moment):
    following = calendar.next_working_moment(moment)
    assert following >= moment and inside(calendar, following)
    assert calendar.between(moment, following) == datetime.timedelta(0)


# --- the command ----------------------------------------------------------------------


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("working_calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_adds_hours_as_json():
    output = run("--add-hours", "2", "--from", "2026-02-13T17:00:00+08:00", "--format", "json")
    assert output.strip() == '{"due": "2026-02-14T10:00:00+08:00"}'
    assert run("--add-hours", "2", "--from", "2026-02-14T17:30").strip() == (
        "2026-02-24T10:30:00+08:00"
    )


@pytest.mark.django_db
def test_command_lists_a_known_year():
    output = run("--year", "2026")
    assert "no official schedule" not in output
    assert "2026-02-17 Tue  Chinese New Year (Spring Festival)" in output
    assert "2026-02-14 Sat  for 2026-02-20" in output
    assert "2026-03-07" not in output  # an ordinary weekend is not listed


@pytest.mark.django_db
def test_command_says_when_a_year_has_no_official_schedule():
    assert "2027 has no official schedule yet" in run("--year", "2027")
    WorkingDayOverride.objects.create(
        date=datetime.date(2027, 2, 20), is_working=True, note="Spring Festival make-up"
    )
    output = run("--year", "2027", "--format", "json")
    assert '"official_schedule": false' in output and '"schedule_known": true' in output
    assert '{"date": "2027-02-20", "name": "Spring Festival make-up", "override": true}' in output
    assert "no official schedule yet" not in run("--year", "2027")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--year", "2200"], "--year"),
        (["--year", "next"], "--year"),
        (["--add-hours", "two", "--from", "2026-02-13T17:00"], "--add-hours"),
        (["--add-hours", "-1", "--from", "2026-02-13T17:00"], "--add-hours"),
        (["--add-hours", "inf", "--from", "2026-02-13T17:00"], "--add-hours"),
        (["--add-hours", "2", "--from", "Friday"], "--from"),
        (["--add-hours", "2"], "--from"),
        (["--add-hours", "800000", "--from", "2026-02-13T17:00"], "--add-hours"),
        ([], "--year"),
    ],
)
def test_command_names_the_bad_argument(args, named):
    with pytest.raises(CommandError, match=named):
        run(*args)


def test_working_calendar_loads_the_overrides_in_one_query(django_assert_num_queries, db):
    WorkingDayOverride.objects.create(date=datetime.date(2026, 3, 9), is_working=False)
    with django_assert_num_queries(1):
        calendar = working_calendar()
    assert not calendar.is_working_day(datetime.date(2026, 3, 9))


def test_an_admin_enters_next_years_schedule(admin_client):
    page = admin_client.get("/admin/core/workingdayoverride/add/")
    assert page.status_code == 200
    response = admin_client.post(
        "/admin/core/workingdayoverride/add/",
        {"date": "2027-02-20", "is_working": "on", "note": "Spring Festival make-up"},
    )
    assert response.status_code == 302
    assert working_calendar().is_working_day(datetime.date(2027, 2, 20))
    again = admin_client.post(
        "/admin/core/workingdayoverride/add/", {"date": "2027-02-20", "note": "twice"}
    )
    assert again.status_code == 200 and WorkingDayOverride.objects.count() == 1
