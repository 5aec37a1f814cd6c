"""Importing orders: linked to customers, summary kept in step, idempotent on the number."""

import datetime
from decimal import Decimal

import pytest

from customers.models import Customer
from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected, run, xlsx_bytes
from sales.models import CustomerStats, Order, Product
from sales.summary import computed

pytestmark = pytest.mark.django_db

HEADER = ["订单号", "外部编号", "日期", "商品", "数量", "金额", "状态", "渠道"]


@pytest.fixture
def buyer(rep, make_customer):
    return make_customer(rep, name="Buyer", mobile="13900001111", external_id="C-1")


def test_orders_are_written_linked_and_the_summary_follows(rep, buyer, product):
    rows = [
        HEADER,
        ["SO-1", "C-1", "2024-01-05", "CD-ROCK", "1", "¥1,234.50", "已支付", "门店"],
        ["SO-2", "C-1", "2024/2/1", "Rock CD", "3", "100", "", ""],
    ]
    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert (job.committed, job.created_count) == (True, 2), rejected(job)
    first = Order.objects.get(number="SO-1")
    assert (first.customer, first.amount, first.channel) == (buyer, Decimal("1234.50"), "门店")
    second = Order.objects.get(number="SO-2")
    line = second.lines.get()
    assert (second.amount, line.quantity, line.product) == (Decimal("100.00"), 3, product)
    assert line.unit_price * 3 - line.discount == Decimal("100.00")
    stats = CustomerStats.objects.get(customer=buyer)
    assert (stats.orders_count, stats.total_spend) == (2, Decimal("1334.50"))
    assert stats.last_purchase_on == datetime.date(2024, 2, 1)


def test_reimport_is_unchanged_and_a_refund_updates_status_and_summary(
    rep, manager, buyer, product
):
    rows = [HEADER, ["SO-1", "C-1", "2024-01-05", "CD-ROCK", "1", "50", "paid", ""]]
    run(rep, Kind.ORDERS, csv_bytes(rows))

    again = run(rep, Kind.ORDERS, csv_bytes(rows))
    assert (again.created_count, again.unchanged_count) == (0, 1)
    assert Order.objects.count() == 1

    rows[1][6] = "已退款"
    # A refund by import is a refund: REFUND_ROLES (managers and admins by default).
    refused = run(rep, Kind.ORDERS, csv_bytes(rows))
    assert [(row, column) for row, column, _reason in rejected(refused)] == [(2, "状态")]
    assert Order.objects.get().status == "paid"
    refund = run(manager, Kind.ORDERS, csv_bytes(rows))
    assert refund.updated_count == 1
    assert Order.objects.get().status == "refunded"
    assert not CustomerStats.objects.filter(customer=buyer).exists()


def test_orders_for_customers_new_in_the_same_file_create_and_link_them(rep, product):
    rows = [
        ["order no.", "mobile", "name", "date", "amount"],
        ["A-1", "13811112222", "Zhou Xun", "2024-03-01", "10"],
        ["A-2", "138-1111-2222", "", "2024-03-02", "20"],
    ]
    job = run(rep, Kind.ORDERS, xlsx_bytes(rows), "orders.xlsx")

    assert job.committed, rejected(job)
    zhou = Customer.objects.get(mobile="13811112222")
    assert zhou.name == "Zhou Xun" and zhou.owner == rep
    assert sorted(zhou.orders.values_list("number", flat=True)) == ["A-1", "A-2"]
    assert CustomerStats.objects.get(customer=zhou).orders_count == 2


def test_without_a_product_column_orders_go_to_the_default_product(rep, buyer):
    rows = [["order no.", "external id", "date", "amount"], ["B-1", "C-1", "2024-03-01", "10"]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert job.committed
    assert Order.objects.get().lines.get().product == Product.objects.get(sku="IMPORTED")


def test_summary_equals_a_rebuild_after_a_mixed_import(rep, buyer, make_customer, product):
    other = make_customer(rep, external_id="C-2")
    rows = [HEADER] + [
        [f"M-{n}", "C-1" if n % 2 else "C-2", f"2024-01-{n:02d}", "CD-ROCK", "1", str(n), st, ""]
        for n, st in zip(range(1, 21), ["paid", "refunded", "cancelled", "paid"] * 5, strict=True)
    ]
    run(rep, Kind.ORDERS, csv_bytes(rows))

    fresh = computed([buyer.pk, other.pk])
    for customer in (buyer, other):
        kept = CustomerStats.objects.get(customer=customer)
        assert (kept.orders_count, kept.total_spend) == (
            fresh[customer.pk].orders_count,
            fresh[customer.pk].total_spend,
        )


def test_an_unknown_external_id_never_duplicates_a_mobile(rep, buyer, make_customer, product):
    plain = make_customer(rep, name="Plain", mobile="13700002222")
    rows = [
        ["order no.", "external id", "mobile", "name", "date", "amount"],
        ["D-1", "NEW-1", "13900001111", "Taken", "2024-03-01", "10"],  # buyer's, who has C-1
        ["D-2", "NEW-2", "13700002222", "Plain", "2024-03-01", "20"],  # plain's: no external ID
        ["D-3", "NEW-3", "13600003333", "Fresh", "2024-03-01", "30"],
        ["D-4", "NEW-4", "13600003333", "Twin", "2024-03-02", "40"],  # row 4 created this one
        ["D-5", "", "13600003333", "", "2024-03-03", "50"],
    ]
    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert not job.committed
    assert [(row, column) for row, column, _ in rejected(job)] == [(2, "mobile"), (5, "mobile")]
    rows = [rows[0], rows[2], rows[3], rows[5]]
    job = run(rep, Kind.ORDERS, csv_bytes(rows))
    assert job.committed, rejected(job)
    assert Order.objects.get(number="D-2").customer == plain
    fresh = Customer.objects.get(mobile="13600003333")
    assert sorted(fresh.orders.values_list("number", flat=True)) == ["D-3", "D-5"]
    assert Customer.objects.filter(mobile="13900001111").count() == 1


def test_a_reimport_changing_many_orders_costs_no_query_per_order(manager, buyer, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(count: int, status: str) -> list[list[str]]:
        return [HEADER] + [
            [f"Q-{k}", "C-1", "2024-01-05", "CD-ROCK", "1", "10", status, ""] for k in range(count)
        ]

    def queries_to_refund(count: int) -> int:
        run(manager, Kind.ORDERS, csv_bytes(rows(count, "paid")))
        with CaptureQueriesContext(connection) as captured:
            job = run(manager, Kind.ORDERS, csv_bytes(rows(count, "refunded")))
        assert job.updated_count == count
        assert not CustomerStats.objects.filter(customer=buyer).exists()  # nothing paid is left
        Order.objects.all().delete()
        return len(captured)

    assert queries_to_refund(40) == queries_to_refund(5)
