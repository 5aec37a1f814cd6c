"""The loyalty numbers page (issue 14, item 8): figures over the members the reader may see."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from loyalty.models import Member, TierChange
from loyalty.numbers import loyalty_numbers, months_ending

pytestmark = pytest.mark.usefixtures("loyalty_defaults")

TODAY = timezone.localdate()


def members(rep, other_rep, make_customer) -> None:
    """Three of the rep's members and one of another team's."""
    for tier, points in (("gold", 1200), ("silver", 300), ("", 0)):
        Member.objects.create(customer=make_customer(rep), tier=tier, points_balance=points)
    far = Member.objects.create(
        customer=make_customer(other_rep), tier="platinum", points_balance=99000, points_debt=7
    )
    mine = Member.objects.get(tier="gold")
    for kind, source, target in (("joined", "", "silver"), ("upgrade", "silver", "gold")):
        TierChange.objects.create(
            member=mine, kind=kind, from_tier=source, to_tier=target, spend=Decimal("12000"),
            threshold=Decimal("10000"), changed_on=TODAY,
        )  # fmt: skip
    TierChange.objects.create(
        member=far, kind="downgrade", from_tier="platinum", to_tier="gold", spend=Decimal(1),
        threshold=Decimal("50000"), changed_on=TODAY,
    )  # fmt: skip


def test_the_figures_follow_the_access_rule(rep, other_rep, manager, admin_user, make_customer):
    members(rep, other_rep, make_customer)
    mine = loyalty_numbers(manager, TODAY)
    assert (mine.members, mine.points, mine.debt, mine.liability) == (3, 1500, 0, Decimal("150.00"))
    assert mine.distribution == [
        ("member", 0),
        ("silver", 1),
        ("gold", 1),
        ("platinum", 0),
        ("", 1),
    ]
    assert mine.movement["upgrade"][-1] == 1 and mine.movement["downgrade"][-1] == 0
    assert mine.moves == [("silver", "gold", 1)]
    everyone = loyalty_numbers(admin_user, TODAY)
    assert (everyone.members, everyone.points, everyone.debt) == (4, 100500, 7)
    assert everyone.movement["downgrade"][-1] == 1


def test_the_window_is_twelve_months_ending_this_month():
    months = months_ending(datetime.date(2026, 3, 31))
    assert (months[0], months[-1], len(months)) == (
        datetime.date(2025, 4, 1), datetime.date(2026, 3, 1), 12
    )  # fmt: skip


def test_the_page_in_english_and_chinese(rep, other_rep, manager, make_customer):
    members(rep, other_rep, make_customer)
    client = Client()
    client.force_login(manager)
    page = client.get("/loyalty/").content.decode()
    assert "Loyalty numbers" in page and "¥150.00" in page and "Members by tier" in page
    assert "Silver" in page and "Gold" in page
    page = client.get("/loyalty/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "会员数据" in page and "银卡会员" in page and "积分负债" in page
    assert client.get("/loyalty/").status_code == 200
    anonymous = Client().get("/loyalty/")
    assert anonymous.status_code == 302


def test_an_empty_programme_reads_as_empty(agent):
    client = Client()
    client.force_login(agent)
    page = client.get("/loyalty/").content.decode()
    assert 'id="no-moves"' in page


def test_breakage_redemption_and_referral_share_over_the_visible_members(
    rep, other_rep, manager, make_customer
):
    from loyalty import referrals
    from loyalty.models import EntryKind, PointsEntry

    mine = Member.objects.create(customer=make_customer(rep))
    far = Member.objects.create(customer=make_customer(other_rep))
    for member, kind, points in (
        (mine, EntryKind.EARN, 80), (mine, EntryKind.GRANT, 20), (mine, EntryKind.REDEEM, -30),
        (mine, EntryKind.EXPIRE, -10), (far, EntryKind.EARN, 1000), (far, EntryKind.EXPIRE, -900),
    ):  # fmt: skip
        PointsEntry.objects.create(member=member, kind=kind, points=points)
    referrer = mine.customer
    referrals.attribute(None, make_customer(rep), referrals.code_for(referrer).code)
    numbers = loyalty_numbers(manager, TODAY)
    assert numbers.breakage == pytest.approx(10 / 100)
    assert numbers.redemption_rate == pytest.approx(30 / 100)
    # The manager's team has two new customers today, one of them referred.
    assert numbers.referral_share == pytest.approx(1 / 2)
    empty = loyalty_numbers(other_rep, TODAY - datetime.timedelta(days=400))
    assert empty.redemption_rate is None
