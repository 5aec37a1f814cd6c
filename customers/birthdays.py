"""Birthdays on the solar and the Chinese lunar calendar."""

import datetime
from typing import TYPE_CHECKING

from django.db.models import CharField, Func
from django.db.models.functions import Cast, Substr
from lunardate import LunarDate

if TYPE_CHECKING:
    from customers.models import Customer


def lunar_to_solar(year: int, month: int, day: int, leap: bool) -> datetime.date | None:
    """Return the solar date of a lunar date.

    A leap-month birthday falls back to the ordinary month in years without that leap
    month, and day 30 falls back to day 29 in a short month, as families celebrate.
    """
    for is_leap in (leap, False) if leap else (False,):
        for candidate_day in (day, 29):
            try:
                return LunarDate(year, month, candidate_day, is_leap).to_solar_date()
            except ValueError:
                continue
    return None


def solar_on(year: int, birthday: datetime.date) -> datetime.date:
    """Return the birthday in the given year (29 February becomes 28 February)."""
    try:
        return birthday.replace(year=year)
    except ValueError:
        return datetime.date(year, 2, 28)


def next_birthday(customer: "Customer", today: datetime.date) -> datetime.date | None:
    """Return the next birthday on or after today, lunar birthdays converted to solar."""
    if customer.birthday_calendar == "lunar":
        month, day = customer.lunar_birth_month, customer.lunar_birth_day
        if month is None or day is None:
            return None
        lunar_year = LunarDate.from_solar_date(today.year, today.month, today.day).year
        for year in (lunar_year - 1, lunar_year, lunar_year + 1):
            solar = lunar_to_solar(year, month, day, customer.lunar_leap_month)
            if solar is not None and solar >= today:
                return solar
        return None
    if customer.birthday is None:
        return None
    this_year = solar_on(today.year, customer.birthday)
    return this_year if this_year >= today else solar_on(today.year + 1, customer.birthday)


def month_day(field: str) -> Func:
    """Return the SQL expression of a date column's "MM-DD", for matching days of the year.

    Both databases write a date cast to text as YYYY-MM-DD, so the comparison runs in the
    database without a per-row function call into Python (a million birthdays a morning).
    """
    return Substr(Cast(field, CharField()), 6, 5)


def month_days(days: "list[datetime.date]") -> dict[str, list[datetime.date]]:
    """Return the days by their "MM-DD"; 29 February is kept on 28 February in ordinary years."""
    by_key: dict[str, list[datetime.date]] = {}
    for day in days:
        by_key.setdefault(day.strftime("%m-%d"), []).append(day)
        if (
            day.month == 2
            and day.day == 28
            and solar_on(day.year, datetime.date(2000, 2, 29)) == day
        ):
            by_key.setdefault("02-29", []).append(day)
    return by_key
