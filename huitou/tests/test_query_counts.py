"""The busiest pages make a fixed number of queries, however many rows they show."""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions.services import log_interaction
from sales.models import OrderStatus
from sales.services import set_order_status


def queries_for(client, url):
    client.get(url)  # the first view after signing in moves the idle expiry back (a write)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_customer_list_queries_do_not_grow_with_rows(rep, make_customer, make_order):
    client = Client()
    client.force_login(rep)
    make_order(make_customer(rep), datetime.date(2026, 1, 1))
    few = queries_for(client, reverse("customers:list"))
    for day in range(20):
        make_order(make_customer(rep), datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    assert queries_for(client, reverse("customers:list")) == few == 6


def test_customer_page_queries_do_not_grow_with_history(rep, make_customer, make_order):
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    url = reverse("customers:detail", args=[customer.pk])
    make_order(customer, datetime.date(2026, 1, 1))
    few = queries_for(client, url)
    for day in range(15):
        make_order(customer, datetime.date(2026, 2, 1) + datetime.timedelta(days=day))
        log_interaction(rep, customer, {"kind": "phone", "summary": f"call {day}"})
    # 17 since engagement added the customer's messages to the page and its timeline; the
    # care panel adds 6, and one more when a festival falls in the next 30 days; service's
    # open tickets and their timeline entries add 2; loyalty 10, each a fixed one: the points
    # and tier-history timeline entries, the points panel, the referral code, referrer and
    # tree (2), the reservations panel (its reservations, the member's tier, the open
    # limited products).
    assert queries_for(client, url) == few
    assert few <= 36


def test_order_rows_of_the_history_do_not_add_a_query_each(rep, make_customer, make_order):
    """The timeline words every order's history row; the numbers are read once, not per row."""
    customer = make_customer(rep)
    client = Client()
    client.force_login(rep)
    url = reverse("customers:detail", args=[customer.pk])
    first = make_order(customer, datetime.date(2026, 1, 1))
    set_order_status(rep, first, OrderStatus.CANCELLED)
    few = queries_for(client, url)
    for day in range(10):
        order = make_order(customer, datetime.date(2026, 2, 1) + datetime.timedelta(days=day))
        set_order_status(rep, order, OrderStatus.CANCELLED)
    page = client.get(url).content.decode()
    assert page.count("Cancelled") >= 10  # the rows are on the page, in words
    assert queries_for(client, url) == few
