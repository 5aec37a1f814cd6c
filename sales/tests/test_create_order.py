"""Creating an order keeps the summary in step and rejects bad input, writing nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.services import archive_customer
from sales.models import CustomerStats, Order, OrderLine, OrderStatus
from sales.services import LineInput, OrderInput, create_order, set_order_status

DAY = datetime.date(2026, 3, 1)


def order(customer, *lines, number="SO-1"):
    return OrderInput(number=number, customer_id=customer.pk, ordered_on=DAY, lines=list(lines))


def test_order_amount_and_summary(rep, make_customer, product):
    customer = make_customer(rep)
    line = LineInput(
        sku=product.sku, quantity=3, unit_price=Decimal("15.00"), discount=Decimal("5")
    )
    created = create_order(None, order(customer, line))
    assert created.amount == Decimal("40.00")
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.orders_count, stats.total_spend, stats.first_purchase_on) == (
        1,
        Decimal("40.00"),
        DAY,
    )


def test_refund_leaves_the_summary(rep, make_customer, make_order):
    customer = make_customer(rep)
    first = make_order(customer, DAY, "10.00")
    make_order(customer, DAY + datetime.timedelta(days=9), "25.00")
    set_order_status(None, first, OrderStatus.REFUNDED)
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.orders_count, stats.total_spend, stats.first_purchase_on) == (
        1,
        Decimal("25.00"),
        DAY + datetime.timedelta(days=9),
    )


@pytest.mark.parametrize(
    ("line_kwargs", "field"),
    [
        ({"quantity": -1}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"unit_price": Decimal("-1")}, "lines[0].unit_price"),
        ({"discount": Decimal("-2")}, "lines[0].discount"),
        ({"discount": Decimal("999")}, "lines[0].discount"),
        ({"sku": "NOPE"}, "lines[0].sku"),
        ({"quantity": 1_000_001}, "lines[0].quantity"),
        ({"unit_price": Decimal("10000000000.00")}, "lines[0].unit_price"),
        ({"quantity": 1_000_000, "unit_price": Decimal("1000000.00")}, "lines[0].unit_price"),
    ],
)
def test_bad_lines_are_rejected_naming_the_field(rep, make_customer, product, line_kwargs, field):
    customer = make_customer(rep)
    values = {"sku": product.sku, "quantity": 1, "unit_price": Decimal("10"), **line_kwargs}
    with pytest.raises(ValidationError) as error:
        create_order(None, order(customer, LineInput(**values)))
    assert field in error.value.message_dict
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not CustomerStats.objects.exists()


def test_order_for_archived_customer_is_rejected(rep, make_customer, product):
    customer = make_customer(rep)
    archive_customer(rep, customer)
    line = LineInput(sku=product.sku, quantity=1, unit_price=Decimal("10"))
    with pytest.raises(ValidationError) as error:
        create_order(None, order(customer, line))
    assert "archived" in error.value.message_dict["customer_id"][0]
    assert not Order.objects.exists()


def test_duplicate_order_number_is_rejected(rep, make_customer, product):
    customer = make_customer(rep)
    line = LineInput(sku=product.sku, quantity=1, unit_price=Decimal("10"))
    create_order(None, order(customer, line))
    with pytest.raises(ValidationError) as error:
        create_order(None, order(customer, line))
    assert "number" in error.value.message_dict
    assert Order.objects.count() == 1
