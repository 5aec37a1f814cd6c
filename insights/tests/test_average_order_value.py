"""Average order value is revenue ÷ orders on every page: two orders on one day count twice."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.test import Client

from accounts.models import User
from insights.services import run_scoring
from insights.tests.conftest import AS_OF
from sales.models import Order, OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def expected_average(start: datetime.date, end: datetime.date) -> float:
    paid = Order.objects.filter(status=OrderStatus.PAID, ordered_on__range=(start, end))
    totals = paid.aggregate(revenue=Sum("amount"), orders=Count("pk"))
    return float(totals["revenue"]) / totals["orders"]


@pytest.fixture
def two_orders_on_one_day(simulated_base, make_order):
    day = AS_OF - datetime.timedelta(days=5)
    for amount in ("10.00", "990.00"):
        make_order(simulated_base[0], day, amount)
    # Purchase days and orders now differ, so the two definitions give different answers.
    start = AS_OF - datetime.timedelta(days=89)
    paid = Order.objects.filter(ordered_on__range=(start, AS_OF))
    assert paid.count() > paid.values("customer", "ordered_on").distinct().count()
    return start


def test_the_key_figures_page_divides_revenue_by_orders(
    client: Client, manager: User, two_orders_on_one_day
):
    start = two_orders_on_one_day
    client.force_login(manager)
    response = client.get("/insights/kpis/", {"start": start, "end": AS_OF})
    figure = next(
        f for f in response.context["result"]["key_figures"] if f.label == "Average order value"
    )
    assert figure.value == pytest.approx(expected_average(start, AS_OF))
    assert figure.denominator == Order.objects.filter(ordered_on__range=(start, AS_OF)).count()
    assert "orders in the period" in figure.formula
    assert "orders in the period" in response.content.decode()


def test_the_dashboard_divides_revenue_by_orders(
    client: Client, manager: User, two_orders_on_one_day
):
    start = two_orders_on_one_day
    run = run_scoring(AS_OF)
    average = run.summary["all"]["period"]["average_order_value"]
    assert average == pytest.approx(expected_average(start, AS_OF))
    client.force_login(manager)
    page = client.get("/insights/").content.decode()
    assert "orders in the period" in page


def test_the_profile_says_how_its_average_is_computed(
    client: Client, rep: User, make_customer, make_order
):
    customer = make_customer(rep)
    for amount in ("10.00", "30.00"):
        make_order(customer, AS_OF, amount)
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Total spend ÷ orders" in page
    assert "$20.00" in page or "¥20.00" in page
    assert Decimal("20.00") == customer.stats.average_spend
