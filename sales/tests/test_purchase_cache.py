"""The analyses' purchase arrays equal the orders, whether read in full or from the cache."""

import datetime
import time
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from customers.services import create_customer, merge_customers
from sales import purchases
from sales.models import CustomerStats, Order, OrderStatus
from sales.services import (
    LineInput,
    OrderInput,
    create_order,
    create_orders,
    delete_order,
    purchase_rows,
    set_order_status,
)
from sales.summary import refresh

START = datetime.date(2025, 1, 1)
FAR = datetime.date(2100, 1, 1)


def truth(until: datetime.date = FAR) -> dict[tuple[int, int], tuple[Decimal, int]]:
    """Return (customer, day) -> (amount, orders) of the paid orders, through the ORM."""
    days: dict[tuple[int, int], list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
    paid = Order.objects.filter(status=OrderStatus.PAID, ordered_on__lte=until)
    for customer, day, amount in paid.values_list("customer_id", "ordered_on", "amount"):
        entry = days[(customer, (day - datetime.date(1970, 1, 1)).days)]
        entry[0] += amount
        entry[1] += 1
    return {key: (Decimal(v[0]).quantize(Decimal("0.01")), int(v[1])) for key, v in days.items()}


def as_dict(rows: purchases.PurchaseRows) -> dict[tuple[int, int], tuple[Decimal, int]]:
    keys = list(zip(rows.customer_id.tolist(), rows.day.tolist(), strict=True))
    assert keys == sorted(keys)  # sorted by customer, then day, as the analyses expect
    values = zip(rows.amount.tolist(), rows.orders.tolist(), strict=True)
    return {
        key: (Decimal(f"{amount:.2f}"), orders)
        for key, (amount, orders) in zip(keys, values, strict=True)
    }


def saved() -> purchases.PurchaseDays:
    """Return the purchase days after writing them to the file, as the housekeeping does."""
    purchases.keep_up_to_date(age_days=7)
    return purchases.purchase_days()


def order(number: str, customer: int, day: int, amount: str) -> OrderInput:
    line = LineInput(sku="CD-ROCK", quantity=1, unit_price=Decimal(amount))
    return OrderInput(number, customer, START + datetime.timedelta(days=day), [line])


@pytest.fixture
def shop(rep, product, make_customer):
    """Return 60 customers with 300 orders (the cache reads everything again past 6 changed)."""
    customers = [make_customer(rep, name=f"C{i}", mobile="").pk for i in range(60)]
    create_orders(
        None, [order(f"A{i}", customers[i % 60], i % 30, f"{10 + i}.25") for i in range(300)]
    )
    return customers


def test_both_readers_return_the_orders(shop):
    readers = [purchases._read_plain_orders]
    if connection.vendor == "sqlite":
        readers.append(lambda *_args: purchases._read_sqlite_orders())
    for reader in readers:
        days = purchases._collapse(*reader("", []), read_at=0.0)
        assert as_dict(days.rows(FAR)) == truth()
    cut = START + datetime.timedelta(days=12)
    assert as_dict(purchase_rows(cut)) == truth(cut)


def test_a_cached_read_follows_every_kind_of_order_change(shop, rep):
    first = saved()
    orders = list(Order.objects.order_by("id"))
    set_order_status(None, orders[0], OrderStatus.REFUNDED)
    delete_order(None, orders[1])
    create_order(None, order("NEW", shop[2], 45, "99.99"))
    newcomer = create_customer(None, {"name": "New", "owner": rep, "mobile": ""})
    create_orders(None, [order("NEW2", newcomer.pk, 3, "5.00"), order("NEW3", shop[0], 3, "1.00")])
    merge_customers(rep, Customer.objects.get(pk=shop[3]), Customer.objects.get(pk=shop[1]))

    again = saved()
    assert again.read_at == first.read_at  # brought up to date, not read in full
    assert as_dict(again.rows(FAR)) == truth()
    assert as_dict(purchases.purchase_days().rows(FAR)) == truth()


def test_an_old_cache_is_read_in_full(shop, settings):
    first = saved()
    settings.PURCHASE_CACHE_MAX_AGE_DAYS = 0
    time.sleep(0.01)
    assert purchases.purchase_days().read_at > first.read_at


def test_many_changed_customers_are_read_in_full(shop):
    first = saved()
    Order.objects.filter(customer_id__in=shop[:7]).update(status=OrderStatus.CANCELLED)
    refresh(shop[:7])  # 7 of 60 customers changed: more than a tenth
    again = purchases.purchase_days()
    assert again.read_at > first.read_at
    assert as_dict(again.rows(FAR)) == truth()


def test_a_database_without_orders_gives_empty_arrays(db):
    purchases.keep_up_to_date(age_days=7)
    rows = purchase_rows(FAR)
    assert rows.customer_id.size == rows.day.size == rows.amount.size == 0
    assert purchase_rows(FAR).customer_id.size == 0


change = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 3), st.integers(0, 60), st.integers(1, 500)),
    st.tuples(st.just("status"), st.integers(0, 99), st.sampled_from(OrderStatus.values)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("read")),
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(change, min_size=1, max_size=20))
def test_cached_reads_always_equal_the_orders(shop, steps):
    saved()
    for number, step in enumerate(steps):
        orders = list(Order.objects.order_by("id"))
        if step[0] == "create":
            create_order(
                None,
                order(f"H{number}-{time.monotonic_ns()}", shop[step[1]], step[2], f"{step[3]}.10"),
            )
        elif step[0] == "status" and orders:
            set_order_status(None, orders[step[1] % len(orders)], step[2])
        elif step[0] == "delete" and orders:
            delete_order(None, orders[step[1] % len(orders)])
        else:
            assert as_dict(saved().rows(FAR)) == truth()
    assert as_dict(purchases.purchase_days().rows(FAR)) == truth()
    assert np.all(np.diff(purchases.purchase_days().key) > 0)


