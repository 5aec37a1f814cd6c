"""Twenty redemptions at once against one balance: exactly the affordable ones succeed, on
SQLite (on a file, as it runs) and PostgreSQL, and the stock never passes zero."""

import pytest

from core.errors import Invalid
from loyalty import points, rewards
from loyalty.members import member_for
from loyalty.models import Member, Redemption, Reward
from loyalty.tests.concurrency import on_a_file, run_at_once


def redeem_twenty(rep, customer, reward, tmp_path):
    with on_a_file(tmp_path):
        results = run_at_once(
            20, lambda i: rewards.redeem(rep, customer, reward.pk, f"counter-{i}")
        )
        outcome = (
            Member.objects.get(customer=customer),
            Reward.objects.get(pk=reward.pk),
            Redemption.objects.count(),
            points.mismatches(),
        )
    return results, *outcome


@pytest.mark.django_db(transaction=True)
def test_only_the_affordable_redemptions_succeed(rep, make_customer, tmp_path):
    customer = make_customer(rep)
    points.grant(member_for(customer.pk), 1000, "opening", None, "open:1")
    reward = Reward.objects.create(code="kettle", name="Kettle", kind="gift", cost=150, stock=20)
    results, member, reward, redeemed, mismatched = redeem_twenty(rep, customer, reward, tmp_path)
    won = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert (len(won), len(refused)) == (6, 14), results
    assert all("needs 150 points" in str(r) for r in refused)
    assert (member.points_balance, reward.stock, redeemed) == (100, 14, 6)
    assert mismatched == []


@pytest.mark.django_db(transaction=True)
def test_the_stock_never_passes_zero(rep, make_customer, tmp_path):
    customer = make_customer(rep)
    points.grant(member_for(customer.pk), 1000, "opening", None, "open:1")
    reward = Reward.objects.create(code="mug", name="Mug", kind="gift", cost=10, stock=5)
    results, member, reward, redeemed, mismatched = redeem_twenty(rep, customer, reward, tmp_path)
    won = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert (len(won), len(refused)) == (5, 15), results
    assert all("out of stock" in str(r) for r in refused)
    assert (member.points_balance, reward.stock, redeemed) == (950, 0, 5)
    assert mismatched == []
