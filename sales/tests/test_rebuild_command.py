"""`rebuild_customer_stats` repairs a drifted summary and says so."""

import datetime
from decimal import Decimal

from django.core.management import call_command

from sales.models import CustomerStats


def test_rebuild_repairs_drift(rep, make_customer, make_order, capsys):
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 1, 5), "30.00")
    make_order(customer, datetime.date(2026, 2, 5), "20.00")
    CustomerStats.objects.filter(customer=customer).update(total_spend=Decimal("1.00"))

    call_command("rebuild_customer_stats")

    assert "1 differed" in capsys.readouterr().out
    stats = CustomerStats.objects.get(customer=customer)
    assert stats.total_spend == Decimal("50.00")
    assert stats.orders_count == 2
    assert stats.purchase_days == 2
