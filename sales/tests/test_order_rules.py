"""Each rule about orders is the service's (issue 11, item 1), raising core.errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import Forbidden, Invalid, NotFound
from sales.models import CustomerStats, Order, OrderStatus, Product
from sales.services import (
    LineInput,
    OrderInput,
    create_order,
    create_orders,
    create_product,
    delete_order,
    get_visible_order,
    set_order_status,
)

DAY = datetime.date(2026, 3, 1)


def data(customer, number="SO-1"):
    line = LineInput(sku="CD-ROCK", quantity=1, unit_price=Decimal("10.00"))
    return OrderInput(number, customer.pk, DAY, [line])


def test_a_role_that_may_not_enter_orders_is_refused(agent, rep, make_customer, product):
    customer = make_customer(rep)
    for write in (create_order, lambda user, d: create_orders(user, [d])):
        with pytest.raises(Forbidden, match="Your role may not enter orders"):
            write(agent, data(customer))
    assert not Order.objects.exists()


def test_a_customer_seen_but_not_changed_is_forbidden_and_an_unseen_one_unknown(
    rep, other_rep, manager, make_customer, product
):
    theirs = make_customer(other_rep)
    with pytest.raises(ValidationError) as unseen:
        create_order(rep, data(theirs))
    assert unseen.value.message_dict["customer_id"] == ["Unknown customer."]
    assert create_order(manager, data(make_customer(rep), "SO-2")).number == "SO-2"


def test_who_may_change_an_order_and_to_which_status(
    rep, other_rep, agent, make_customer, make_order
):
    order = make_order(make_customer(rep), DAY)
    with pytest.raises(NotFound):
        get_visible_order(other_rep, order.pk)
    seen = get_visible_order(agent, order.pk)
    with pytest.raises(Forbidden, match="may view this order but not change it"):
        set_order_status(agent, seen, OrderStatus.REFUNDED)
    with pytest.raises(Forbidden):
        delete_order(agent, seen)
    with pytest.raises(Invalid) as unknown:
        set_order_status(rep, seen, "lost")
    assert unknown.value.field == "status"
    set_order_status(rep, seen, OrderStatus.CANCELLED)  # refunds: test_refunds.py
    assert not CustomerStats.objects.exists()


def test_only_admins_and_managers_change_the_catalogue(rep, manager):
    fields = {"sku": "NEW", "name": "New", "list_price": Decimal("1.00")}
    with pytest.raises(Forbidden, match="Only admins and managers"):
        create_product(rep, fields)
    assert create_product(manager, fields).sku == "NEW"
    assert Product.objects.filter(sku="NEW").count() == 1
