"""Redemption by the rep's page and the counter's API: access per role, idempotency, clear
refusals with nothing changed, and the notices that follow."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from engagement.models import Message, Purpose
from loyalty import notices, points
from loyalty.members import member_for
from loyalty.models import Member, PointsEntry, Redemption, Reward

URL = "/api/v1/loyalty/redemptions"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, body, key="k-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def customer(rep, make_customer):
    customer = make_customer(rep, email="wang@example.com", language="en")
    points.grant(member_for(customer.pk), 500, "opening", None, "open:1")
    return customer


@pytest.fixture
def kettle(db):
    return Reward.objects.create(code="kettle", name="Kettle", name_zh="电水壶", kind="gift",
                                 cost=200, stock=3)  # fmt: skip


def balance(customer) -> int:
    return Member.objects.get(customer=customer).points_balance


def test_the_counter_redeems_once_per_key(rep, customer, kettle):
    client = client_for(rep)
    first = post(client, {"customer_id": customer.pk, "reward_id": kettle.pk})
    assert first.status_code == 201, first.content
    assert first.json()["balance"] == 300
    again = post(client, {"customer_id": customer.pk, "reward_id": kettle.pk})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = post(client, {"customer_id": customer.pk, "reward_id": kettle.pk + 1})
    assert other.status_code == 409
    assert balance(customer) == 300 and Reward.objects.get().stock == 2


def test_refusals_name_the_field_and_change_nothing(rep, customer, kettle):
    client = client_for(rep)
    no_key = post(client, {"customer_id": customer.pk, "reward_id": kettle.pk}, key="")
    assert no_key.status_code == 422
    assert no_key.json()["errors"][0]["field"] == "Idempotency-Key"
    for body in ({"customer_id": customer.pk, "reward_id": -1},
                 {"customer_id": customer.pk, "reward_id": 1.5},
                 {"customer_id": customer.pk}):  # fmt: skip
        assert post(client, body, key="bad").status_code == 422
    assert post(client, {"customer_id": customer.pk, "reward_id": 999}, "x").status_code == 404
    dear = Reward.objects.create(code="tv", name="TV", kind="gift", cost=5000)
    refused = post(client, {"customer_id": customer.pk, "reward_id": dear.pk}, "tv")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "points", "message": "TV needs 5,000 points; the customer has 500."}
    ]
    gone = Reward.objects.create(code="gone", name="Gone", kind="gift", cost=1, stock=0)
    assert "out of stock" in post(client, {"customer_id": customer.pk, "reward_id": gone.pk},
                                  "gone").json()["errors"][0]["message"]  # fmt: skip
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    old = Reward.objects.create(
        code="old", name="Old", kind="coupon", cost=1, valid_until=yesterday
    )
    assert post(client, {"customer_id": customer.pk, "reward_id": old.pk}, "o").status_code == 422
    assert balance(customer) == 500 and Redemption.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep", 201), ("manager", 201), ("admin_user", 201), ("agent", 403), ("other_rep", 404)],
)
def test_who_may_redeem(request, who, status, customer, kettle):
    user = request.getfixturevalue(who)
    response = post(client_for(user), {"customer_id": customer.pk, "reward_id": kettle.pk})
    assert response.status_code == status
    assert balance(customer) == (300 if status == 201 else 500)


@pytest.mark.parametrize(("who", "status"), [("rep", 200), ("agent", 200), ("other_rep", 404)])
def test_who_reads_points(request, who, status, customer):
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/api/v1/loyalty/customers/{customer.pk}/points")
    assert response.status_code == status
    if status == 200:
        assert response.json()["balance"] == 500


def test_the_page_redeems_once_even_when_sent_twice(rep, customer, kettle):
    client = client_for(rep)
    page = client.get(f"/loyalty/customers/{customer.pk}/")
    assert page.status_code == 200 and b"Kettle" in page.content
    form = {"reward": kettle.pk, "key": "page-key-1"}
    assert client.post(f"/loyalty/customers/{customer.pk}/redeem/", form).status_code == 302
    assert client.post(f"/loyalty/customers/{customer.pk}/redeem/", form).status_code == 302
    assert balance(customer) == 300 and Redemption.objects.count() == 1
    dear = Reward.objects.create(code="tv", name="TV", kind="gift", cost=5000)
    refused = client.post(
        f"/loyalty/customers/{customer.pk}/redeem/", {"reward": dear.pk, "key": "k2"}
    )
    assert refused.status_code == 422 and b"needs 5,000 points" in refused.content


def test_pages_follow_the_access_rule(rep, agent, other_rep, manager, customer):
    assert client_for(other_rep).get(f"/loyalty/customers/{customer.pk}/").status_code == 404
    agent_page = client_for(agent).get(f"/loyalty/customers/{customer.pk}/")
    assert agent_page.status_code == 200 and b"Redeem" not in agent_page.content
    assert b"adjust-panel" not in client_for(rep).get(f"/loyalty/customers/{customer.pk}/").content
    assert b"adjust-panel" in client_for(manager).get(f"/loyalty/customers/{customer.pk}/").content
    refused = client_for(rep).post(f"/loyalty/customers/{customer.pk}/adjust/",
                                   {"points": "10", "reason": "x"})  # fmt: skip
    assert refused.status_code == 403 and balance(customer) == 500
    half = client_for(manager).post(f"/loyalty/customers/{customer.pk}/adjust/",
                                    {"points": "2.5", "reason": "x"})  # fmt: skip
    assert half.status_code == 422 and b"whole number" in half.content


def test_an_adjustment_is_on_the_timeline_with_its_actor(manager, customer, client):
    points.adjust(manager, customer, 40, "birthday goodwill")
    page = client_for(manager).get(f"/customers/{customer.pk}/")
    assert b"birthday goodwill" in page.content and b"by manager" in page.content
    assert b"points-panel" in page.content


def test_the_reward_notice_goes_through_the_send_path(
    rep, customer, kettle, django_capture_on_commit_callbacks
):
    from loyalty import rewards

    with django_capture_on_commit_callbacks(execute=True):
        rewards.redeem(rep, customer, kettle.pk, "n-1")
    message = Message.objects.get(customer=customer)
    assert message.purpose == Purpose.LOYALTY and "Kettle" in message.text


def test_expiry_warnings_and_statement(rep, customer, make_customer):
    today = timezone.localdate()
    lot_day = points.expiry_for(today)
    assert notices.expiry_warnings(lot_day - datetime.timedelta(days=30), 30) == 1
    warning = Message.objects.get(customer=customer)
    assert "500" in warning.text and warning.occasion_date == lot_day
    # Again the same night: the same warning, not a second one.
    notices.expiry_warnings(lot_day - datetime.timedelta(days=30), 30)
    assert Message.objects.filter(customer=customer).count() == 1
    text = notices.statement_text(customer, member_for(customer.pk))
    assert "Balance: 500 points" in text and "+500" in text
    chinese = make_customer(rep, email="li@example.com", language="zh-hans")
    points.grant(member_for(chinese.pk), 1200, "开业", None, "open:2")
    assert "余额" in notices.statement_text(chinese, member_for(chinese.pk))
    printed = client_for(rep).get(f"/loyalty/customers/{customer.pk}/statement/")
    assert printed.status_code == 200 and b"+500" in printed.content
    assert PointsEntry.objects.count() == 2
