"""The working calendar: which days the company works, and time counted in working hours.

Days come from China's official calendar in the `holidays` package (public holidays and the
make-up working days, 调休, that the State Council publishes each November), with the
company's WorkingDayOverride rows on top: next year's schedule before the package knows it,
or a closure of the company's own. Hours are WORKING_DAY_START to WORKING_DAY_END with a
lunch break from LUNCH_START to LUNCH_END, in WORKING_TIME_ZONE.

Working time is counted exactly, in whole microseconds. A deadline may fall on the end of a
period (12:00, 18:00): the work is due by then. Time counted from outside working hours
starts at the next working moment.

For many deadlines at once, load the calendar once (`working_calendar()`, one query) and use
its methods; the module functions load it on each call.

Apps whose deadlines count in the calendar (service's SLAs) register in `calendar_listeners`;
every change to the overrides, however it is made, tells them after its commit.
"""

import datetime
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from holidays.countries.china import China, ChinaStaticHolidays

from core.models import WorkingDayOverride
from core.registry import Registry

# The years the package's Chinese lunar calendar covers; outside them it silently knows no
# Spring Festival, so the calendar refuses them instead.
FIRST_YEAR, LAST_YEAR = 1950, 2100
# The years for which the package has the State Council's notice, oldest first.
_NOTICE_YEARS = sorted(ChinaStaticHolidays.special_public_holidays)
_US = datetime.timedelta(microseconds=1)
_SATURDAY = 5


def _micros(value: datetime.time) -> int:
    """Return the time of day in microseconds since midnight."""
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


@dataclass(frozen=True)
class WorkingHours:
    """The working day's hours and lunch break, as wall-clock times in one zone."""

    start: datetime.time
    lunch_start: datetime.time
    lunch_end: datetime.time
    end: datetime.time
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if not self.start <= self.lunch_start <= self.lunch_end <= self.end:
            raise ImproperlyConfigured(
                "Working hours must be in order: WORKING_DAY_START <= LUNCH_START <= "
                "LUNCH_END <= WORKING_DAY_END."
            )
        if self.capacity <= 0:
            raise ImproperlyConfigured("Working hours must leave some time to work.")

    @functools.cached_property
    def periods(self) -> tuple[tuple[int, int], ...]:
        """Return the working periods of a day, in microseconds since midnight."""
        spans = ((self.start, self.lunch_start), (self.lunch_end, self.end))
        return tuple((_micros(s), _micros(e)) for s, e in spans if s < e)

    @functools.cached_property
    def capacity(self) -> int:
        """Return the working microseconds of one working day."""
        return sum(end - start for start, end in self.periods)

    def worked(self, micros: int) -> int:
        """Return the working microseconds of a working day before this time of day."""
        return sum(min(max(micros - start, 0), end - start) for start, end in self.periods)

    def at(self, worked: int) -> int:
        """Return the time of day after this much work (0 < worked <= capacity).

        Work that ends exactly when a period does ends then (12:00, not 13:00).
        """
        for start, end in self.periods:
            if worked <= end - start:
                return start + worked
            worked -= end - start
        raise ValueError("more work than one day holds")

    def inside(self, micros: int) -> bool:
        """Return whether a time of day is within a period, ends included."""
        return any(start <= micros <= end for start, end in self.periods)


def working_hours() -> WorkingHours:
    """Return the configured working hours (ImproperlyConfigured if they make no sense)."""
    try:
        zone = ZoneInfo(settings.WORKING_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"WORKING_TIME_ZONE must be a time zone like Asia/Shanghai, "
            f"got {settings.WORKING_TIME_ZONE!r}"
        ) from None
    return WorkingHours(
        settings.WORKING_DAY_START,
        settings.LUNCH_START,
        settings.LUNCH_END,
        settings.WORKING_DAY_END,
        zone,
    )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"{year} is outside the years the working calendar covers ({FIRST_YEAR}-{LAST_YEAR})."
        )


def official_schedule_known(year: int) -> bool:
    """Return whether the holidays package has the State Council's schedule for the year."""
    return _NOTICE_YEARS[0] <= year <= _NOTICE_YEARS[-1]


def _china(year: int, language: str = "en_US") -> China:
    """Return the package's calendar of one year, holiday names in the language."""
    return China(years=year, language=language)  # type: ignore[no-untyped-call]


