"""Every order change is announced in its transaction and recorded in the customer's one
history with its actor (issue 11, items 2 and 3); the bulk paths announce in bulk."""

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import ApiToken
from core import events
from core.events import Event, events_in
from core.models import OutboxEvent
from customers.history import in_words
from customers.models import ProfileChange, Subject
from sales.events import OrderEvent
from sales.models import Order, OrderStatus
from sales.services import LineInput, OrderInput, create_orders, delete_order, set_order_status

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def paid() -> Iterator[list[Event]]:
    """Subscribe a recorder to order.paid for one test."""
    seen: list[Event] = []
    events.subscribe(OrderEvent.PAID, "test.paid", seen.append)
    yield seen
    events.unsubscribe(OrderEvent.PAID, "test.paid")


def delivered(seen: list[Event]) -> list[tuple[int | None, str]]:
    events.deliver_pending()
    events.deliver_pending()  # a second run delivers nothing again
    return [(event.subject_id, event.data["number"]) for event in seen]


def test_a_paid_order_from_the_form_is_announced_once(rep, make_customer, product, paid):
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    form = {
        "number": "SO-F1", "ordered_on": "2026-03-01", "channel": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100", "lines-0-product": str(product.pk),
        "lines-0-quantity": "2", "lines-0-unit_price": "15.00", "lines-0-discount": "0",
    }  # fmt: skip
    response = client.post(reverse("sales:order_create", args=[customer.pk]), form)
    assert response.status_code == 302
    order = Order.objects.get(number="SO-F1")

    assert delivered(paid) == [(order.pk, "SO-F1")]
    assert paid[0].customer_id == customer.pk
    assert paid[0].data == {"number": "SO-F1", "amount": "30.00", "status": "paid"}
    assert (paid[0].actor.kind, paid[0].actor.user_id) == ("user", rep.pk)
    created = ProfileChange.objects.get(subject=Subject.ORDER, subject_id=order.pk)
    assert (created.field, created.changed_by_id) == ("created", rep.pk)


def test_an_api_bulk_batch_announces_each_paid_order_once_without_history_rows(
    rep, make_customer, product, paid
):
    customer = make_customer(rep)
    line = {"sku": product.sku, "quantity": 1, "unit_price": "5.00"}
    body = {
        "orders": [
            {"number": f"B-{n}", "customer_id": customer.pk, "ordered_on": "2026-03-01",
             "status": status, "lines": [line]}
            for n, status in enumerate(["paid", "refunded", "paid"])
        ]
    }  # fmt: skip
    client = Client()
    client.force_login(rep)
    response = client.post(
        "/api/v1/orders/bulk", json.dumps(body), content_type="application/json",
        headers={"Idempotency-Key": "bulk-1"},
    )  # fmt: skip
    assert response.status_code == 201

    assert sorted(number for _id, number in delivered(paid)) == ["B-0", "B-2"]
    # The batch's events are one outbox row per kind, each event delivered on its own.
    created = OutboxEvent.objects.get(kind=OrderEvent.CREATED)
    assert [e.data["number"] for e in events_in(created)] == ["B-0", "B-1", "B-2"]
    assert not ProfileChange.objects.filter(subject=Subject.ORDER).exists()


def test_a_status_change_through_an_api_token_reads_in_words_with_its_actor(
    manager, rep, make_customer, make_order
):
    order = make_order(make_customer(rep), DAY, "30.00")
    _token, raw = ApiToken.objects.issue(manager, "till")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        f"/api/v1/orders/{order.pk}/refund", json.dumps({"reason": "Returned unopened"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200

    row = ProfileChange.objects.get(subject=Subject.ORDER, subject_id=order.pk, field="status")
    with translation.override("en"):
        line = in_words(row)
    assert (line.who, line.subject, line.field, line.old, line.new) == (
        "manager (till), through the API", f"Order {order.number}", "status", "Paid", "Refunded"
    )  # fmt: skip
    event = OutboxEvent.objects.get(kind=OrderEvent.REFUNDED)
    assert (event.actor_kind, event.actor_user_id, event.customer_id) == (
        "token", manager.pk, order.customer_id
    )  # fmt: skip


def test_cancel_and_delete_are_recorded_and_announced(rep, make_customer, make_order):
    order = make_order(make_customer(rep), DAY)
    order_id, number = order.pk, order.number
    set_order_status(rep, order, OrderStatus.CANCELLED)
    set_order_status(rep, order, OrderStatus.CANCELLED)  # unchanged: nothing more
    delete_order(rep, order)

    rows = ProfileChange.objects.filter(subject=Subject.ORDER, subject_id=order_id)
    assert [(r.field, r.old_value, r.new_value) for r in rows.order_by("id")] == [
        ("created", "", number), ("status", "paid", "cancelled"), ("deleted", number, ""),
    ]  # fmt: skip
    with translation.override("en"):
        assert [in_words(r).subject for r in rows] == [f"Order {number}"] * 3
    kinds = OutboxEvent.objects.filter(subject_id=order_id).order_by("id")
    assert [e.kind for e in kinds] == [
        "order.created",
        "order.paid",
        "order.status_changed",
        "order.deleted",
    ]


def test_a_system_load_announces_in_bulk(rep, make_customer, product, paid):
    customer = make_customer(rep)
    line = LineInput(sku=product.sku, quantity=1, unit_price=Decimal("1.00"))
    orders = [OrderInput(f"S-{n}", customer.pk, DAY, [line]) for n in range(5)]
    create_orders(None, orders, validated=True)
    assert len(delivered(paid)) == 5
    assert {event.actor.kind for event in paid} == {"job"}
