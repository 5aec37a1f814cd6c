"""Membership tiers on the rolling 12-month net spend (issue 14, item 3): upgrade at once,
downgrade only at the annual review after a grace period, boundaries to the cent."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from core import events
from core.models import OutboxEvent
from loyalty import tiers
from loyalty.events import LoyaltyEvent
from loyalty.models import Member, MembershipTier, TierChange, TierChangeKind
from sales.models import Order
from sales.services import (
    LineInput,
    OrderInput,
    create_order,
    delete_order,
    refund_order,
    reinstate_order,
)

pytestmark = pytest.mark.usefixtures("loyalty_defaults")

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def member_of(customer) -> Member:
    return Member.objects.get(customer=customer)


def deliver() -> None:
    events.deliver_pending()


def test_default_tiers_are_seeded(db):
    assert [(t.code, t.min_spend) for t in MembershipTier.objects.all()] == [
        ("member", Decimal("0.00")), ("silver", Decimal("2000.00")),
        ("gold", Decimal("10000.00")), ("platinum", Decimal("50000.00")),
    ]  # fmt: skip


def test_a_spend_exactly_at_the_threshold_upgrades_at_once(rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, TODAY, "1500.00", number="SO-1")
    deliver()
    assert member_of(customer).tier == "member"
    make_order(customer, TODAY, "500.00", number="SO-2")
    deliver()

    member = member_of(customer)
    assert (member.tier, member.tier_since, member.review_on, member.grace_until) == (
        "silver", TODAY, tiers.years_after(TODAY, 1), None,
    )  # fmt: skip
    history = list(member.tier_changes.order_by("id").values_list(
        "kind", "from_tier", "to_tier", "spend", "threshold", "order_number"
    ))  # fmt: skip
    assert history == [
        ("joined", "", "member", Decimal("1500.00"), Decimal("0.00"), "SO-1"),
        ("upgrade", "member", "silver", Decimal("2000.00"), Decimal("2000.00"), "SO-2"),
    ]
    upgrade = member.tier_changes.get(kind="upgrade")
    assert tiers.reason(upgrade, tiers.all_tiers()) == (
        "12-month spend ¥2,000.00 reached Silver (from ¥2,000.00) with order SO-2."
    )
    with translation.override("zh-hans"):
        assert "银卡会员" in tiers.reason(upgrade, tiers.all_tiers())
    announced = OutboxEvent.objects.filter(kind=LoyaltyEvent.TIER_CHANGED).count()
    assert announced == 2


def test_one_cent_under_the_threshold_does_not_upgrade(rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, TODAY, "1500.00")
    make_order(customer, TODAY, "499.99")
    deliver()
    assert member_of(customer).tier == "member"
    make_order(customer, TODAY, "0.01")
    deliver()
    assert member_of(customer).tier == "silver"


def test_the_spend_is_paid_orders_in_the_twelve_months_net_of_line_discounts(
    rep, make_customer, make_order, product
):
    """Not the all-time total, not refunded or cancelled orders, not future-dated ones."""
    customer = make_customer(rep)
    start = tiers.window_start(TODAY)
    assert start == tiers.years_after(TODAY, -1) + DAY
    make_order(customer, start - DAY, "9000.00")  # one day too old
    make_order(customer, start, "100.00")  # the window's first day counts
    make_order(customer, TODAY + DAY, "7000.00")  # dated tomorrow
    make_order(customer, TODAY, "5000.00", status="cancelled")
    refunded = make_order(customer, TODAY, "3000.00")
    refund_order(None, Order.objects.get(pk=refunded.pk), "")
    create_order(None, OrderInput(
        number="SO-DISC", customer_id=customer.pk, ordered_on=TODAY,
        lines=[LineInput(product.sku, 2, Decimal("60.00"), discount=Decimal("20.00"))],
    ))  # fmt: skip

    assert tiers.spend_of(customer.pk, TODAY) == Decimal("200.00")
    assert tiers.spends_of([customer.pk], TODAY) == {customer.pk: Decimal("200.00")}
    assert tiers.spends_of(None, TODAY) == {customer.pk: Decimal("200.00")}
    assert customer.stats.total_spend > Decimal("9000")  # the summary's all-time figure


def upgraded_to_silver(customer, make_order) -> tuple[Member, Any]:
    make_order(customer, TODAY, "1000.00")
    second = make_order(customer, TODAY, "1000.01")
    deliver()
    member = member_of(customer)
    assert member.tier == "silver"
    # The member's anniversary comes soon: the review reads this year's orders.
    Member.objects.filter(pk=member.pk).update(review_on=TODAY + 5 * DAY)
    return member, second


def test_a_refund_below_the_threshold_lowers_the_tier_only_after_review_and_grace(
    rep, make_customer, make_order, settings
):
    settings.LOYALTY_TIER_GRACE_DAYS = 30
    customer = make_customer(rep)
    _member, second = upgraded_to_silver(customer, make_order)
    refund_order(None, Order.objects.get(pk=second.pk), "")
    deliver()
    assert member_of(customer).tier == "silver"  # a refund never lowers at once

    assert tiers.review_tiers(TODAY + 4 * DAY).changes == {}
    result = tiers.review_tiers(TODAY + 5 * DAY)
    assert result.changes == {"grace": 1}
    member = member_of(customer)
    grace_end = TODAY + 35 * DAY
    assert (member.tier, member.grace_until) == ("silver", grace_end)
    assert member.review_on == tiers.years_after(TODAY + 5 * DAY, 1)
    grace = member.tier_changes.get(kind="grace")
    assert (grace.spend, grace.threshold) == (Decimal("1000.00"), Decimal("2000.00"))

    assert tiers.review_tiers(grace_end - DAY).reviewed == 0
    assert tiers.review_tiers(grace_end).changes == {"downgrade": 1}
    member = member_of(customer)
    assert (member.tier, member.tier_since, member.grace_until) == ("member", grace_end, None)
    assert list(member.tier_changes.order_by("id").values_list("kind", flat=True)) == [
        "joined",
        "grace",
        "downgrade",
    ]
    with translation.override("zh-hans"):
        text = tiers.reason(member.tier_changes.get(kind="downgrade"), tiers.all_tiers())
    assert "宽限期" in text and "普通会员" in text


def test_the_tier_is_kept_when_the_spend_holds_at_review(rep, make_customer, make_order):
    customer = make_customer(rep)
    upgraded_to_silver(customer, make_order)
    result = tiers.review_tiers(TODAY + 5 * DAY)
    member = member_of(customer)
    assert (result.reviewed, result.changes) == (1, {})
    assert (member.tier, member.grace_until) == ("silver", None)
    assert member.review_on == tiers.years_after(TODAY + 5 * DAY, 1)


def test_paying_again_in_the_grace_period_keeps_the_tier(rep, make_customer, make_order):
    customer = make_customer(rep)
    _member, second = upgraded_to_silver(customer, make_order)
    refund_order(None, Order.objects.get(pk=second.pk), "")
    tiers.review_tiers(TODAY + 5 * DAY)
    assert member_of(customer).grace_until is not None
    reinstate_order(None, Order.objects.get(pk=second.pk), "")  # paid again
    deliver()
    member = member_of(customer)
    assert (member.tier, member.grace_until) == ("silver", None)
    grace_end = TODAY + (5 + 90) * DAY
    assert tiers.review_tiers(grace_end).changes == {}
    assert member_of(customer).tier == "silver"


def test_a_deleted_order_counts_for_nothing_at_review(rep, make_customer, make_order):
    customer = make_customer(rep)
    _member, second = upgraded_to_silver(customer, make_order)
    delete_order(None, Order.objects.get(pk=second.pk))
    assert tiers.review_tiers(TODAY + 5 * DAY).changes == {"grace": 1}


@pytest.mark.parametrize("one_pass_from", [100_000, 1])
def test_the_nightly_review_twice_on_a_day_changes_nothing_the_second_time(
    rep, make_customer, make_order, monkeypatch, one_pass_from
):
    """Members with purchases but no tier yet (before the programme's first review) join;
    the spends read by customer or in one pass over the orders agree."""
    monkeypatch.setattr(tiers, "ONE_PASS_FROM", one_pass_from)
    customers = [make_customer(rep) for _ in range(3)]
    for customer, amount in zip(customers, ["10.00", "2500.00", "12000.00"], strict=True):
        make_order(customer, TODAY - 30 * DAY, amount)
        Member.objects.create(customer=customer)
    Member.objects.create(customer=make_customer(rep))  # no purchase: the lowest tier
    first = tiers.review_tiers(TODAY)
    assert (first.reviewed, first.changes) == (4, {"joined": 4})
    assert [member_of(c).tier for c in customers] == ["member", "silver", "gold"]
    rows = TierChange.objects.count()

    second = tiers.review_tiers(TODAY)
    assert (second.reviewed, second.changes, TierChange.objects.count()) == (0, {}, rows)
    assert tiers.review_tiers(TODAY, everyone=True).changes == {}


def test_the_review_raises_a_member_whose_upgrade_was_missed(rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, TODAY, "100.00")
    deliver()
    make_order(customer, TODAY, "20000.00")  # not delivered yet
    Member.objects.filter(customer=customer).update(review_on=TODAY)
    assert tiers.review_tiers(TODAY).changes == {"upgrade": 1}
    assert member_of(customer).tier == "gold"
    deliver()  # the late event finds the tier already there
    assert member_of(customer).tier_changes.count() == 2


@pytest.mark.parametrize(
    ("spend", "expected"),
    [("1999.99", "member"), ("2000.00", "silver"), ("9999.99", "silver"),
     ("10000.00", "gold"), ("50000.00", "platinum")],
)  # fmt: skip
def test_tier_for_spend_at_the_boundaries(db, spend, expected):
    tier = tiers.tier_for_spend(Decimal(spend), tiers.all_tiers())
    assert tier is not None and tier.code == expected


def test_a_grace_period_ending_on_a_leap_day_anniversary(db):
    known = tiers.all_tiers()
    state = tiers.State(1, 1, "gold", None, datetime.date(2028, 2, 29), None)
    step = tiers.at_review(state, Decimal("0"), datetime.date(2028, 2, 29), known)
    assert step is not None and step.kind == TierChangeKind.GRACE
    assert state.review_on == datetime.date(2029, 2, 28)


def test_the_command_reviews_the_day(rep, make_customer, make_order, capsys):
    customer = make_customer(rep)
    make_order(customer, TODAY, "3000.00")
    Member.objects.create(customer=customer)
    call_command("loyalty_review", "--day", TODAY.isoformat())
    assert capsys.readouterr().out.strip() == f"1 members reviewed on {TODAY}: joined 1"
    assert member_of(customer).tier == "silver"


def test_tier_changes_are_on_the_customer_timeline(rep, make_customer, make_order, client):
    customer = make_customer(rep)
    make_order(customer, TODAY, "2500.00", number="SO-T1")
    deliver()
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "12-month spend ¥2,500.00 reached Silver (from ¥2,000.00) with order SO-T1." in page


def test_a_grace_period_ending_on_the_anniversary_is_reviewed_once(db):
    known = tiers.all_tiers()
    day = datetime.date(2027, 5, 1)
    state = tiers.State(1, 1, "gold", None, day, day)
    step = tiers.at_review(state, Decimal("2500.00"), day, known)
    assert step is not None and (step.kind, step.to_tier) == ("downgrade", "silver")
    assert (state.tier, state.review_on, state.grace_until) == ("silver", day.replace(2028), None)
    assert tiers.at_review(state, Decimal("2500.00"), day, known) is None
    assert (state.tier, state.review_on, state.grace_until) == ("silver", day.replace(2028), None)


def test_orders_from_the_bulk_path_raise_each_customer(rep, make_customer, product):
    """The bulk path announces its orders as one batch row; each paying customer rises."""
    from sales.services import create_orders

    first, second = make_customer(rep), make_customer(rep)
    create_orders(None, [
        OrderInput(f"SO-B{i}", customer.pk, TODAY, [LineInput(product.sku, 1, Decimal(amount))])
        for i, (customer, amount) in enumerate(
            [(first, "2000.00"), (second, "600.00"), (second, "9400.00")]
        )
    ])  # fmt: skip
    deliver()
    assert (member_of(first).tier, member_of(second).tier) == ("silver", "gold")