def _swaps(year: int) -> dict[datetime.date, datetime.date]:
    """Return the official make-up working days of a year, each with the day off it buys.

    The package lists each swap as (month, day off, month, day worked[, year worked]).
    """
    swaps = {}
    for year_off in (year, year + 1):  # a January day off may be worked in December
        for entry in ChinaStaticHolidays.special_public_holidays.get(year_off, ()):
            parts = [part for part in entry if isinstance(part, int)]
            if len(parts) == len(entry) and len(parts) in (4, 5):
                month, day, worked_month, worked_day = parts[:4]
                worked_year = parts[4] if len(parts) == 5 else year_off
                worked = datetime.date(worked_year, worked_month, worked_day)
                swaps[worked] = datetime.date(year_off, month, day)
    return swaps


@functools.cache
def _official_days_off(year: int) -> frozenset[datetime.date]:
    """Return the package's non-working days of a year (weekends less make-up days, plus
    holidays); the package never changes while the process runs, so once per year."""
    china = _china(year)
    return frozenset(day for day in _all_days(year) if not china.is_working_day(day))


def _all_days(year: int) -> list[datetime.date]:
    first = datetime.date(year, 1, 1)
    return [
        first + datetime.timedelta(n) for n in range((datetime.date(year + 1, 1, 1) - first).days)
    ]


@functools.lru_cache(maxsize=256)
def _working_ordinals(
    year: int, overrides: frozenset[tuple[datetime.date, bool]]
) -> tuple[int, ...]:
    """Return the sorted ordinals of a year's working days; keyed by the year's overrides
    themselves, so a changed override can never be answered from an old entry."""
    off = _official_days_off(year)
    working = {day.toordinal() for day in _all_days(year) if day not in off}
    for day, is_working in overrides:
        if is_working:
            working.add(day.toordinal())
        else:
            working.discard(day.toordinal())
    return tuple(sorted(working))


@dataclass(frozen=True)
class ScheduleDay:
    """One listed day: the holiday's name, or the override's note when an admin set it."""

    day: datetime.date
    name: str
    override: bool


@dataclass(frozen=True)
class YearSchedule:
    """A year's days off beyond ordinary weekends and its make-up working days."""

    year: int
    days_off: list[ScheduleDay]
    makeup_days: list[ScheduleDay]
    official: bool
    overrides: int

    @property
    def known(self) -> bool:
        """Return whether anyone has said what the year's schedule is: the package or an admin."""
        return self.official or self.overrides > 0


