"""What sales holds about one person: orders with their lines, the purchase summary.

Orders carry no personal data of their own (number, date, amounts, channel), so an
erasure keeps them on the anonymised customer: the statistics still count them.
"""

from collections.abc import Iterable
from pathlib import Path

from core.analysis_cache import cache_path
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from sales import purchases
from sales.models import CustomerStats, Order, OrderLine

ORDER_COLUMNS = ("id", "number", "ordered_on", "status", "channel", "amount", "created_at")
LINE_COLUMNS = ("order_id", "product__sku", "product__name", "quantity", "unit_price", "discount",
                "amount")  # fmt: skip
SUMMARY_COLUMNS = ("first_purchase_on", "last_purchase_on", "purchase_days", "orders_count",
                   "total_spend")  # fmt: skip


def personal_data(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return the customer's orders, their lines and the purchase summary."""
    orders = Order.objects.filter(customer=customer).order_by("ordered_on", "id")
    lines = OrderLine.objects.filter(order__customer=customer).order_by("order_id", "id")
    summary = CustomerStats.objects.filter(customer=customer).values(*SUMMARY_COLUMNS)
    return [
        PersonalDataSection("orders", ORDER_COLUMNS, list(orders.values(*ORDER_COLUMNS))),
        PersonalDataSection("order_lines", LINE_COLUMNS, list(lines.values(*LINE_COLUMNS))),
        PersonalDataSection("purchase_summary", SUMMARY_COLUMNS, list(summary)),
    ]


def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Keep the orders; return the analyses' purchase file, derived before the erasure.

    The file holds customer numbers and amounts only, but nothing computed from the
    person's data before the erasure should outlive it; the next read rebuilds it.
    """
    return [cache_path(purchases.FILE)]
