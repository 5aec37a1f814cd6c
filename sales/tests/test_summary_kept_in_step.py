"""The kept purchase summary always equals one rebuilt from the orders."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role, User
from customers.services import create_customer, reassign_customers
from sales.models import CustomerStats, Order, OrderStatus, Product
from sales.services import (
    LineInput,
    OrderInput,
    create_order,
    create_orders,
    delete_order,
    set_order_status,
)
from sales.summary import computed, rebuild_all

START = datetime.date(2025, 1, 1)

create_step = st.tuples(
    st.just("create"),
    st.integers(0, 2),  # which customer
    st.integers(0, 60),  # day offset
    st.decimals(min_value=0, max_value=500, places=2),
)
status_step = st.tuples(
    st.just("status"), st.integers(0, 50), st.sampled_from(OrderStatus.values), st.none()
)
delete_step = st.tuples(st.just("delete"), st.integers(0, 50), st.none(), st.none())
# The summary carries the owner too, so a reassignment must reach it.
reassign_step = st.tuples(st.just("reassign"), st.integers(0, 2), st.integers(0, 1), st.none())
# A bulk write of several orders, some on the same customer and day (the API's bulk path).
bulk_step = st.tuples(
    st.just("bulk"),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60)), min_size=1, max_size=4),
    st.none(),
    st.none(),
)
steps = st.lists(
    st.one_of(create_step, status_step, delete_step, bulk_step, reassign_step),
    min_size=1,
    max_size=25,
)


def kept() -> dict[int, tuple[object, ...]]:
    return {s.customer_id: _row(s) for s in CustomerStats.objects.all()}


def _row(stats: CustomerStats) -> tuple[object, ...]:
    return (
        stats.owner_id,
        stats.first_purchase_on,
        stats.last_purchase_on,
        stats.purchase_days,
        stats.orders_count,
        Decimal(stats.total_spend).quantize(Decimal("0.01")),
    )


def apply(step: tuple[object, ...], customers: list[int], number: int) -> None:
    kind, a, b, c = step
    orders = list(Order.objects.order_by("id"))
    if kind == "reassign":
        assert isinstance(a, int) and isinstance(b, int)
        admin = User.objects.get(username="admin")
        reassign_customers(admin, [customers[a]], User.objects.get(username=f"owner{b}"))
    elif kind == "create":
        assert isinstance(a, int) and isinstance(b, int) and isinstance(c, Decimal)
        line = LineInput(sku="CD", quantity=1, unit_price=c)
        day = START + datetime.timedelta(days=b)
        create_order(None, OrderInput(f"N{number}", customers[a], day, [line]))
    elif kind == "bulk":
        assert isinstance(a, list)
        line = LineInput(sku="CD", quantity=1, unit_price=Decimal("7.50"))
        create_orders(
            None,
            [
                OrderInput(
                    f"N{number}-{i}", customers[c], START + datetime.timedelta(days=d), [line]
                )
                for i, (c, d) in enumerate(a)
            ],
        )
    elif orders:
        assert isinstance(a, int)
        order = orders[a % len(orders)]
        if kind == "status":
            set_order_status(None, order, str(b))
        else:
            delete_order(None, order)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_summary_equals_rebuild_after_random_changes(sequence: list[tuple[object, ...]]) -> None:
    Order.objects.all().delete()
    CustomerStats.objects.all().delete()
    owner = User.objects.get_or_create(username="owner0", defaults={"role": Role.REP})[0]
    User.objects.get_or_create(username="owner1", defaults={"role": Role.REP})
    User.objects.get_or_create(username="admin", defaults={"role": Role.ADMIN})
    Product.objects.get_or_create(sku="CD", defaults={"name": "CD", "list_price": Decimal(10)})
    customers = [
        create_customer(None, {"name": f"C{i}", "owner": owner, "mobile": ""}).pk for i in range(3)
    ]
    for number, step in enumerate(sequence):
        apply(step, customers, number)
    assert kept() == {pk: _row(stats) for pk, stats in computed().items()}
    differing, _total = rebuild_all()
    assert differing == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_batches_adding_the_same_new_day_count_it_once(rep, product, make_customer):
    customer = make_customer(rep)
    day = datetime.date(2026, 3, 1)
    create_order(None, OrderInput("FIRST", customer.pk, day - datetime.timedelta(days=9), [
        LineInput(sku=product.sku, quantity=1, unit_price=Decimal("5.00"))
    ]))  # fmt: skip
    barrier = threading.Barrier(2)

    def write(number: str) -> None:
        line = LineInput(sku=product.sku, quantity=1, unit_price=Decimal("5.00"))
        barrier.wait()
        create_orders(None, [OrderInput(number, customer.pk, day, [line])])
        connection.close()

    threads = [threading.Thread(target=write, args=(f"TWIN-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kept()[customer.pk] == _row(computed()[customer.pk])
    assert CustomerStats.objects.get(customer=customer).purchase_days == 2


@pytest.mark.django_db
def test_bulk_orders_count_a_purchase_day_only_when_none_was_stored(rep, product, make_customer):
    customer = make_customer(rep)
    day = datetime.date(2026, 3, 1)

    def order(number: str, offset: int, status: str = OrderStatus.PAID) -> OrderInput:
        line = LineInput(sku=product.sku, quantity=1, unit_price=Decimal("5.00"))
        return OrderInput(
            number, customer.pk, day + datetime.timedelta(days=offset), [line], status
        )

    create_orders(
        None, [order("A", 10), order("B", 20), order("C", 30), order("R", 15, "refunded")]
    )
    create_orders(None, [
        order("before-first", 5), order("on-first", 10), order("inside-new", 15),
        order("inside-stored", 20), order("on-last", 30), order("after-last", 40),
        order("twice-1", 45), order("twice-2", 45),
    ])  # fmt: skip
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.purchase_days, stats.orders_count) == (3 + 4, 3 + 8)
    assert (stats.first_purchase_on, stats.last_purchase_on) == (
        day + datetime.timedelta(days=5), day + datetime.timedelta(days=45)
    )  # fmt: skip
    assert _row(stats) == _row(computed([customer.pk])[customer.pk])
