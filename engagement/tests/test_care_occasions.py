"""The care calendar's occasions as of any date: birthdays, festivals, anniversaries, events."""

import datetime
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from core.errors import Invalid
from customers.models import Customer
from customers.services import archive_customer
from engagement.care import Occasion, care_plan, festival_days, occasions_between, reason
from engagement.models import Audience, CareOccasion, LifeEvent

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_defaults")]


def between(start: datetime.date, days: int, **kwargs: Any) -> list[Occasion]:
    return occasions_between(start, start + datetime.timedelta(days=days), **kwargs)


def codes(occasions: list[Occasion], customer: Customer) -> list[tuple[str, datetime.date]]:
    return [(o.code, o.date) for o in occasions if o.customer_id == customer.pk]


def only(*codes_enabled: str) -> None:
    CareOccasion.objects.exclude(code__in=codes_enabled).update(enabled=False)


def test_solar_birthday_in_the_window_and_29_february_in_ordinary_and_leap_years(
    rep, make_customer
):
    only("birthday")
    may = make_customer(rep, birthday=D(1990, 5, 3))
    leapling = make_customer(rep, birthday=D(1996, 2, 29))
    assert codes(between(D(2026, 5, 1), 7), may) == [("birthday", D(2026, 5, 3))]
    assert codes(between(D(2026, 5, 4), 7), may) == []  # already past
    # 2027 is an ordinary year: 28 February; 2028 is a leap year: the 29th itself.
    assert codes(between(D(2027, 2, 27), 3), leapling) == [("birthday", D(2027, 2, 28))]
    assert codes(between(D(2028, 2, 27), 4), leapling) == [("birthday", D(2028, 2, 29))]


def test_lunar_birthday_with_the_leap_month_rule(rep, make_customer):
    only("birthday")
    lunar = {"birthday_calendar": "lunar", "lunar_birth_month": 2, "lunar_birth_day": 10}
    born_in_leap = make_customer(rep, **lunar, lunar_leap_month=True)
    born_in_ordinary = make_customer(rep, **lunar)
    # 2023 has a leap second month: each celebrates in their own month.
    spring_2023 = between(D(2023, 2, 20), 60)
    assert codes(spring_2023, born_in_ordinary) == [("birthday", D(2023, 3, 1))]
    assert codes(spring_2023, born_in_leap) == [("birthday", D(2023, 3, 31))]
    # 2024 has none: the leap-month birthday falls on the ordinary month.
    spring_2024 = between(D(2024, 3, 1), 60)
    assert codes(spring_2024, born_in_leap) == [("birthday", D(2024, 3, 19))]
    assert codes(spring_2024, born_in_ordinary) == [("birthday", D(2024, 3, 19))]
    assert all(o.lunar for o in spring_2024)


def test_lunar_new_year_boundaries(rep, make_customer):
    only("birthday", "spring_festival")
    last_day = make_customer(
        rep, birthday_calendar="lunar", lunar_birth_month=12, lunar_birth_day=30
    )
    first_day = make_customer(
        rep, birthday_calendar="lunar", lunar_birth_month=1, lunar_birth_day=1
    )
    # The 12th month of lunar 2026 has 29 days: day 30 is kept on the 29th, New Year's Eve.
    found = between(D(2027, 2, 1), 10)
    assert codes(found, last_day) == [
        ("birthday", D(2027, 2, 5)), ("spring_festival", D(2027, 2, 6)),
    ]  # fmt: skip
    # Born on lunar New Year's Day: the birthday wins over the Spring Festival that day.
    assert codes(found, first_day) == [("birthday", D(2027, 2, 6))]
    # The window's end is left out; late January is still lunar 2026.
    assert codes(between(D(2027, 1, 30), 7), first_day) == []
    assert codes(between(D(2027, 1, 25), 5), last_day) == []


def test_festivals_of_a_year(rep, make_customer):
    days = festival_days(D(2026, 1, 1), D(2027, 1, 1))
    assert days == [
        ("new_year", D(2026, 1, 1)), ("spring_festival", D(2026, 2, 17)),
        ("lantern", D(2026, 3, 3)), ("dragon_boat", D(2026, 6, 19)),
        ("mid_autumn", D(2026, 9, 25)), ("national_day", D(2026, 10, 1)),
        ("christmas", D(2026, 12, 25)),
    ]  # fmt: skip


def test_a_birthday_on_christmas_keeps_only_the_birthday(rep, make_customer):
    only("birthday", "christmas")
    noel = make_customer(rep, birthday=D(1980, 12, 25))
    other = make_customer(rep)
    found = between(D(2026, 12, 24), 3)
    assert codes(found, noel) == [("birthday", D(2026, 12, 25))]
    assert codes(found, other) == [("christmas", D(2026, 12, 25))]
    both = between(D(2026, 12, 25), 1, one_per_day=False)
    assert sorted(codes(both, noel)) == [
        ("birthday", D(2026, 12, 25)),
        ("christmas", D(2026, 12, 25)),
    ]


