"""The limits (sales.limits) hold on every path, and every figure at the limits fits.

Issue 10, item 1: 200 bulk orders of 1,000,000 × 999,999.99 were each accepted, and their
customer's total spend no longer fit its column (500s everywhere, a crashed rebuild, a
2×10^14 dashboard; PostgreSQL "numeric field overflow"). Now an order is at most
MAX_ORDER_AMOUNT and a customer's paid total at most MAX_CUSTOMER_SPEND; anything beyond is
refused with a 422 naming the field, on SQLite and PostgreSQL alike.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from core.errors import Invalid
from customers.models import Customer
from customers.services import merge_customers
from imports import exports
from sales.limits import MAX_CUSTOMER_SPEND, MAX_LINES_PER_ORDER, MAX_ORDER_AMOUNT
from sales.models import CustomerStats, Order, OrderStatus
from sales.services import LineInput, OrderInput, create_orders
from sales.summary import computed

BULK = "/api/v1/orders/bulk"
ORDERS = "/api/v1/orders"
DAY = datetime.date(2026, 3, 1)
MAX = str(MAX_ORDER_AMOUNT)
# Orders at the order cap that fit one customer's cap.
PER_CUSTOMER = int(MAX_CUSTOMER_SPEND // MAX_ORDER_AMOUNT)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object, key: str = ""):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def body(customer, number: str, *lines: dict[str, object], status: str = "paid"):
    line = {"sku": "CD-ROCK", "quantity": 1, "unit_price": MAX}
    return {
        "number": number, "customer_id": customer.pk, "ordered_on": DAY.isoformat(),
        "status": status, "lines": list(lines) or [line],
    }  # fmt: skip


def fill_to_cap(customer, prefix: str = "FULL") -> None:
    """Give the customer as many orders at the order cap as their spend cap allows."""
    line = LineInput(sku="CD-ROCK", quantity=1, unit_price=MAX_ORDER_AMOUNT)
    create_orders(
        None,
        [OrderInput(f"{prefix}-{i}", customer.pk, DAY, [line]) for i in range(PER_CUSTOMER)],
    )


def test_the_caps_fit_the_columns():
    def capacity(model, name: str) -> Decimal:
        field = model._meta.get_field(name)
        return Decimal(10) ** (field.max_digits - field.decimal_places)

    assert capacity(Order, "amount") > MAX_ORDER_AMOUNT
    # Three digits to spare: exact as SQLite's float, and a merge at the cap still fits.
    assert capacity(CustomerStats, "total_spend") > 1000 * MAX_CUSTOMER_SPEND


def test_200_bulk_orders_at_the_order_cap_fit_every_figure(rep, manager, make_customer, product):
    customers = [make_customer(rep) for _ in range(200 // PER_CUSTOMER)]
    orders = [body(customers[i % len(customers)], f"MAX-{i}") for i in range(200)]
    client = client_for(rep)

    response = post(client, BULK, {"orders": orders}, key="max-200")

    assert response.status_code == 201, response.content
    full = PER_CUSTOMER * MAX_ORDER_AMOUNT
    assert {s.total_spend for s in CustomerStats.objects.all()} == {full}
    # Every reader of these customers works: pages, API, exports, the rebuild.
    customer = customers[0]
    assert client.get("/customers/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert client.get(ORDERS).status_code == 200
    for kind in ("customers", "orders"):
        rows = list(exports.source_of(kind).select(manager, {}).rows)
        assert len(rows) > 1
        assert b"".join(exports.csv_chunks(iter(rows), "utf-8"))
        exports.write_xlsx(iter(rows), io.BytesIO())
    call_command("rebuild_customer_stats")
    assert computed()[customer.pk].total_spend == full
    assert CustomerStats.objects.get(customer=customer).total_spend == full


def test_a_bulk_request_past_a_customers_cap_names_the_order_and_writes_nothing(
    rep, make_customer, product
):
    customer = make_customer(rep)
    orders = [body(customer, f"MAX-{i}") for i in range(200)]

    response = post(client_for(rep), BULK, {"orders": orders}, key="over-cap")

    assert response.status_code == 422
    found = errors(response)
    assert list(found) == [f"orders[{i}].lines" for i in range(PER_CUSTOMER, 200)]
    assert "99,999,999,999.99" in found[f"orders[{PER_CUSTOMER}].lines"]
    assert not Order.objects.exists() and not CustomerStats.objects.exists()


def test_one_order_past_the_cap_is_refused_by_the_api_and_the_form(rep, make_customer, product):
    customer = make_customer(rep)
    fill_to_cap(customer)
    client = client_for(rep)

    response = post(client, ORDERS, body(customer, "ONE-MORE"))

    assert response.status_code == 422
    assert "total spend" in errors(response)["lines"]
    page = client.post(
        f"/sales/customers/{customer.pk}/orders/new/",
        {
            "number": "FORM-1", "ordered_on": DAY.isoformat(), "channel": "",
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0,
            "lines-0-product": product.pk, "lines-0-quantity": 1, "lines-0-unit_price": "1.00",
            "lines-0-discount": "0",
        },
    )  # fmt: skip
    assert page.status_code == 200
    assert "total spend" in page.content.decode()
    assert Order.objects.count() == PER_CUSTOMER
    assert (
        CustomerStats.objects.get(customer=customer).total_spend == PER_CUSTOMER * MAX_ORDER_AMOUNT
    )


def test_reinstating_a_refund_past_the_cap_is_refused(rep, manager, make_customer, product):
    customer = make_customer(rep)
    fill_to_cap(customer)
    line = LineInput(sku="CD-ROCK", quantity=1, unit_price=Decimal("1.00"))
    create_orders(None, [OrderInput("R-1", customer.pk, DAY, [line], status="refunded")])
    refunded = Order.objects.get(number="R-1")
    kept = CustomerStats.objects.get(customer=customer).total_spend

    response = post(
        client_for(manager), f"{ORDERS}/{refunded.pk}/reinstate", {"reason": "paid after all"}
    )

    assert response.status_code == 422
    assert "total spend" in errors(response)["status"]
    refunded.refresh_from_db()
    assert refunded.status == OrderStatus.REFUNDED
    assert CustomerStats.objects.get(customer=customer).total_spend == kept


def test_a_merge_past_the_cap_is_refused(rep, make_customer, product):
    survivor, duplicate = make_customer(rep), make_customer(rep)
    fill_to_cap(survivor, "S")
    line = LineInput(sku="CD-ROCK", quantity=1, unit_price=Decimal("1.00"))
    create_orders(None, [OrderInput("D-1", duplicate.pk, DAY, [line])])

    with pytest.raises(Invalid, match="total spend"):
        merge_customers(rep, survivor, duplicate)

    assert Order.objects.get(number="D-1").customer_id == duplicate.pk
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        # 500 × 1,000,000,000 was within the old line limit, and its discount of
        # 499,000,000,000 overflowed the discount column (PostgreSQL: a 500).
        (
            {"quantity": 500, "unit_price": "1000000000.00", "discount": "499000000000.00"},
            "lines[0].discount",
        ),
        ({"quantity": 1_000_000, "unit_price": "999999.99"}, "lines[0].unit_price"),
        ({"quantity": 2, "unit_price": MAX}, "lines[0].unit_price"),
    ],
)
def test_a_line_past_the_order_cap_is_refused_naming_the_field(
    rep, make_customer, product, line, field
):
    customer = make_customer(rep)
    response = post(client_for(rep), ORDERS, body(customer, "L-1", {"sku": "CD-ROCK", **line}))
    assert response.status_code == 422
    assert field in errors(response)
    assert not Order.objects.exists()


def test_an_order_past_the_order_cap_and_too_many_lines_are_refused(rep, make_customer, product):
    customer = make_customer(rep)
    half = {"sku": "CD-ROCK", "quantity": 1, "unit_price": "6000000000.00"}
    client = client_for(rep)

    over = post(client, ORDERS, body(customer, "O-1", half, half))
    many = post(client, ORDERS, body(customer, "O-2", *[{**half, "unit_price": "1"}] * 101))

    assert over.status_code == 422 and "9,999,999,999.99" in errors(over)["lines"]
    assert many.status_code == 422 and "lines" in errors(many)
    assert MAX_LINES_PER_ORDER == 100
    assert not Order.objects.exists()