def test_a_customer_who_lost_every_paid_order_leaves_the_cache(shop):
    first = saved()
    for lost in Order.objects.filter(customer_id=shop[5]):
        set_order_status(None, lost, OrderStatus.CANCELLED)
    again = purchases.purchase_days()
    assert again.read_at == first.read_at
    assert shop[5] not in set((again.key >> purchases.DAY_BITS).tolist())
    assert as_dict(again.rows(FAR)) == truth()


def test_a_change_the_timestamps_miss_is_found_by_the_totals(shop):
    first = saved()
    # Written outside sales.services (or committed long after it began): the summary's
    # changed_at stays old, but its figures move with the orders.
    changed = Order.objects.filter(customer_id=shop[9]).order_by("id").first()
    Order.objects.filter(pk=changed.pk).update(amount=changed.amount + 7)
    CustomerStats.objects.filter(customer_id=shop[9]).update(total_spend=F("total_spend") + 7)
    again = purchases.purchase_days()
    assert again.read_at == first.read_at
    assert as_dict(again.rows(FAR)) == truth()


def test_housekeeping_brings_the_file_up_to_date_and_rereads_it_when_old(shop):
    assert purchases.keep_up_to_date(age_days=6)  # no file yet: read in full
    first = purchases.purchase_days()
    create_order(None, order("LATER", shop[4], 50, "3.00"))
    assert not purchases.keep_up_to_date(age_days=6)  # young: only the change is read
    kept = purchases.purchase_days()
    assert kept.read_at == first.read_at and kept.checked_at > first.checked_at
    assert as_dict(kept.rows(FAR)) == truth()
    time.sleep(0.01)
    assert purchases.keep_up_to_date(age_days=0)
    assert purchases.purchase_days().read_at > first.read_at
    assert as_dict(purchases.purchase_days().rows(FAR)) == truth()
