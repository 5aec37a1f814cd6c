"""Refunds ask for a reason, are kept on the timeline with who and when, can be reversed,
and only the roles in REFUND_ROLES may do them: service, page and API (issue 10, item 10)."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.errors import Conflict, Forbidden, Invalid
from core.models import OutboxEvent
from customers.history import in_words
from customers.models import ProfileChange, Subject
from sales.models import CustomerStats, OrderStatus
from sales.services import refund_order, reinstate_order, set_order_status

DAY = datetime.date(2026, 3, 1)
ORDERS = "/api/v1/orders"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user, url: str, body: object, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client_for(user).post(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


def history(order) -> list[tuple[str, str, str]]:
    rows = ProfileChange.objects.filter(subject=Subject.ORDER, subject_id=order.pk)
    return [(r.field, r.old_value, r.new_value) for r in rows.order_by("id")]


@pytest.fixture
def order(rep, make_customer, make_order):
    return make_order(make_customer(rep), DAY, "30.00")


# --- the service -----------------------------------------------------------------------------


def test_a_rep_may_not_refund_by_default(rep, order):
    with pytest.raises(Forbidden, match="may not refund"):
        refund_order(rep, order, "returned")
    with pytest.raises(Forbidden):
        set_order_status(rep, order, OrderStatus.REFUNDED, "returned")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert history(order) == [("created", "", order.number)]


@pytest.mark.parametrize("who", ["manager", "admin_user"])
def test_managers_and_admins_refund_with_a_reason_and_reinstate(request, who, order):
    user = request.getfixturevalue(who)
    with pytest.raises(Invalid) as missing:
        refund_order(user, order, "   ")
    assert missing.value.field == "reason"

    refund_order(user, order, "Damaged in transit")

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert not CustomerStats.objects.filter(customer_id=order.customer_id).exists()
    with pytest.raises(Conflict, match="already refunded"):
        refund_order(user, order, "again")

    reinstate_order(user, order, "Paid after all")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert CustomerStats.objects.get(customer_id=order.customer_id).orders_count == 1
    with pytest.raises(Conflict, match="not refunded"):
        reinstate_order(user, order, "again")
    assert history(order)[1:] == [
        ("status", "paid", "refunded"),
        ("refund_reason", "", "Damaged in transit"),
        ("status", "refunded", "paid"),
        ("reinstate_reason", "", "Paid after all"),
    ]
    rows = ProfileChange.objects.filter(subject=Subject.ORDER, field="status")
    assert {row.changed_by_id for row in rows} == {user.pk}
    kinds = OutboxEvent.objects.filter(subject_id=order.pk).order_by("id")
    assert [e.kind for e in kinds] == [
        "order.created", "order.paid",
        "order.status_changed", "order.refunded",
        "order.status_changed", "order.reinstated", "order.paid",
    ]  # fmt: skip
    refunded = OutboxEvent.objects.get(subject_id=order.pk, kind="order.refunded")
    assert refunded.data == {
        "number": order.number, "amount": "30.00", "status": "refunded",
        "reason": "Damaged in transit",
    }  # fmt: skip


def test_a_cancelled_order_cannot_be_refunded(manager, order):
    set_order_status(manager, order, OrderStatus.CANCELLED)
    with pytest.raises(Conflict, match="Only a paid order"):
        refund_order(manager, order, "returned")


def test_the_reason_is_plain_text_of_bounded_length(manager, order):
    with pytest.raises(Invalid) as control:
        refund_order(manager, order, "bad\x01reason")
    assert control.value.field == "reason"
    with pytest.raises(Invalid, match="at most 500"):
        refund_order(manager, order, "x" * 501)


def test_a_manager_outside_the_team_may_not_refund(other_rep, make_customer, make_order, manager):
    foreign = make_order(make_customer(other_rep), DAY)
    with pytest.raises(Forbidden, match="not change it"):
        refund_order(manager, foreign, "returned")


def test_the_setting_decides_who_may_refund(settings, rep, manager, order):
    settings.REFUND_ROLES = ["rep", "admin"]
    refund_order(rep, order, "returned")
    with pytest.raises(Forbidden):
        reinstate_order(manager, order, "paid")


def test_the_timeline_reads_the_refund_in_words(manager, order):
    refund_order(manager, order, "Damaged in transit")
    rows = ProfileChange.objects.filter(subject=Subject.ORDER, subject_id=order.pk)
    with translation.override("zh-hans"):
        lines = [in_words(row) for row in rows.order_by("id")]
    status = lines[1]
    assert (status.who, status.subject, status.field, status.old, status.new) == (
        "manager", f"订单 {order.number}", "状态", "已支付", "已退款"
    )  # fmt: skip
    assert (lines[2].field, lines[2].new, lines[2].before_after) == (
        "退款原因", "Damaged in transit", False
    )  # fmt: skip


# --- the page --------------------------------------------------------------------------------


def test_the_refund_button_shows_only_to_those_who_may(rep, manager, order):
    page = reverse("customers:detail", args=[order.customer_id])
    refund = reverse("sales:order_refund", args=[order.pk])
    assert refund not in client_for(rep).get(page).content.decode()
    assert refund in client_for(manager).get(page).content.decode()
    assert client_for(rep).get(refund).status_code == 403
    assert client_for(rep).post(refund, {"reason": "returned"}).status_code == 403


def test_the_page_asks_for_a_reason_then_refunds_and_offers_to_reinstate(manager, order):
    client = client_for(manager)
    refund = reverse("sales:order_refund", args=[order.pk])
    assert "reason" in client.get(refund).content.decode()
    empty = client.post(refund, {"reason": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    done = client.post(refund, {"reason": "Customer changed their mind"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    page = client.get(reverse("customers:detail", args=[order.customer_id])).content.decode()
    assert "Customer changed their mind" in page
    assert reverse("sales:order_reinstate", args=[order.pk]) in page

    again = client.post(refund, {"reason": "twice"})
    assert "already refunded" in again.content.decode()


# --- the API ---------------------------------------------------------------------------------


def test_api_refund_per_role_and_idempotent(rep, manager, agent, order):
    url = f"{ORDERS}/{order.pk}/refund"
    assert api(rep, url, {"reason": "returned"}).status_code == 403
    assert api(agent, url, {"reason": "returned"}).status_code == 403
    missing = api(manager, url, {"reason": ""})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"

    first = api(manager, url, {"reason": "returned"}, key="refund-1")
    again = api(manager, url, {"reason": "returned"}, key="refund-1")

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["status"] == "refunded"
    assert OutboxEvent.objects.filter(kind="order.refunded").count() == 1
    assert api(manager, url, {"reason": "returned"}).status_code == 409

    back = api(manager, f"{ORDERS}/{order.pk}/reinstate", {"reason": "paid"}, key="back-1")
    assert (back.status_code, back.json()["status"]) == (200, "paid")


def test_api_the_setting_lets_reps_refund(settings, rep, order):
    settings.REFUND_ROLES = ["rep"]
    response = api(rep, f"{ORDERS}/{order.pk}/refund", {"reason": "returned"})
    assert (response.status_code, response.json()["status"]) == (200, "refunded")
