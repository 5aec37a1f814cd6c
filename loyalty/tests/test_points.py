"""The points ledger: earning from every order path, reversal, debt, expiry, adjustments."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.actors import actor_for
from core.errors import Forbidden, Invalid
from core.events import deliver_pending
from loyalty import points
from loyalty.members import member_for
from loyalty.models import (
    AdjustmentState,
    EarningState,
    EntryKind,
    Member,
    MembershipTier,
    PointsEarning,
    PointsEntry,
    PointsLot,
    PointsPromotion,
)
from sales.models import OrderStatus
from sales.services import (
    LineInput,
    OrderInput,
    create_orders,
    delete_order,
    refund_order,
    reinstate_order,
    set_order_status,
)

DAY = datetime.date(2026, 11, 2)
LATER = timezone.now() + datetime.timedelta(days=8)


def settle() -> None:
    """Deliver the events and confirm whatever is due after the delay."""
    deliver_pending()
    points.confirm_due(LATER)


def member_of(customer) -> Member:
    return Member.objects.get(customer=customer)


def assert_consistent() -> None:
    assert points.mismatches() == []


def test_a_paid_order_earns_10_per_100_after_the_delay(rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, DAY, "259.90")
    deliver_pending()
    earning = PointsEarning.objects.get()
    assert earning.state == EarningState.PENDING and earning.points == 25
    assert member_of(customer).points_balance == 0
    assert points.confirm_due(timezone.now()) == 0
    assert points.confirm_due(LATER) == 1
    assert member_of(customer).points_balance == 25
    assert_consistent()


def test_bulk_orders_earn_once_each_and_unpaid_ones_nothing(rep, make_customer, product):
    customers = [make_customer(rep) for _ in range(3)]
    line = [LineInput(sku=product.sku, quantity=1, unit_price=Decimal("100.00"))]
    orders = [OrderInput(f"B-{i}", customers[i % 3].pk, DAY, line) for i in range(9)]
    orders.append(OrderInput("B-open", customers[0].pk, DAY, line, status=OrderStatus.CANCELLED))
    create_orders(None, orders)
    settle()
    settle()  # a second delivery run changes nothing
    assert [member_of(c).points_balance for c in customers] == [30, 30, 30]
    assert PointsEntry.objects.filter(kind=EntryKind.EARN).count() == 9
    assert_consistent()


def test_multipliers_tier_birthday_and_promotion(rep, make_customer, make_order):
    MembershipTier.objects.update_or_create(code="gold", defaults={
        "name": "Gold", "rank": 3, "min_spend": 10000, "points_multiplier": Decimal("1.5"),
    })  # fmt: skip
    customer = make_customer(rep, birthday=datetime.date(1990, 11, 20))
    member = member_for(customer.pk)
    member.tier = "gold"
    member.save()
    PointsPromotion.objects.create(name="Double", starts_on=DAY, ends_on=DAY, multiplier=2)
    make_order(customer, DAY, "100.00")  # 10 × 1.5 × 2 (birthday) × 2 (promotion)
    make_order(customer, DAY + datetime.timedelta(days=1), "100.00")  # 10 × 1.5 × 2
    make_order(customer, datetime.date(2026, 12, 1), "100.99")  # 10.099 × 1.5 → 15
    settle()
    assert sorted(PointsEarning.objects.values_list("points", flat=True)) == [15, 30, 60]


def test_refund_before_confirmation_cancels_after_it_reverses(
    manager, rep, make_customer, make_order
):
    customer = make_customer(rep)
    early = make_order(customer, DAY, "100.00")
    late = make_order(customer, DAY, "200.00")
    deliver_pending()
    refund_order(manager, early, "broken")
    settle()
    assert PointsEarning.objects.get(order_id=early.pk).state == EarningState.CANCELLED
    assert member_of(customer).points_balance == 20
    refund_order(manager, late, "changed mind")
    settle()
    assert member_of(customer).points_balance == 0
    assert PointsEarning.objects.get(order_id=late.pk).state == EarningState.REVERSED
    # Reinstated: paid again, it earns again.
    reinstate_order(manager, late, "found it")
    settle()
    assert member_of(customer).points_balance == 20
    assert_consistent()


def test_a_refund_of_spent_points_becomes_debt_settled_by_later_earnings(
    manager, rep, make_customer, make_order
):
    customer = make_customer(rep)
    order = make_order(customer, DAY, "300.00")
    settle()
    member = member_of(customer)
    points.adjust(manager, customer, -25, "used at the counter")
    refund_order(manager, order, "returned")
    settle()
    member.refresh_from_db()
    assert (member.points_balance, member.points_debt) == (0, 25)
    make_order(customer, DAY, "400.00")
    settle()
    member.refresh_from_db()
    assert (member.points_balance, member.points_debt) == (15, 0)
    assert_consistent()


def test_cancelled_and_deleted_orders_give_their_points_back(
    manager, rep, make_customer, make_order
):
    customer = make_customer(rep)
    cancelled = make_order(customer, DAY, "100.00")
    deleted = make_order(customer, DAY, "100.00")
    settle()
    set_order_status(manager, cancelled, OrderStatus.CANCELLED)
    delete_order(manager, deleted)
    settle()
    assert member_of(customer).points_balance == 0
    assert_consistent()


def test_orders_before_the_programme_start_earn_nothing_until_backfilled(
    settings, admin_user, manager, rep, make_customer, make_order
):
    settings.LOYALTY_PROGRAMME_START = "2026-06-01"
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 5, 31), "100.00")
    make_order(customer, datetime.date(2026, 4, 1), "55.00")
    make_order(customer, datetime.date(2026, 6, 1), "100.00")
    settle()
    assert member_of(customer).points_balance == 10
    preview = points.backfill_preview()
    assert (preview.orders, preview.members, preview.points) == (2, 1, 15)
    assert preview.liability == Decimal("1.50")
    with pytest.raises(Forbidden):
        points.backfill(manager, 15)
    with pytest.raises(Invalid):
        points.backfill(admin_user, 14)
    assert points.backfill(admin_user, 15) == 15
    assert member_of(customer).points_balance == 25
    assert points.backfill_preview().orders == 0
    assert_consistent()


def test_expiry_takes_the_soonest_lots_first(manager, rep, make_customer):
    customer = make_customer(rep)
    member = member_for(customer.pk)
    actor = actor_for(manager)
    with transaction.atomic():
        locked = points.lock_member(member.pk)
        points.credit(locked, 100, EntryKind.GRANT, actor, datetime.date(2026, 1, 10))
        points.credit(locked, 50, EntryKind.GRANT, actor, datetime.date(2025, 12, 1))
        points.credit(locked, 30, EntryKind.GRANT, actor, datetime.date(2026, 3, 1))
        # Spending takes the 50 expiring 2026-12-01 first, then 20 of the 100.
        points.debit(locked, 70, EntryKind.REDEEM, actor, owe_rest=False)
    assert points.expire(datetime.date(2026, 12, 1)) == 0
    assert points.expire(datetime.date(2027, 1, 10)) == 80
    member.refresh_from_db()
    assert member.points_balance == 30
    assert points.expire(datetime.date(2027, 1, 10)) == 0
    assert list(PointsLot.objects.order_by("expires_on").values_list("remaining", "expired")) == [
        (0, 0), (0, 80), (30, 0)
    ]  # fmt: skip
    assert_consistent()


def test_adjustments_by_managers_only_with_reason_and_approval_above_the_limit(
    settings, manager, rep, make_customer, admin_user, team
):
    from conftest import make_user

    settings.LOYALTY_ADJUSTMENT_APPROVAL_LIMIT = 100
    customer = make_customer(rep)
    with pytest.raises(Forbidden):
        points.adjust(rep, customer, 10, "nice")
    with pytest.raises(Invalid) as error:
        points.adjust(manager, customer, 10, "  ")
    assert error.value.field == "reason"
    for bad in ("1.5", "0", "abc", "1e3", 10**12, True, None):
        with pytest.raises(Invalid):
            points.adjust(manager, customer, bad, "typo")
    with pytest.raises(Invalid):
        points.adjust(manager, customer, -5, "below zero")
    small = points.adjust(manager, customer, 100, "goodwill")
    assert small.state == AdjustmentState.APPLIED
    big = points.adjust(manager, customer, 500, "big goodwill")
    assert big.state == AdjustmentState.WAITING
    assert member_of(customer).points_balance == 100
    with pytest.raises(Forbidden):
        points.decide_adjustment(manager, big, True)
    second = make_user("manager2", "manager", team)
    points.decide_adjustment(second, big, True)
    assert member_of(customer).points_balance == 600
    with pytest.raises(Invalid):
        points.decide_adjustment(admin_user, big, False)
    assert PointsEntry.objects.filter(kind=EntryKind.ADJUST).count() == 2
    assert_consistent()


def test_grant_is_once_per_reference(rep, make_customer):
    customer = make_customer(rep)
    member = member_for(customer.pk)
    first = points.grant(member, 200, "referral of Wang", None, "referral:7")
    again = points.grant(member, 200, "referral of Wang", None, "referral:7")
    assert first.pk == again.pk
    assert member_of(customer).points_balance == 200
    with pytest.raises(Invalid):
        points.grant(member, -3, "x", None, "referral:8")


def test_rebuild_command_proves_and_repairs_the_kept_balance(rep, make_customer):
    customer = make_customer(rep)
    points.grant(member_for(customer.pk), 40, "gift", None, "gift:1")
    out = StringIO()
    call_command("loyalty_rebuild", stdout=out)
    assert "0 members differ" in out.getvalue()
    Member.objects.filter(customer=customer).update(points_balance=41)
    with pytest.raises(SystemExit):
        call_command("loyalty_rebuild", stdout=StringIO())
    call_command("loyalty_rebuild", "--fix", stdout=StringIO())
    assert member_of(customer).points_balance == 40
