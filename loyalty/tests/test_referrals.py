"""Referrals: codes, attribution once at creation, refusals, rewards, merge, erasure, figures."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import Invalid
from customers.models import Customer
from customers.services import create_customer, erase_customer, merge_customers
from engagement.tests.effect_data import scoring_run
from insights.models import CustomerScore
from loyalty import referrals
from loyalty.models import (
    EntryKind,
    Member,
    PointsEntry,
    Referral,
    ReferralCode,
    ReferralRewardKind,
    ReferralStatus,
)
from sales.services import refund_order

TODAY = datetime.date(2026, 12, 3)
NOON = datetime.datetime(2026, 12, 3, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai


def referred(rep, code: str, **fields) -> Customer:
    values = {"name": "Newcomer", "owner": rep, **fields}
    return create_customer(rep, values, extras={"referral_code": code})


def code_of(customer: Customer) -> str:
    return referrals.code_for(customer).code


def test_codes_are_short_readable_unguessable_and_stable(rep, make_customer):
    customer = make_customer(rep)
    code = code_of(customer)
    assert len(code) == 8 and set(code) <= set(referrals.ALPHABET)
    assert not set(code) & set("01ILO")
    assert code_of(customer) == code
    assert len({referrals.new_code() for _ in range(2000)}) == 2000
    assert referrals.normalize(" abcd-efgh ") == "ABCDEFGH"
    assert referrals.shown(code) == f"{code[:4]}-{code[4:]}"
    assert referrals.link_for(code).endswith(f"/loyalty/r/{code}/")
    assert referrals.qr_svg(referrals.link_for(code)).startswith("<svg")
    assert referrals.qr_png("x")[:8] == b"\x89PNG\r\n\x1a\n"


def test_attribution_once_at_creation_typed_as_printed(rep, make_customer):
    referrer = make_customer(rep)
    code = code_of(referrer)
    newcomer = referred(rep, referrals.shown(code).lower(), mobile="13900000001")
    referral = Referral.objects.get()
    assert (referral.referrer_id, referral.referred_id) == (referrer.pk, newcomer.pk)
    assert referral.status == ReferralStatus.PENDING
    assert referrals.referrer_of(newcomer.pk) == referrer.pk
    fields = set(newcomer.changes.values_list("field", flat=True))
    assert "referred_by" in fields


@pytest.mark.parametrize(
    ("fields", "chain_fields"),
    [
        ({"email": "ME@Example.com"}, {"email": "me@example.com"}),
        ({"address": "1 Nanjing Rd,  Shanghai"}, {"address": "1 nanjing rd, shanghai"}),
    ],
)
def test_self_referral_by_shared_contact_is_refused_and_nothing_written(
    rep, make_customer, fields, chain_fields
):
    referrer = make_customer(rep, mobile="13800131000", **chain_fields)
    before = Customer.objects.count()
    with pytest.raises(Invalid) as error:
        referred(rep, code_of(referrer), **fields)
    assert error.value.field == "referral_code"
    assert "same mobile, email or address" in error.value.message
    assert Customer.objects.count() == before
    assert not Referral.objects.exists()


def test_the_referrers_own_mobile_is_refused(rep, make_customer):
    """The archive refuses a taken mobile first; the referral rule refuses it as well, for
    customers stored before that rule who still share one."""
    referrer = make_customer(rep, mobile="13800131000")
    with pytest.raises(Invalid, match="same mobile"):
        referrals.attribute(rep, Customer(name="Twin", mobile="13800131000"), code_of(referrer))
    assert not Referral.objects.exists()


def test_a_ring_up_the_chain_is_refused(rep, make_customer):
    grandparent = make_customer(rep, email="ring@example.com")
    parent = referred(rep, code_of(grandparent), mobile="13900000002")
    with pytest.raises(Invalid, match="same mobile, email or address"):
        referred(rep, code_of(parent), mobile="13900000003", email="ring@example.com")
    assert Referral.objects.count() == 1


def test_unknown_and_erased_codes_are_refused_clearly(rep, admin_user, make_customer):
    with pytest.raises(Invalid, match="Unknown referral code"):
        referred(rep, "ZZZZ-ZZZZ")
    referrer = make_customer(rep)
    code = code_of(referrer)
    erase_customer(admin_user, referrer, "request by phone 2026-12-01")
    with pytest.raises(Invalid, match="erased"):
        referred(rep, code)
    assert not Customer.objects.filter(name="Newcomer").exists()


def test_api_takes_the_code_in_extras_and_names_a_refusal(rep, make_customer):
    referrer = make_customer(rep)
    client = Client()
    client.force_login(rep)

    def create(code: str, mobile: str):
        body = {"name": "By API", "mobile": mobile, "extras": {"referral_code": code}}
        return client.post("/api/v1/customers", body, content_type="application/json")

    refused = create("NOPE-NOPE", "13900000011")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "extras.referral_code"
    unknown_input = client.post(
        "/api/v1/customers", {"name": "X", "extras": {"colour": "red"}},
        content_type="application/json",
    )  # fmt: skip
    assert unknown_input.status_code == 422
    assert not Customer.objects.filter(name__in=["By API", "X"]).exists()
    created = create(code_of(referrer), "13900000012")
    assert created.status_code == 201, created.content
    assert Referral.objects.get().referred_id == created.json()["id"]
    answer = client.get(f"/api/v1/loyalty/customers/{referrer.pk}/referral").json()
    assert answer["code"] == code_of(referrer) and answer["referred"] == 1


def test_the_new_customer_form_takes_the_code(rep, make_customer):
    referrer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    page = client.get("/customers/new/")
    assert 'name="referral_code"' in page.content.decode()
    form = {"kind": "person", "name": "By form", "birthday_calendar": "solar",
            "language": "zh-hans", "owner": rep.pk, "mobile": "13900000021"}  # fmt: skip
    bad = client.post("/customers/new/", {**form, "referral_code": "BAD"})
    assert bad.status_code == 200 and "Unknown referral code" in bad.content.decode()
    assert not Customer.objects.filter(name="By form").exists()
    client.post("/customers/new/", {**form, "referral_code": code_of(referrer)})
    assert Referral.objects.get().referred.name == "By form"


def test_reward_after_the_refund_window_once_and_never_for_a_refunded_order(
    rep, manager, make_customer, make_order, settings
):
    referrer = make_customer(rep)
    newcomer = referred(rep, code_of(referrer), mobile="13900000031")
    order = make_order(newcomer, TODAY - datetime.timedelta(days=6))
    assert referrals.issue_due_rewards(NOON) == referrals.RewardRun(0, 0)  # 6 days: too soon
    refund_order(manager, order, "broken")
    later = NOON + datetime.timedelta(days=2)
    assert referrals.issue_due_rewards(later) == referrals.RewardRun(0, 0)
    second = make_order(newcomer, TODAY - datetime.timedelta(days=7))
    assert referrals.issue_due_rewards(NOON) == referrals.RewardRun(1, 0)
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.REWARDED and referral.order_id == second.pk
    assert (referral.reward_kind, referral.reward_amount) == (
        ReferralRewardKind.CREDIT,
        Decimal(100),
    )
    assert referrals.issue_due_rewards(later) == referrals.RewardRun(0, 0)  # once only
    assert "rewarded" in set(referrer.changes.values_list("field", flat=True))


def test_monthly_cap_per_referrer_and_points_kind(rep, make_customer, make_order, settings):
    settings.REFERRAL_MONTHLY_CAP = 2
    settings.REFERRAL_REWARD_KIND = "points"
    referrer = make_customer(rep)
    code = code_of(referrer)
    for number in range(3):
        newcomer = referred(rep, code, mobile=f"1390000004{number}")
        make_order(newcomer, TODAY - datetime.timedelta(days=10))
    assert referrals.issue_due_rewards(NOON) == referrals.RewardRun(2, 1)
    rewarded = Referral.objects.filter(status=ReferralStatus.REWARDED)
    assert {r.reward_kind for r in rewarded} == {ReferralRewardKind.POINTS}
    assert referrals.reward_cost(TODAY, TODAY) == referrals.RewardCost(2, Decimal(0), 2000)
    # The points reach the referrer's balance through the ledger, once each.
    member = Member.objects.get(customer=referrer)
    assert member.points_balance == 2 * settings.REFERRAL_REWARD_POINTS
    assert PointsEntry.objects.filter(member=member, kind=EntryKind.GRANT).count() == 2
    referrals.issue_due_rewards(NOON)
    member.refresh_from_db()
    assert member.points_balance == 2 * settings.REFERRAL_REWARD_POINTS


def test_merge_keeps_codes_working_and_voids_what_became_self_referral(rep, manager, make_customer):
    survivor = make_customer(rep)
    duplicate = referred(rep, code_of(survivor), mobile="13900000051")
    dup_code = code_of(duplicate)
    grandchild = referred(rep, dup_code, mobile="13900000052")
    merge_customers(manager, survivor, duplicate)
    self_made = Referral.objects.get(referred=duplicate)
    assert self_made.status == ReferralStatus.VOID
    assert Referral.objects.get(referred=grandchild).referrer_id == survivor.pk
    assert ReferralCode.objects.get(code=dup_code).customer_id == survivor.pk
    later = referred(rep, dup_code, mobile="13900000053")
    assert Referral.objects.get(referred=later).referrer_id == survivor.pk


def test_merge_moves_the_incoming_referral_or_voids_a_second_one(rep, manager, make_customer):
    referrer_a = make_customer(rep)
    referrer_b = make_customer(rep)
    survivor = make_customer(rep)
    duplicate = referred(rep, code_of(referrer_b), mobile="13900000061")
    merge_customers(manager, survivor, duplicate)
    assert Referral.objects.get().referred_id == survivor.pk
    other = referred(rep, code_of(referrer_a), mobile="13900000062")
    merge_customers(manager, survivor, other)
    assert Referral.objects.get(referred=other).status == ReferralStatus.VOID
    assert referrals.referrer_of(survivor.pk) == referrer_b.pk


def test_erasure_voids_the_erased_referrers_pending_rewards(
    rep, admin_user, make_customer, make_order
):
    referrer = make_customer(rep)
    newcomer = referred(rep, code_of(referrer), mobile="13900000071")
    make_order(newcomer, TODAY - datetime.timedelta(days=10))
    erase_customer(admin_user, referrer, "request 2026-12-01")
    assert Referral.objects.get().status == ReferralStatus.VOID
    assert referrals.issue_due_rewards(NOON) == referrals.RewardRun(0, 0)


def test_figures_share_cost_and_clv(rep, make_customer, make_order):
    old = make_customer(rep)
    Customer.objects.filter(pk=old.pk).update(created_at=NOON - datetime.timedelta(days=40))
    plain = make_customer(rep)
    newcomer = referred(rep, code_of(old), mobile="13900000081")
    today = timezone.localdate()
    share = referrals.referral_share(today, today)
    assert (share.new, share.referred, share.share) == (2, 1, Decimal("0.5000"))
    assert referrals.referral_share(today, today - datetime.timedelta(days=1)).share == 0
    months = referrals.referral_share_by_month(today, 3)
    assert [key for key, _share in months][-1] == f"{today:%Y-%m}" and len(months) == 3
    assert months[-1][1] == share
    assert sum(s.new for _key, s in months) == 3 and sum(s.referred for _k, s in months) == 1
    assert referrals.clv_comparison() is None
    run = scoring_run(TODAY, {old: "A", plain: "B", newcomer: "A"})
    CustomerScore.objects.filter(customer=newcomer).update(clv=300.0)
    CustomerScore.objects.filter(customer__in=[old, plain]).update(clv=100.0)
    clv = referrals.clv_comparison()
    assert clv == referrals.ClvComparison(run.as_of, 1, 300.0, 2, 100.0)
    assert referrals.reward_cost(TODAY, TODAY) == referrals.RewardCost(0, Decimal(0), 0)


def test_tree_on_the_customer_page_and_the_landing_page(rep, other_rep, make_customer):
    root = make_customer(rep, name="Root")
    child = referred(rep, code_of(root), name="Child", mobile="13900000091")
    referred(rep, code_of(child), name="Grandchild", mobile="13900000092")
    client = Client()
    client.force_login(rep)
    page = client.get(f"/customers/{child.pk}/").content.decode()
    assert code_of(child)[:4] in page and "<svg" in page
    assert "Root" in page and "Grandchild" in page
    tree = referrals.tree_below(root)
    assert [n.customer.name for n in tree] == ["Child"]
    assert [n.customer.name for n in tree[0].children] == ["Grandchild"]
    png = client.get(f"/loyalty/customers/{child.pk}/referral-qr.png")
    assert png["Content-Type"] == "image/png"
    other = Client()
    other.force_login(other_rep)
    assert other.get(f"/loyalty/customers/{child.pk}/referral-qr.png").status_code == 404
    assert other.get(f"/api/v1/loyalty/customers/{child.pk}/referral").status_code == 404
    landing = Client().get(f"/loyalty/r/{code_of(child)}/")
    assert landing.status_code == 200 and "Child" not in landing.content.decode()
    assert Client().get("/loyalty/r/NOPENOPE/").status_code == 404


def test_the_tree_names_only_customers_the_reader_may_see(rep, other_rep, make_customer):
    root = make_customer(other_rep, name="Hidden Root")
    child = referred(rep, code_of(root), name="Visible Child", mobile="13900000093")
    client = Client()
    client.force_login(rep)
    page = client.get(f"/customers/{child.pk}/").content.decode()
    assert "Hidden Root" not in page
    assert "another rep's customer" in page
    assert "came by referral from" in page  # the history row in words


def test_personal_data_export_holds_codes_referrals_and_reservations(rep, make_customer):
    from loyalty.referral_contributions import personal_data

    referrer = make_customer(rep)
    newcomer = referred(rep, code_of(referrer), mobile="13900000094")
    sections = {section.name: section.rows for section in personal_data(referrer)}
    assert sections["referral_codes"][0]["code"] == code_of(referrer)
    assert sections["referrals"][0]["referred_id"] == newcomer.pk
    assert sections["reservations"] == []


def test_timestamps_are_aware(rep, make_customer):
    referrer = make_customer(rep)
    referred(rep, code_of(referrer), mobile="13900000099")
    assert timezone.is_aware(Referral.objects.get().created_at)


def test_the_customer_import_takes_a_referral_code_column(rep, make_customer):
    from imports.models import Kind
    from imports.tests.helpers import csv_bytes, rejected, run

    referrer = make_customer(rep, email="old@example.com")
    code = referrals.shown(code_of(referrer))
    rows = [
        ["姓名", "手机", "邮箱", "推荐码"],
        ["新客甲", "13900000101", "", code],
        ["新客乙", "13900000102", "", "NOPE-NOPE"],
        ["新客丙", "13900000103", "OLD@example.com", code],
        ["新客丁", "13900000104", "", ""],
    ]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows), skip_invalid=True)
    assert sorted(rejected(job)) == [
        (3, "推荐码", "Unknown referral code."),
        (4, "推荐码", "Refused: the new customer has the same mobile, email or address as the "
                    "referrer or someone who referred them."),
    ]  # fmt: skip
    assert [r.referred.name for r in Referral.objects.all()] == ["新客甲"]
    again = run(rep, Kind.CUSTOMERS, csv_bytes(rows[:2]))
    assert not rejected(again) and Referral.objects.count() == 1


def test_merge_voids_a_referral_that_would_close_a_loop(rep, manager, make_customer):
    duplicate = make_customer(rep)
    middle = referred(rep, code_of(duplicate), mobile="13900000111")
    survivor = referred(rep, code_of(middle), mobile="13900000112")
    merge_customers(manager, survivor, duplicate)  # survivor would refer middle, who refers it
    assert Referral.objects.get(referred=middle).status == ReferralStatus.VOID
    assert referrals.chain_up(survivor.pk) == [survivor.pk, middle.pk]
    assert referrals.tree_below(survivor) == ()
