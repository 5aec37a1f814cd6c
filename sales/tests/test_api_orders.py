"""Products and orders over the API: validation, access, and the idempotent bulk import."""

import datetime
import hashlib
import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from core.models import IdempotencyKey
from customers.services import archive_customer
from sales.models import CustomerStats, Order, OrderLine, OrderStatus, Product

ORDERS = "/api/v1/orders"
BULK = "/api/v1/orders/bulk"
PRODUCTS = "/api/v1/products"
DAY = "2026-03-01"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object, key: str | None = None, raw: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    data = raw if raw is not None else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def order_body(customer, number="SO-1", sku="CD-ROCK", **line: object) -> dict[str, object]:
    return {
        "number": number,
        "customer_id": customer.pk,
        "ordered_on": DAY,
        "lines": [{"sku": sku, "quantity": 2, "unit_price": "15.00", **line}],
    }


def nothing_written() -> bool:
    return not (
        Order.objects.exists() or OrderLine.objects.exists() or CustomerStats.objects.exists()
    )


# --- products -------------------------------------------------------------------------------


def test_everyone_signed_in_lists_active_products(agent, product):
    Product.objects.create(sku="OLD", name="Old", list_price=Decimal("1"), is_active=False)
    body = client_for(agent).get(PRODUCTS).json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "id": product.pk, "sku": "CD-ROCK", "name": "Rock CD", "category": "Rock",
        "list_price": "15.00", "is_active": True,
    }  # fmt: skip
    assert client_for(agent).get(PRODUCTS, {"include_inactive": "true"}).json()["count"] == 2


def test_managers_add_products_reps_may_not(manager, rep):
    body = {"sku": "JZ-1", "name": "Jazz", "list_price": 9.9}
    assert post(client_for(rep), PRODUCTS, body).status_code == 403
    created = post(client_for(manager), PRODUCTS, body)
    assert created.status_code == 201
    assert created.json()["list_price"] == "9.90"
    assert Product.objects.get(sku="JZ-1").list_price == Decimal("9.90")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"list_price": "-1"}, "list_price"), ({"list_price": "1.234"}, "list_price"),
     ({"sku": "CD-ROCK"}, "sku"), ({"name": ""}, "name")],
)  # fmt: skip
def test_bad_products_are_rejected(admin_user, product, change, field):
    response = post(
        client_for(admin_user), PRODUCTS, {"sku": "N", "name": "N", "list_price": 1, **change}
    )
    assert response.status_code == 422
    assert field in errors(response)
    assert Product.objects.count() == 1


# --- one order ------------------------------------------------------------------------------


def test_create_order_writes_lines_and_summary(rep, make_customer, product):
    customer = make_customer(rep)
    client = client_for(rep)
    response = post(client, ORDERS, order_body(customer, discount=5))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["status"], body["number"]) == ("25.00", "paid", "SO-1")
    assert body["lines"][0] == {
        "product_id": product.pk, "sku": "CD-ROCK", "quantity": 2, "unit_price": "15.00",
        "discount": "5.00", "amount": "25.00",
    }  # fmt: skip
    assert CustomerStats.objects.get(customer=customer).total_spend == Decimal("25.00")
    assert client.get(f"{ORDERS}/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": -1}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"unit_price": "-0.01"}, "lines[0].unit_price"),
        ({"unit_price": "abc"}, "lines[0].unit_price"),
        ({"discount": "-2"}, "lines[0].discount"),
        ({"discount": "999"}, "lines[0].discount"),
        ({"sku": "NOPE"}, "lines[0].sku"),
    ],
)
def test_bad_lines_are_rejected_naming_the_field(rep, make_customer, product, line, field):
    response = post(client_for(rep), ORDERS, order_body(make_customer(rep), **line))
    assert response.status_code == 422
    assert field in errors(response)
    assert nothing_written()


def test_order_for_an_archived_customer_is_rejected(rep, make_customer, product):
    customer = make_customer(rep)
    archive_customer(rep, customer)
    response = post(client_for(rep), ORDERS, order_body(customer))
    assert response.status_code == 422
    assert set(errors(response)) == {"customer_id"}
    assert nothing_written()


def test_an_unseen_customer_answers_like_a_missing_one(rep, other_rep, make_customer, product):
    hidden = make_customer(other_rep)
    client = client_for(rep)
    unseen = post(client, ORDERS, order_body(hidden))
    missing = post(client, ORDERS, {**order_body(hidden), "customer_id": 999999})
    assert unseen.status_code == missing.status_code == 422
    assert unseen.json() == missing.json()
    assert set(errors(unseen)) == {"customer_id"}
    assert nothing_written()


def test_duplicate_number_is_rejected(rep, make_customer, make_order, product):
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 1, 1), number="SO-1")
    response = post(client_for(rep), ORDERS, order_body(customer, number="SO-1"))
    assert response.status_code == 422
    assert set(errors(response)) == {"number"}
    assert Order.objects.count() == 1


