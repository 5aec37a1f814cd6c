"""The Django admin only reads orders and purchase summaries (issue 10, item 11).

An order added in the admin had no lines and never reached the summary, and the summary
itself offered add and delete; every write goes through sales.services instead.
"""

import datetime
from decimal import Decimal

from sales.models import CustomerStats, Order

DAY = datetime.date(2026, 3, 1)


def test_the_summary_is_read_only_in_the_admin(client, admin_user, rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, DAY)
    client.force_login(admin_user)
    base = "/admin/sales/customerstats"

    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"{base}/{customer.pk}/change/").status_code == 200
    assert client.get(f"{base}/add/").status_code == 403
    assert client.post(f"{base}/add/", {"customer": customer.pk}).status_code == 403
    assert client.post(f"{base}/{customer.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [customer.pk], "post": "yes"}
    client.post(f"{base}/", bulk)
    assert client.post(f"{base}/{customer.pk}/change/", {"orders_count": 9}).status_code == 403
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.orders_count, stats.total_spend) == (1, Decimal(20))


def test_orders_are_read_only_in_the_admin(client, admin_user, rep, make_customer, make_order):
    customer = make_customer(rep)
    order = make_order(customer, DAY)
    client.force_login(admin_user)
    base = "/admin/sales/order"
    new = {"number": "ADMIN-1", "customer": customer.pk, "ordered_on": DAY, "status": "paid",
           "amount": "99.00", "created_at_0": DAY, "created_at_1": "10:00"}  # fmt: skip

    assert client.get(f"{base}/{order.pk}/change/").status_code == 200
    assert client.get(f"{base}/add/").status_code == 403
    assert client.post(f"{base}/add/", new).status_code == 403
    assert (
        client.post(f"{base}/{order.pk}/change/", {**new, "number": order.number}).status_code
        == 403
    )
    assert client.post(f"{base}/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Order.objects.values_list("number", flat=True)) == [order.number]
    assert CustomerStats.objects.get(customer=customer).orders_count == 1
