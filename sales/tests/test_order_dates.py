"""An order dated before 1900 or after tomorrow is refused, naming the field, by the form,
the API and the import (issue 10, item 5): 0001-01-01 and 9999-12-31 had been stored and
shown as the customer's first and last purchase."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected, run
from sales.models import CustomerStats, Order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BAD = ["0001-01-01", "1899-12-31", "9999-12-31", (TODAY + datetime.timedelta(days=2)).isoformat()]


def signed_in(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def order(customer, day):
    return {
        "number": "SO-1", "customer_id": customer.pk, "ordered_on": day,
        "lines": [{"sku": "CD-ROCK", "quantity": 1, "unit_price": "10.00"}],
    }  # fmt: skip


@pytest.mark.parametrize("day", BAD)
def test_the_api_refuses_an_implausible_order_date(rep, make_customer, product, day):
    customer = make_customer(rep)
    client = signed_in(rep)
    one = client.post("/api/v1/orders", order(customer, day), content_type="application/json")
    bulk = client.post(
        "/api/v1/orders/bulk", {"orders": [order(customer, day)]},
        content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"bulk-{day}",
    )  # fmt: skip
    assert one.status_code == 422 and one.json()["errors"][0]["field"] == "ordered_on"
    assert bulk.status_code == 422 and bulk.json()["errors"][0]["field"] == "orders[0].ordered_on"
    assert not Order.objects.exists() and not CustomerStats.objects.exists()


def test_the_api_says_why_in_chinese(rep, make_customer, product):
    customer = make_customer(rep)
    response = signed_in(rep, "zh-hans").post(
        "/api/v1/orders", order(customer, "1800-01-01"), content_type="application/json"
    )
    assert response.json()["errors"] == [
        {"field": "ordered_on", "message": "订单日期不能早于 1900-01-01。"}
    ]


@pytest.mark.parametrize("day", ["1900-01-01", (TODAY + datetime.timedelta(days=1)).isoformat()])
def test_the_limits_themselves_are_accepted(rep, make_customer, product, day):
    customer = make_customer(rep)
    response = signed_in(rep).post(
        "/api/v1/orders", order(customer, day), content_type="application/json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("day", ["1899-12-31", (TODAY + datetime.timedelta(days=2)).isoformat()])
def test_the_form_refuses_an_implausible_order_date(rep, make_customer, product, day):
    customer = make_customer(rep)
    data = {
        "number": "SO-1", "ordered_on": day, "channel": "",
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "1000", "form-0-product": product.pk, "form-0-quantity": "1",
        "form-0-unit_price": "10", "form-0-discount": "0",
    }  # fmt: skip
    page = signed_in(rep).post(reverse("sales:order_create", args=[customer.pk]), data)
    assert page.status_code == 200 and "ordered_on" in page.context["form"].errors
    assert not Order.objects.exists()


def test_the_import_refuses_an_order_before_1900(rep, make_customer, product):
    make_customer(rep, external_id="C-1")
    content = csv_bytes(
        [["order number", "customer id", "date", "amount"], ["SO-1", "C-1", "1899-12-31", "10"]]
    )
    job = run(rep, Kind.ORDERS, content)
    assert not job.committed
    assert any(r[0] == 2 and "1900-01-01" in r[2] for r in rejected(job)), rejected(job)
    assert not Order.objects.exists()
