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


def test_lunar_birthdays_agree_with_the_profiles_next_birthday(rep, make_customer):
    only("birthday")
    born = [
        (m, d, leap)
        for m in (1, 2, 4, 6, 11, 12)
        for d in (1, 15, 29, 30)
        for leap in (False, True)
    ]
    customers = [
        make_customer(rep, birthday_calendar="lunar", lunar_birth_month=m, lunar_birth_day=d,
                      lunar_leap_month=leap)
        for m, d, leap in born
    ]  # fmt: skip
    for today in (D(2023, 1, 10), D(2023, 3, 25), D(2025, 7, 20), D(2026, 12, 3), D(2027, 2, 5)):
        found = between(today, 366)
        for customer in customers:
            dates = [o.date for o in found if o.customer_id == customer.pk]
            # A lunar year with a leap month is longer than a solar one: a birthday may be
            # more than 366 days away, and then the window has none.
            expected = customer.next_birthday(today)
            assert expected is not None
            if expected < today + datetime.timedelta(days=366):
                assert min(dates) == expected, (customer.lunar_birth_month, today)
            else:
                assert dates == []


def score(run, customer, tier: str) -> None:
    from insights.models import CustomerScore

    CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=2, first_purchase_on=D(2024, 1, 1),
        last_purchase_on=D(2026, 1, 1), revenue=100, is_returning=True, p_alive=0.9,
        churn_risk=0.1, expected_purchases_30=0.1, expected_purchases_90=0.3,
        expected_purchases_365=1, expected_spend=50, clv=100, value_tier=tier, r_score=3,
        f_score=3, m_score=3, segment="loyal",
    )  # fmt: skip


def test_the_value_tier_audience_reads_the_latest_good_run(rep, make_customer, make_order):
    from insights.models import RunStatus, ScoreRun

    only("mid_autumn", "first_purchase_anniversary")
    top, middle, low = make_customer(rep), make_customer(rep), make_customer(rep)
    run = ScoreRun.objects.create(as_of=D(2026, 9, 1), status=RunStatus.SUCCEEDED)
    for customer, tier in ((top, "A"), (middle, "B"), (low, "C")):
        score(run, customer, tier)
    autumn = between(D(2026, 9, 25), 1)
    assert [o.customer_id for o in autumn] == [top.pk, middle.pk]
    # The anniversary goes to returning customers: a first purchase a year before the window.
    make_order(low, D(2025, 9, 25))
    make_order(middle, D(2025, 9, 28))
    found = between(D(2026, 9, 25), 1, one_per_day=False)
    assert [(o.customer_id, o.code) for o in found] == [
        (top.pk, "mid_autumn"), (middle.pk, "mid_autumn"), (low.pk, "first_purchase_anniversary"),
    ]  # fmt: skip