def test_agent_may_not_enter_orders(agent, rep, make_customer, product):
    response = post(client_for(agent), ORDERS, order_body(make_customer(rep)))
    assert response.status_code == 403
    assert nothing_written()


def test_single_create_replays_with_a_key(rep, make_customer, product):
    customer = make_customer(rep)
    client = client_for(rep)
    first = post(client, ORDERS, order_body(customer), key="k1")
    again = post(client, ORDERS, order_body(customer), key="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Order.objects.count() == 1


# --- reading and status ---------------------------------------------------------------------


def test_list_and_detail_follow_the_access_rule(rep, other_rep, make_customer, make_order):
    own = make_order(make_customer(rep), datetime.date(2026, 1, 1))
    other = make_order(make_customer(other_rep), datetime.date(2026, 1, 2))
    client = client_for(rep)
    assert [o["id"] for o in client.get(ORDERS).json()["items"]] == [own.pk]
    assert client.get(f"{ORDERS}/{other.pk}").status_code == 404
    assert client.get(f"{ORDERS}/{own.pk}").status_code == 200


def test_list_filters(rep, make_customer, make_order):
    first = make_customer(rep)
    paid = make_order(first, datetime.date(2026, 1, 1))
    refunded = make_order(
        make_customer(rep), datetime.date(2026, 2, 1), status=OrderStatus.REFUNDED
    )
    client = client_for(rep)

    def ids(**params: Any) -> list[int]:
        return [o["id"] for o in client.get(ORDERS, params).json()["items"]]

    assert ids() == [refunded.pk, paid.pk]
    assert ids(status="paid") == [paid.pk]
    assert ids(customer_id=first.pk) == [paid.pk]
    assert ids(ordered_from="2026-01-15") == [refunded.pk]
    assert client.get(ORDERS, {"status": "lost"}).status_code == 422


def test_status_change_keeps_the_summary(rep, manager, other_rep, agent, make_customer, make_order):
    customer = make_customer(rep)
    order = make_order(customer, datetime.date(2026, 1, 1), "30.00")
    url = f"{ORDERS}/{order.pk}/status"
    assert post(client_for(other_rep), url, {"status": "refunded"}).status_code == 404
    assert post(client_for(agent), url, {"status": "refunded"}).status_code == 403
    assert post(client_for(rep), url, {"status": "lost"}).status_code == 422
    # A refund through the status is still a refund: REFUND_ROLES and a reason.
    assert post(client_for(rep), url, {"status": "refunded", "reason": "x"}).status_code == 403
    assert post(client_for(manager), url, {"status": "refunded"}).status_code == 422
    assert CustomerStats.objects.filter(customer=customer).exists()
    response = post(client_for(manager), url, {"status": "refunded", "reason": "returned"})
    assert response.status_code == 200
    assert response.json()["status"] == "refunded"
    assert not CustomerStats.objects.filter(customer=customer).exists()


# --- bulk -----------------------------------------------------------------------------------


def bulk(customers, count=3) -> dict[str, list[dict[str, object]]]:
    return {
        "orders": [order_body(customers[i % len(customers)], number=f"B-{i}") for i in range(count)]
    }


def test_bulk_writes_every_order_and_the_summaries(rep, make_customer, product):
    customers = [make_customer(rep), make_customer(rep)]
    response = post(client_for(rep), BULK, bulk(customers, 5), key="batch-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 5
    assert [o["number"] for o in body["orders"]] == [f"B-{i}" for i in range(5)]
    assert {o["id"] for o in body["orders"]} == set(Order.objects.values_list("id", flat=True))
    assert OrderLine.objects.count() == 5
    assert CustomerStats.objects.get(customer=customers[0]).orders_count == 3
    assert CustomerStats.objects.get(customer=customers[1]).total_spend == Decimal("60.00")


def test_bulk_reports_every_error_with_its_index_and_writes_nothing(
    rep, other_rep, make_customer, make_order, product
):
    good = make_customer(rep)
    archived = make_customer(rep)
    archive_customer(rep, archived)
    make_order(good, datetime.date(2026, 1, 1), number="TAKEN")
    payload = {
        "orders": [
            order_body(good, number="OK-1"),
            order_body(good, number="OK-2", sku="NOPE"),
            order_body(archived, number="OK-3"),
            order_body(good, number="OK-1"),
            order_body(good, number="TAKEN"),
            order_body(make_customer(other_rep), number="OK-6"),
            order_body(good, number="OK-7", discount="100"),
        ]
    }
    response = post(client_for(rep), BULK, payload, key="batch-2")
    assert response.status_code == 422
    assert set(errors(response)) == {
        "orders[1].lines[0].sku",
        "orders[2].customer_id",
        "orders[3].number",
        "orders[4].number",
        "orders[5].customer_id",
        "orders[6].lines[0].discount",
    }
    assert Order.objects.count() == 1
    assert not IdempotencyKey.objects.exists()


def test_bulk_schema_errors_name_the_index(rep, make_customer, product):
    customer = make_customer(rep)
    payload = {"orders": [order_body(customer, number="A"), order_body(customer, quantity=-3)]}
    response = post(client_for(rep), BULK, payload, key="batch-3")
    assert response.status_code == 422
    assert set(errors(response)) == {"orders[1].lines[0].quantity"}
    assert nothing_written()


def test_bulk_needs_the_key_header(rep, make_customer, product):
    response = post(client_for(rep), BULK, bulk([make_customer(rep)]))
    assert response.status_code == 422
    assert set(errors(response)) == {"Idempotency-Key"}
    assert nothing_written()


def test_bulk_retry_returns_the_first_answer_and_writes_nothing(rep, make_customer, product):
    customers = [make_customer(rep)]
    client = client_for(rep)
    payload = bulk(customers)
    first = post(client, BULK, payload, key="retry-1")
    # The same JSON, keys in another order and spaced differently, is the same request.
    reordered = json.dumps(
        {"orders": [dict(reversed(o.items())) for o in payload["orders"]]}, indent=2
    )
    again = post(client, BULK, None, key="retry-1", raw=reordered)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Order.objects.count() == 3
    stored = IdempotencyKey.objects.get()
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    assert (stored.user, stored.key, stored.endpoint) == (rep, "retry-1", BULK)
    assert stored.request_hash == hashlib.sha256(canonical).hexdigest()
    assert (stored.status_code, stored.response) == (201, first.json())


def test_same_key_with_another_body_is_a_conflict(rep, make_customer, product):
    customers = [make_customer(rep)]
    client = client_for(rep)
    assert post(client, BULK, bulk(customers, 2), key="dup").status_code == 201
    response = post(client, BULK, bulk(customers, 3), key="dup")
    assert response.status_code == 409
    assert set(errors(response)) == {"Idempotency-Key"}
    assert Order.objects.count() == 2


def test_keys_belong_to_one_user(rep, manager, make_customer, product):
    customer = make_customer(rep)
    assert post(client_for(rep), BULK, bulk([customer], 1), key="shared").status_code == 201
    other = {"orders": [order_body(customer, number="M-1")]}
    assert post(client_for(manager), BULK, other, key="shared").status_code == 201
    assert Order.objects.count() == 2


def test_a_rejected_request_does_not_use_up_its_key(rep, make_customer, product):
    customer = make_customer(rep)
    client = client_for(rep)
    bad = {"orders": [order_body(customer, sku="NOPE")]}
    assert post(client, BULK, bad, key="fix-and-retry").status_code == 422
    assert post(client, BULK, bulk([customer], 1), key="fix-and-retry").status_code == 201
    assert Order.objects.count() == 1


def test_too_many_orders_answers_413(rep, make_customer, product, settings):
    settings.API_MAX_BULK_ORDERS = 2
    response = post(client_for(rep), BULK, bulk([make_customer(rep)], 3), key="big")
    assert response.status_code == 413
    assert set(errors(response)) == {"orders"}
    assert "2" in errors(response)["orders"]
    assert nothing_written()


def test_a_body_over_the_upload_limit_answers_413(rep, make_customer, product, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = post(client_for(rep), BULK, bulk([make_customer(rep)], 40), key="huge")
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == ""
    assert nothing_written()


def test_agent_may_not_bulk_create(agent, rep, make_customer, product):
    response = post(client_for(agent), BULK, bulk([make_customer(rep)]), key="a")
    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_racing_twins_write_once(rep, make_customer, product):
    customers = [make_customer(rep)]
    payload = bulk(customers, 3)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, object]] = []

    def send() -> None:
        client = client_for(rep)
        barrier.wait()
        response = post(client, BULK, payload, key="twin")
        answers.append((response.status_code, response.json()))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _body in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Order.objects.count() == 3
    assert IdempotencyKey.objects.count() == 1


def test_bulk_order_too_large_for_its_column_is_refused_and_lists_keep_working(rep, product):
    from django.test import Client

    from customers.services import create_customer
    from sales.models import Order

    customer = create_customer(rep, {"name": "Big spender", "owner": rep})
    client = Client()
    client.force_login(rep)
    line = {"sku": product.sku, "quantity": 1_000_000, "unit_price": "9999999999.99"}
    order = {"number": "HUGE-1", "customer_id": customer.pk, "ordered_on": "2026-01-01",
             "lines": [line]}  # fmt: skip
    response = client.post(
        "/api/v1/orders/bulk", {"orders": [order]}, content_type="application/json",
        headers={"Idempotency-Key": "huge-1"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "orders[0].lines[0].unit_price"
    assert not Order.objects.exists()
    assert client.get("/api/v1/orders").status_code == 200
