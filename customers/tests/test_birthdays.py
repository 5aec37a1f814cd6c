"""Next birthdays on the solar and lunar calendars."""

import datetime

from customers.models import Calendar, Customer


def test_solar_birthday_this_year_or_next():
    customer = Customer(birthday=datetime.date(1990, 5, 20))
    assert customer.next_birthday(datetime.date(2026, 5, 1)) == datetime.date(2026, 5, 20)
    assert customer.next_birthday(datetime.date(2026, 5, 21)) == datetime.date(2027, 5, 20)


def test_leap_day_birthday_falls_on_28_february():
    customer = Customer(birthday=datetime.date(2000, 2, 29))
    assert customer.next_birthday(datetime.date(2026, 1, 1)) == datetime.date(2026, 2, 28)


def test_lunar_birthday_moves_with_the_lunar_calendar():
    # Mid-Autumn day (8th month, 15th day) was 2026-09-25 and will be 2027-09-15.
    customer = Customer(birthday_calendar=Calendar.LUNAR, lunar_birth_month=8, lunar_birth_day=15)
    assert customer.next_birthday(datetime.date(2026, 9, 1)) == datetime.date(2026, 9, 25)
    assert customer.next_birthday(datetime.date(2026, 9, 26)) == datetime.date(2027, 9, 15)


def test_lunar_day_30_in_a_short_month_falls_back_to_day_29():
    customer = Customer(birthday_calendar=Calendar.LUNAR, lunar_birth_month=1, lunar_birth_day=30)
    birthday = customer.next_birthday(datetime.date(2026, 11, 23))
    assert birthday is not None and birthday > datetime.date(2026, 11, 23)
