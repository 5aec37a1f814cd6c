"""POST /api/v1/loyalty/quote (issue 14, item 4): each discount with its reason, the
stacking policy, points to earn, the final price; bad input answered 422 naming the field."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from loyalty.earning import points_for
from loyalty.models import Coupon, DiscountRule, Member
from sales.models import Product

pytestmark = pytest.mark.usefixtures("loyalty_defaults")

TODAY = timezone.localdate()
NOW = timezone.now()
URL = "/api/v1/loyalty/quote"


def post(user, body: object, **headers: str):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def other_month(day: datetime.date) -> int:
    return day.month % 12 + 1


@pytest.fixture
def customer(rep, make_customer):
    """A customer whose birthday is not this month, no member yet."""
    return make_customer(rep, birthday=datetime.date(1990, other_month(TODAY), 10))


@pytest.fixture
def gold(customer):
    Member.objects.create(customer=customer, tier="gold")  # 5 % off, points × 1.5
    return customer


def test_a_quote_prices_the_lines_and_applies_the_tier_discount(rep, gold, product):
    response = post(rep, {"customer_id": gold.pk, "lines": [
        {"product_id": product.pk, "quantity": 3},
        {"sku": product.sku, "quantity": 1, "unit_price": "55.00"},
    ]})  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(line["sku"], line["unit_price"], line["amount"]) for line in body["lines"]] == [
        ("CD-ROCK", "15.00", "45.00"), ("CD-ROCK", "55.00", "55.00"),
    ]  # fmt: skip
    assert body["tier"] == {"code": "gold", "name": "Gold"}
    assert body["discounts"] == [{
        "kind": "tier", "code": "", "percent": "5.00", "amount_off": None, "amount": "5.00",
        "applied": True, "reason": "5 % off for Gold members.",
    }]  # fmt: skip
    assert (body["subtotal"], body["discount"], body["total"]) == ("100.00", "5.00", "95.00")
    # ¥95 paid: 9.5 points at the base rate, 14.25 × 1.5 for gold, rounded down once.
    assert body["points"] == {
        "earn": 14,
        "base": 9,
        "tier_multiplier": "1.50",
        "birthday_multiplier": "1",
    }
    assert body["stacking"] == "best" and body["currency"] == "CNY"
    assert Member.objects.count() == 1  # nothing written


def birthday_regular(rep, make_customer, make_order):
    """A gold member in their birthday month with ten paid orders."""
    customer = make_customer(rep, birthday=datetime.date(1990, TODAY.month, 1))
    Member.objects.create(customer=customer, tier="gold")
    for _ in range(10):
        make_order(customer, TODAY - datetime.timedelta(days=40), "10.00")
    return customer


def test_best_single_discount_wins_and_points_follow_the_paid_amount(
    rep, make_customer, make_order, product
):
    customer = birthday_regular(rep, make_customer, make_order)
    Product.objects.filter(pk=product.pk).update(list_price=Decimal("1000.00"))
    body = post(rep, {"customer_id": customer.pk, "lines": [
        {"product_id": product.pk, "quantity": 1}
    ]}).json()  # fmt: skip
    offers = [(d["kind"], d["amount"], d["applied"]) for d in body["discounts"]]
    assert offers == [
        ("tier", "50.00", False),
        ("frequent", "100.00", False),
        ("birthday", "200.00", True),
    ]
    reasons = [d["reason"] for d in body["discounts"]]
    assert reasons[1] == "10 % off after 10 paid orders (10 or more)."
    assert reasons[2] == "20 % off in the customer's birthday month."
    assert (body["discount"], body["total"]) == ("200.00", "800.00")
    # 8 × 10 points for ¥800, × 1.5 for gold, × 2 in the birthday month.
    assert body["points"] == {
        "earn": 240,
        "base": 80,
        "tier_multiplier": "1.50",
        "birthday_multiplier": "2.0",
    }


def test_all_discounts_stack_one_after_the_other_when_configured(
    rep, make_customer, make_order, product, settings
):
    settings.LOYALTY_DISCOUNT_STACKING = "all"
    customer = birthday_regular(rep, make_customer, make_order)
    Coupon.objects.create(
        code="SAVE20", name="Twenty off", amount_off=Decimal("20.00"),
        valid_from=NOW - datetime.timedelta(days=1), valid_until=NOW + datetime.timedelta(days=1),
    )  # fmt: skip
    body = post(rep, {"customer_id": customer.pk, "coupon": " save20 ", "lines": [
        {"product_id": product.pk, "quantity": 1, "unit_price": "1000.00"}
    ]}).json()  # fmt: skip
    # 1000 × 0.95 × 0.90 × 0.80 = 684.00, then 20 off.
    amounts = [(d["kind"], d["amount"], d["applied"]) for d in body["discounts"]]
    assert amounts == [("tier", "50.00", True), ("frequent", "95.00", True),
                       ("birthday", "171.00", True), ("coupon", "20.00", True)]  # fmt: skip
    assert (body["discount"], body["total"], body["stacking"]) == ("336.00", "664.00", "all")
    assert body["discounts"][3]["reason"] == "Coupon SAVE20 (Twenty off): ¥20.00 off."


def test_reasons_in_chinese(rep, make_customer, make_order, product):
    customer = birthday_regular(rep, make_customer, make_order)
    response = post(rep, {"customer_id": customer.pk, "lines": [
        {"product_id": product.pk, "quantity": 1}
    ]}, **{"Accept-Language": "zh-hans"})  # fmt: skip
    body = response.json()
    assert body["tier"]["name"] == "金卡会员"
    assert [d["reason"] for d in body["discounts"]] == [
        "金卡会员专享 5 % 折扣。",
        "已付款订单 10 笔（满 10 笔）：10 % 折扣。",
        "生日月 20 % 折扣。",
    ]


def test_a_rule_outside_its_validity_window_or_switched_off_is_not_offered(
    rep, make_customer, make_order, product
):
    customer = birthday_regular(rep, make_customer, make_order)
    DiscountRule.objects.filter(kind="birthday").update(
        valid_until=TODAY - datetime.timedelta(days=1)
    )
    DiscountRule.objects.filter(kind="frequent").update(is_active=False)
    DiscountRule.objects.filter(kind="tier").update(valid_from=TODAY + datetime.timedelta(days=1))
    body = post(rep, {"customer_id": customer.pk, "lines": [
        {"product_id": product.pk, "quantity": 2}
    ]}).json()  # fmt: skip
    assert (body["discounts"], body["total"]) == ([], "30.00")


def coupon(code: str, **fields) -> Coupon:
    values = {
        "name": code.title(), "percent_off": Decimal("15"),
        "valid_from": NOW - datetime.timedelta(days=1),
        "valid_until": NOW + datetime.timedelta(days=1), **fields,
    }  # fmt: skip
    return Coupon.objects.create(code=code, **values)


def test_a_coupon_for_the_customer_is_offered(rep, customer, product):
    coupon("MINE", customer=customer)
    body = post(rep, {"customer_id": customer.pk, "coupon": "MINE", "lines": [
        {"product_id": product.pk, "quantity": 2}
    ]}).json()  # fmt: skip
    assert [(d["kind"], d["code"], d["amount"], d["applied"]) for d in body["discounts"]] == [
        ("coupon", "MINE", "4.50", True)
    ]
    assert body["total"] == "25.50"
    assert Coupon.objects.get(code="MINE").times_used == 0  # a quote spends nothing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "NOPE"}, "Unknown coupon."),
        ({"is_active": False}, "Unknown coupon."),
        ({"foreign": True}, "This coupon belongs to another customer."),
        ({"valid_until": NOW - datetime.timedelta(hours=1)}, "This coupon expired on"),
        ({"valid_from": NOW + datetime.timedelta(hours=1)}, "This coupon is valid from"),
        ({"max_uses": 3, "times_used": 3}, "This coupon has been used up."),
    ],
)
def test_a_coupon_that_cannot_be_used_is_refused_naming_the_field(
    rep, customer, make_customer, product, fields, message
):
    if fields.pop("foreign", False):
        fields["customer"] = make_customer(rep)
    code = fields.pop("code", "SPRING")
    coupon("SPRING", **fields)
    response = post(rep, {"customer_id": customer.pk, "coupon": code, "lines": [
        {"product_id": product.pk, "quantity": 1}
    ]})  # fmt: skip
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "coupon" and error["message"].startswith(message)


def test_every_bad_line_is_named_at_once(rep, customer, product):
    response = post(rep, {"customer_id": customer.pk, "lines": [
        {"product_id": 999999, "quantity": 1},
        {"sku": "NO-SUCH", "quantity": 1},
        {"product_id": product.pk, "quantity": -2},
        {"product_id": product.pk, "quantity": 1, "unit_price": "-1.00"},
        {"quantity": 1},
        {"product_id": product.pk, "quantity": 2_000_000},
    ]})  # fmt: skip
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "lines[0].product_id": "Unknown product 999999.",
        "lines[1].sku": "Unknown product NO-SUCH.",
        "lines[2].quantity": "The quantity must be at least 1.",
        "lines[3].unit_price": "The unit price cannot be negative.",
        "lines[4].product_id": "Give the product's id or its SKU.",
        "lines[5].quantity": "The quantity must be at most 1,000,000.",
    }


def test_bad_input_in_chinese_and_malformed_input(rep, customer, product):
    response = post(rep, {"customer_id": customer.pk, "lines": [
        {"product_id": product.pk, "quantity": -1}
    ]}, **{"Accept-Language": "zh-hans"})  # fmt: skip
    [error] = response.json()["errors"]
    assert error["field"] == "lines[0].quantity" and error["message"] == "数量至少为 1。"
    response = post(rep, {"customer_id": customer.pk, "lines": []})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "lines")
    response = post(rep, {"customer_id": customer.pk, "lines": [{"sku": "X", "quantity": 1.5}]})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (
        422, "lines[0].quantity"
    )  # fmt: skip


def test_access_follows_the_one_rule(rep, other_rep, manager, agent, admin_user, customer, product):
    body = {"customer_id": customer.pk, "lines": [{"product_id": product.pk, "quantity": 1}]}
    for user in (rep, manager, agent, admin_user):
        assert post(user, body).status_code == 200, user.role
    response = post(other_rep, body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "customer_id", "message": "Unknown customer."}]
    assert post(None, body).status_code == 401


@pytest.mark.parametrize(
    ("paid", "multiplier", "birthday", "points"),
    [("99.99", "1", False, 9), ("100.00", "1", False, 10), ("199.99", "1.2", False, 23),
     ("250.00", "1.5", True, 75), ("0.00", "2", True, 0), ("1050.00", "1.25", False, 131)],
)  # fmt: skip
def test_points_for_the_paid_amount(settings, paid, multiplier, birthday, points):
    settings.LOYALTY_BIRTHDAY_POINTS_MULTIPLIER = Decimal(2)
    assert points_for(Decimal(paid), Decimal(multiplier), birthday).points == points


def test_a_coupon_is_kept_in_capitals_with_one_kind_of_discount(db):
    from django.core.exceptions import ValidationError

    made = Coupon(code=" spring ", name="Spring", percent_off=Decimal(10), valid_from=NOW,
                  valid_until=NOW + datetime.timedelta(days=1))  # fmt: skip
    made.full_clean()
    assert made.code == "SPRING"
    both = Coupon(code="X", name="X", percent_off=Decimal(10), amount_off=Decimal(5),
                  valid_from=NOW, valid_until=NOW)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        both.full_clean()
    assert set(refused.value.message_dict) == {"percent_off", "valid_until"}