class WorkingCalendar:
    """Working days and hours, with the overrides as they were when it was made."""

    def __init__(
        self,
        hours: WorkingHours,
        overrides: Mapping[datetime.date, bool],
        notes: Mapping[datetime.date, str] | None = None,
    ) -> None:
        self.hours = hours
        self.overrides = dict(overrides)
        self.notes = dict(notes or {})
        by_year: dict[int, set[tuple[datetime.date, bool]]] = {}
        for day, is_working in self.overrides.items():
            by_year.setdefault(day.year, set()).add((day, is_working))
        self._overrides_by_year = {year: frozenset(days) for year, days in by_year.items()}

    def _working(self, year: int) -> tuple[int, ...]:
        _check_year(year)
        return _working_ordinals(year, self._overrides_by_year.get(year, frozenset()))

    def is_working_day(self, day: datetime.date) -> bool:
        """Return whether the company works on this day."""
        days = self._working(day.year)
        index = bisect_left(days, day.toordinal())
        return index < len(days) and days[index] == day.toordinal()

    def _local(self, moment: datetime.datetime) -> tuple[datetime.date, int]:
        """Return the moment's date and time of day (microseconds) in the working zone."""
        if moment.utcoffset() is None:
            raise ValueError("The working calendar needs a time with its time zone.")
        local = moment.astimezone(self.hours.zone)
        return local.date(), _micros(local.time())

    def _moment(self, day: datetime.date, micros: int) -> datetime.datetime:
        midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=self.hours.zone)
        return midnight + micros * _US

    def _worked_on(self, day: datetime.date, micros: int) -> int:
        return self.hours.worked(micros) if self.is_working_day(day) else 0

    def _working_day_after(self, day: datetime.date, skip: int) -> datetime.date:
        """Return the working day that follows `skip` working days after this day."""
        year, after = day.year, day.toordinal()
        while True:
            days = self._working(year)
            index = bisect_right(days, after)
            if index + skip < len(days):
                return datetime.date.fromordinal(days[index + skip])
            skip -= len(days) - index
            year += 1

    def _working_days_from(self, first: datetime.date, last: datetime.date) -> int:
        """Return the number of working days from `first` up to, not including, `last`."""
        total = 0
        for year in range(first.year, last.year + 1):
            days = self._working(year)
            low = bisect_left(days, first.toordinal()) if year == first.year else 0
            high = bisect_left(days, last.toordinal()) if year == last.year else len(days)
            total += high - low
        return total

    def is_working_moment(self, moment: datetime.datetime) -> bool:
        """Return whether work goes on at the moment, the ends of a period included (a
        deadline at 18:00 is in working time)."""
        day, micros = self._local(moment)
        return self.is_working_day(day) and self.hours.inside(micros)

    def next_working_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """Return the moment itself if work is going on then, else when work next starts."""
        day, micros = self._local(moment)
        if self.is_working_day(day):
            for start, end in self.hours.periods:
                if micros < start:
                    return self._moment(day, start)
                if micros < end:
                    return moment.astimezone(self.hours.zone)
        return self._moment(self._working_day_after(day, 0), self.hours.periods[0][0])

    def add(self, start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
        """Return the moment `duration` of working time after `start`, in the working zone."""
        remaining = duration // _US
        if remaining < 0:
            raise ValueError("The working time to add cannot be negative.")
        day, micros = self._local(start)
        working = self.is_working_day(day)
        if remaining == 0:
            if working and self.hours.inside(micros):
                return start.astimezone(self.hours.zone)
            return self.next_working_moment(start)
        if working:
            done = self.hours.worked(micros)
            if remaining <= self.hours.capacity - done:
                return self._moment(day, self.hours.at(done + remaining))
            remaining -= self.hours.capacity - done
        skip, rest = divmod(remaining - 1, self.hours.capacity)
        target = self._working_day_after(day, skip)
        return self._moment(target, self.hours.at(rest + 1))

    def between(self, first: datetime.datetime, second: datetime.datetime) -> datetime.timedelta:
        """Return the working time from `first` to `second` (negative if `second` is earlier)."""
        if second < first:
            return -self.between(second, first)
        first_day, first_micros = self._local(first)
        second_day, second_micros = self._local(second)
        days = self._working_days_from(first_day, second_day)
        micros = (
            days * self.hours.capacity
            + self._worked_on(second_day, second_micros)
            - self._worked_on(first_day, first_micros)
        )
        return micros * _US

    def schedule(self, year: int, language: str = "en_US") -> YearSchedule:
        """Return the year's days off beyond ordinary weekends and its make-up working days."""
        _check_year(year)
        names, swaps = _china(year, language), _swaps(year)
        overrides = [day for day in self.overrides if day.year == year]
        days_off, makeup = [], []
        for day in _all_days(year):
            override = day in self.overrides
            name = self.notes.get(day, "") if override else names.get(day, "")
            weekend = day.weekday() >= _SATURDAY
            if self.is_working_day(day):
                if weekend:
                    if not name and day in swaps:
                        name = f"for {swaps[day].isoformat()}"
                    makeup.append(ScheduleDay(day, name, override))
            elif not weekend or name or override:
                days_off.append(ScheduleDay(day, name, override))
        return YearSchedule(year, days_off, makeup, official_schedule_known(year), len(overrides))


def working_calendar() -> WorkingCalendar:
    """Return the calendar as configured, with the company's overrides (one query)."""
    rows = list(WorkingDayOverride.objects.values_list("date", "is_working", "note"))
    return WorkingCalendar(
        working_hours(),
        {day: is_working for day, is_working, _note in rows},
        {day: note for day, _is_working, note in rows},
    )


def is_working_day(day: datetime.date) -> bool:
    """Return whether the company works on this day."""
    return working_calendar().is_working_day(day)


def next_working_moment(moment: datetime.datetime) -> datetime.datetime:
    """Return the moment itself if work is going on then, else when work next starts."""
    return working_calendar().next_working_moment(moment)


def add_working_time(start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
    """Return the moment `duration` of working time after `start`, in the working zone."""
    return working_calendar().add(start, duration)


def working_time_between(first: datetime.datetime, second: datetime.datetime) -> datetime.timedelta:
    """Return the working time from `first` to `second` (negative if `second` is earlier)."""
    return working_calendar().between(first, second)


# Called with no argument after a commit that changed the overrides; each loads the calendar
# it needs (a listener typically queues its own background work).
calendar_listeners: Registry[Callable[[], None]] = Registry("working calendar listeners")


def overrides_changed(**_signal: object) -> None:
    """Tell every calendar listener, after the commit (nothing if it rolls back)."""
    for listener in calendar_listeners:
        transaction.on_commit(listener)


def connect_override_signals() -> None:
    """Make every save or delete of an override tell the listeners (AppConfig.ready)."""
    post_save.connect(overrides_changed, sender=WorkingDayOverride, dispatch_uid="calendar-save")
    post_delete.connect(
        overrides_changed, sender=WorkingDayOverride, dispatch_uid="calendar-delete"
    )
