"""An import keeps every customer within the sales limits, row by row (issue 10, item 1)."""

import datetime

from core.fields import max_length
from customers.models import Customer
from imports.models import Kind
from imports.rows import TEXT_LIMITS
from imports.tests.helpers import csv_bytes, rejected, run
from sales.limits import MAX_CUSTOMER_SPEND, MAX_ORDER_AMOUNT
from sales.models import CustomerStats, Order, Product
from sales.services import LineInput, OrderInput, create_orders
from sales.summary import spend_cap_message

HEADER = ["order no.", "mobile", "date", "amount", "status"]
PER_CUSTOMER = int(MAX_CUSTOMER_SPEND // MAX_ORDER_AMOUNT)


def test_a_row_taking_a_customer_past_the_spend_cap_is_refused_with_its_row(rep, product):
    customer = Customer.objects.create(name="X", mobile="13700000001", owner=rep)
    line = LineInput(sku=product.sku, quantity=1, unit_price=MAX_ORDER_AMOUNT)
    day = datetime.date(2024, 3, 1)
    create_orders(
        None, [OrderInput(f"OLD-{i}", customer.pk, day, [line]) for i in range(PER_CUSTOMER - 1)]
    )
    rows = [
        HEADER,
        ["B-1", "13700000001", "2024-03-02", str(MAX_ORDER_AMOUNT), "paid"],
        ["B-2", "13700000001", "2024-03-03", "0.01", "refunded"],
        ["B-3", "13700000001", "2024-03-04", "1.00", "paid"],
    ]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert not job.committed
    [(row, column, reason)] = rejected(job)
    assert (row, column) == (4, "amount")
    assert "99,999,999,999.99" in reason
    assert Order.objects.count() == PER_CUSTOMER - 1
    job = run(rep, Kind.ORDERS, csv_bytes(rows), skip_invalid=True)
    assert job.committed
    stats = CustomerStats.objects.get(customer=customer)
    assert stats.total_spend == PER_CUSTOMER * MAX_ORDER_AMOUNT


def test_reinstating_a_refund_past_the_cap_is_refused_on_its_status(rep, manager, product):
    customer = Customer.objects.create(name="X", mobile="13700000001", owner=rep)
    line = LineInput(sku=product.sku, quantity=1, unit_price=MAX_ORDER_AMOUNT)
    day = datetime.date(2024, 3, 1)
    create_orders(
        None,
        [OrderInput(f"OLD-{i}", customer.pk, day, [line]) for i in range(PER_CUSTOMER)]
        + [OrderInput("R-1", customer.pk, day, [line], status="refunded")],
    )
    rows = [HEADER, ["R-1", "13700000001", "2024-03-01", str(MAX_ORDER_AMOUNT), "paid"]]

    job = run(manager, Kind.ORDERS, csv_bytes(rows))

    assert [(row, column, reason) for row, column, reason in rejected(job)] == [
        (2, "status", spend_cap_message())
    ]
    assert Order.objects.get(number="R-1").status == "refunded"


def test_new_customers_of_a_file_are_kept_within_the_cap_too(rep, product):
    rows = [["order no.", "mobile", "customer name", "date", "amount"]]
    rows += [
        [f"N-{i}", "13700000009", "New", "2024-03-01", str(MAX_ORDER_AMOUNT)]
        for i in range(PER_CUSTOMER + 1)
    ]

    job = run(rep, Kind.ORDERS, csv_bytes(rows), skip_invalid=True)

    assert [(row, column) for row, column, _ in rejected(job)] == [(PER_CUSTOMER + 2, "amount")]
    assert CustomerStats.objects.get().total_spend == PER_CUSTOMER * MAX_ORDER_AMOUNT


def test_text_limits_are_the_model_fields():
    assert TEXT_LIMITS["name"] == max_length(Customer, "name")
    assert TEXT_LIMITS["number"] == max_length(Order, "number")
    assert TEXT_LIMITS["customer_external_id"] == max_length(Customer, "external_id")
    assert TEXT_LIMITS["product"] == max_length(Product, "name")
