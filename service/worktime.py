"""Working time between many pairs of moments at once, on core's working calendar.

`WorkingCalendar.between` answers one pair in Python; the service figures need it for every
ticket of a period. Working time from a fixed origin is a step function W(t): the working
days before t's day times a day's capacity, plus what was worked on t's day by t. Then
between(a, b) = W(b) - W(a), exactly as the calendar counts it, and W is a table look-up per
moment: one row per calendar day of the span (whether it is worked, the working days before
it, its local midnight), built once from the calendar.

Moments are seconds since the Unix epoch (floats, NaN for "not yet"). A moment's time of
day is counted from its day's local midnight, so on a day a daylight-saving clock change
shifts, the hours after the change are off by it (China keeps no daylight saving).
"""

import datetime

import numpy as np

from core.calendar import WorkingCalendar

_ONE_DAY = datetime.timedelta(days=1)


def working_seconds(calendar: WorkingCalendar, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the working seconds from each `first` to its `second` (NaN where either is)."""
    moments = np.concatenate((first, second))
    known = moments[~np.isnan(moments)]
    result = np.full(first.shape, np.nan)
    if not known.size:
        return result
    table = _DayTable(calendar, float(known.min()), float(known.max()))
    return table.worked(second) - table.worked(first)


class _DayTable:
    """The calendar days from `low` to `high` with what W(t) needs of each."""

    def __init__(self, calendar: WorkingCalendar, low: float, high: float) -> None:
        zone = calendar.hours.zone
        first = datetime.datetime.fromtimestamp(low, zone).date() - _ONE_DAY
        last = datetime.datetime.fromtimestamp(high, zone).date() + _ONE_DAY
        days = [first + _ONE_DAY * i for i in range((last - first).days + 1)]
        midnights = [datetime.datetime.combine(day, datetime.time(), tzinfo=zone) for day in days]
        self.midnight = np.array([moment.timestamp() for moment in midnights])
        self.working = np.array([calendar.is_working_day(day) for day in days])
        self.days_before = np.concatenate(([0], np.cumsum(self.working)[:-1]))
        self.periods = calendar.hours.periods  # (start, end) microseconds of the day
        self.capacity = calendar.hours.capacity

    def worked(self, moments: np.ndarray) -> np.ndarray:
        """Return W(t) in seconds for each moment (NaN stays NaN)."""
        missing = np.isnan(moments)
        safe = np.where(missing, self.midnight[1], moments)
        index = np.searchsorted(self.midnight, safe, side="right") - 1
        micros = np.round((safe - self.midnight[index]) * 1e6)
        today = np.zeros(safe.shape)
        for start, end in self.periods:
            today += np.clip(micros - start, 0, end - start)
        total = self.days_before[index] * float(self.capacity) + np.where(
            self.working[index], today, 0.0
        )
        return np.where(missing, np.nan, total / 1e6)