def test_first_purchase_anniversary_counts_years(rep, make_customer, make_order):
    only("first_purchase_anniversary")
    loyal = make_customer(rep)
    make_order(loyal, D(2024, 12, 8))
    make_order(loyal, D(2025, 3, 1))  # a later purchase changes nothing
    newcomer = make_customer(rep)
    make_order(newcomer, D(2026, 12, 8))
    found = between(D(2026, 12, 1), 14)
    assert found == [Occasion(loyal.pk, "first_purchase_anniversary", D(2026, 12, 8), years=2)]
    assert codes(found, newcomer) == []
    with translation.override("en"):
        assert reason(found[0]) == "2 years with us on 8 Dec"


def test_life_events_yearly_and_once(rep, make_customer):
    only("life_event")
    customer = make_customer(rep)
    wedding = LifeEvent.objects.create(customer=customer, kind="wedding", date=D(2020, 6, 6))
    LifeEvent.objects.create(customer=customer, kind="opening", date=D(2026, 6, 8), yearly=False)
    LifeEvent.objects.create(customer=customer, kind="other", date=D(2025, 6, 7), yearly=False)
    found = between(D(2026, 6, 1), 10)
    assert [(o.date, o.life_event_kind, o.years) for o in found] == [
        (D(2026, 6, 6), "wedding", 6), (D(2026, 6, 8), "opening", 0),
    ]  # fmt: skip
    assert found[0].life_event_id == wedding.pk
    with translation.override("zh-hans"):
        assert reason(found[0]) == "婚礼（6月6日）"


def test_audiences_archived_customers_and_disabled_occasions(rep, other_rep, make_customer):
    only("mid_autumn")
    mine = make_customer(rep)
    theirs = make_customer(other_rep)
    archived = make_customer(rep)
    archive_customer(rep, archived)
    autumn = D(2026, 9, 25)
    # Seeded for value tiers A and B: before any scoring run nobody is in them.
    assert between(autumn, 1) == []
    CareOccasion.objects.filter(code="mid_autumn").update(audience=Audience.ALL)
    assert [o.customer_id for o in between(autumn, 1)] == [mine.pk, theirs.pk]
    assert [
        o.customer_id for o in between(autumn, 1, customers=Customer.objects.filter(owner=rep))
    ] == [mine.pk]
    CareOccasion.objects.filter(code="mid_autumn").update(enabled=False)
    assert between(autumn, 1) == []


def test_a_window_must_hold_one_to_366_days():
    with pytest.raises(Invalid) as empty:
        occasions_between(D(2026, 1, 2), D(2026, 1, 2))
    assert empty.value.field == "days"
    with pytest.raises(Invalid):
        care_plan(D(2026, 1, 1), 367)


def run_plan(*args: str) -> Any:
    out = StringIO()
    call_command("care_plan", *args, stdout=out)
    return out.getvalue()


def test_care_plan_json_has_the_exact_shape(rep, make_customer):
    only("birthday", "christmas")
    noel = make_customer(rep, birthday=D(1980, 12, 25))
    other = make_customer(rep, birthday=D(1985, 12, 26))
    printed = json.loads(run_plan("--as-of", "2026-12-25", "--days", "2", "--format", "json"))
    assert printed == {"occasions": [
        {"customer_id": noel.pk, "occasion": "birthday", "date": "2026-12-25",
         "channel": "sms", "template": "care_birthday"},
        {"customer_id": other.pk, "occasion": "christmas", "date": "2026-12-25",
         "channel": "email", "template": "care_christmas"},
        {"customer_id": other.pk, "occasion": "birthday", "date": "2026-12-26",
         "channel": "sms", "template": "care_birthday"},
    ]}  # fmt: skip
    # The end is left out: one day is the as-of day alone.
    one_day = json.loads(run_plan("--as-of", "2026-12-26", "--days", "1", "--format", "json"))
    assert [row["date"] for row in one_day["occasions"]] == ["2026-12-26"]
    table = run_plan("--as-of", "2026-12-25", "--days", "2")
    assert "care_christmas" in table and "3 occasions" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], "--as-of must be a date"),
        (["--as-of", "yesterday"], "--as-of must be a date"),
        (["--as-of", "2026-12-01", "--days", "0"], "--days must be a whole number from 1 to 366"),
        (["--as-of", "2026-12-01", "--days", "x"], "--days must be a whole number"),
        (["--as-of", "2026-12-01", "--days", "400"], "from 1 to 366"),
    ],
)
def test_care_plan_refuses_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        run_plan(*args)
