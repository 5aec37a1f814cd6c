"""Care effect: each column counted right on a month built by hand (engagement.effect)."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from core.errors import Invalid, NotFound
from engagement import effect
from engagement.models import MessageResponse
from engagement.tests.effect_data import MARCH, build

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def example(rep: Any, make_customer: Any, make_order: Any, settings: Any) -> Any:
    settings.CARE_EFFECT_MIN_GROUP = 3
    built = build(rep, make_customer, make_order)
    c1, _c2, c3, _c4 = built.messages
    effect.mark_response(rep, c1, "positive")
    effect.mark_response(rep, c3, "positive")
    effect.mark_response(rep, c3, "negative")  # changed its mind: the latest mark counts
    return built


def rows_by_kind(user: Any, today: datetime.date = TODAY) -> dict[str, effect.EffectRow]:
    return {row.cause_kind: row for row in effect.care_effect(user, MARCH, MARCH, today)}


def test_counts_sends_cost_replies_and_positive_responses(example: Any, rep: Any) -> None:
    rows = rows_by_kind(rep)
    assert set(rows) == {"birthday", "spring_festival"}
    birthday = rows["birthday"]
    assert (birthday.month, birthday.channel) == (MARCH, "sms")
    # The February message to k6 is outside the range; three SMS in March.
    assert birthday.sent == 3
    assert birthday.cost == Decimal("0.15")
    # c1 exactly 7 days after: counted; c2 a second later, c3 before the send: not.
    assert birthday.replies == 1
    assert birthday.positive == 1
    assert MessageResponse.objects.count() == 2
    festival = rows["spring_festival"]
    assert (festival.channel, festival.sent, festival.cost) == ("phone", 1, Decimal("5.00"))
    assert (festival.replies, festival.positive) == (0, 0)


def test_repurchase_against_matched_uncontacted_customers(example: Any, rep: Any) -> None:
    birthday = rows_by_kind(rep)["birthday"]
    within_30, within_90 = birthday.comparisons
    # Contacted (tier A, bought within 30 days): c1 on day +30 counts, c2 on day +31 and on
    # the send day does not; within 90: all three (c3 on day +90).
    # Matched uncontacted on the 15th: k1, k2, k3, k4, k6 (k5 is in the 31-90 day bucket).
    assert (within_30.days, within_30.state) == (30, "ok")
    assert (within_30.contacted, within_30.control) == (3, 5)
    assert within_30.contacted_rate == pytest.approx(1 / 3)
    assert within_30.control_rate == pytest.approx(2 / 5)
    assert within_30.lift_points == pytest.approx((1 / 3 - 2 / 5) * 100)
    assert (within_90.contacted, within_90.control) == (3, 5)
    assert within_90.contacted_rate == pytest.approx(1.0)
    assert within_90.control_rate == pytest.approx(3 / 5)
    assert within_90.lift_points == pytest.approx(40.0)


def test_a_group_without_match_is_too_small(example: Any, rep: Any) -> None:
    festival = rows_by_kind(rep)["spring_festival"]
    # c4 (tier B, never bought) has no uncontacted customer like them.
    assert [(c.state, c.contacted, c.control) for c in festival.comparisons] == [
        ("too_small", 0, 0), ("too_small", 0, 0),
    ]  # fmt: skip
    assert festival.comparisons[0].lift_points is None


def test_minimum_group_size(example: Any, rep: Any, settings: Any) -> None:
    settings.CARE_EFFECT_MIN_GROUP = 4
    within_30, _within_90 = rows_by_kind(rep)["birthday"].comparisons
    assert (within_30.state, within_30.contacted, within_30.control) == ("too_small", 3, 5)


def test_windows_not_yet_over_are_open(example: Any, rep: Any) -> None:
    # 30 days after the end of March is 30 April: on 1 May the 30-day window is over.
    states = [
        c.state for c in rows_by_kind(rep, datetime.date(2026, 4, 30))["birthday"].comparisons
    ]
    assert states == ["open", "open"]
    states = [c.state for c in rows_by_kind(rep, datetime.date(2026, 5, 1))["birthday"].comparisons]
    assert states == ["ok", "open"]


def test_each_role_counts_only_the_customers_it_sees(
    example: Any, rep: Any, manager: Any, other_rep: Any, admin_user: Any, make_customer: Any
) -> None:
    from engagement.tests.effect_data import care

    care(make_customer(other_rep))
    assert rows_by_kind(rep)["birthday"].sent == 3
    assert rows_by_kind(manager)["birthday"].sent == 3
    assert rows_by_kind(admin_user)["birthday"].sent == 4
    assert rows_by_kind(other_rep)["birthday"].sent == 1


def test_bad_month_range_names_the_field(rep: Any) -> None:
    with pytest.raises(Invalid) as error:
        effect.care_effect(rep, datetime.date(2026, 5, 1), datetime.date(2026, 4, 1), TODAY)
    assert error.value.field == "end"
    with pytest.raises(Invalid) as error:
        effect.care_effect(rep, datetime.date(2026, 5, 1), datetime.date(2027, 1, 1), TODAY)
    assert error.value.field == "end"
    with pytest.raises(Invalid) as error:
        effect.care_effect(rep, datetime.date(2024, 1, 1), datetime.date(2026, 1, 1), TODAY)
    assert error.value.field == "start"


def test_marking_a_response_follows_the_access_rule(
    example: Any, rep: Any, other_rep: Any, manager: Any
) -> None:
    message = example.messages[1]
    with pytest.raises(NotFound):
        effect.visible_message(other_rep, message.pk)
    with pytest.raises(NotFound):
        effect.mark_response(other_rep, message, "positive")
    with pytest.raises(Invalid) as error:
        effect.mark_response(rep, message, "great")
    assert error.value.field == "mark"
    assert effect.visible_message(manager, message.pk) == message
    assert not MessageResponse.objects.filter(message=message).exists()


def test_a_large_comparison_group_is_sampled_regularly(
    example: Any, rep: Any, settings: Any
) -> None:
    # Ten visible customers and room for three: every fourth by key is described.
    settings.CARE_EFFECT_CONTROL_SAMPLE = 3
    settings.CARE_EFFECT_MIN_GROUP = 0
    matched = [k for k in example.controls if k is not example.controls[4]]  # k5: other bucket
    within_30, _within_90 = rows_by_kind(rep)["birthday"].comparisons
    assert within_30.control == sum(1 for k in matched if k.pk % 4 == 0)


def test_a_zone_with_summer_time_counts_the_same(example: Any, rep: Any, settings: Any) -> None:
    # London moves its clocks on 29 March 2026: days come from the database's time-zone
    # conversion instead of a fixed offset, and every send is still on the same day.
    settings.TIME_ZONE = "Europe/London"
    birthday = rows_by_kind(rep)["birthday"]
    assert (birthday.sent, birthday.replies, birthday.positive) == (3, 1, 1)
    assert [(c.contacted, c.control) for c in birthday.comparisons] == [(3, 5), (3, 5)]
    assert birthday.comparisons[1].lift_points == pytest.approx(40.0)
