"""A small simulated customer base written through the same bulk path as the API."""

import datetime
from decimal import Decimal

import pytest

from customers.models import Customer
from insights.stats.simulate import simulate_transactions
from sales.services import LineInput, OrderInput, create_orders

AS_OF = datetime.date(2026, 6, 30)


@pytest.fixture
def simulated_base(rep, teammate, product):
    """Create 300 customers with BG/NBD purchases ending on AS_OF; return the customers."""
    sim = simulate_transactions(300, acquisition_days=400, observation_days=800, seed=7)
    start = AS_OF - datetime.timedelta(days=sim.end_day)
    owners = [rep, teammate]
    customers = Customer.objects.bulk_create(
        [Customer(name=f"Sim {i}", owner=owners[i % 2], mobile="") for i in range(300)]
    )
    orders = [
        OrderInput(
            number=f"SIM-{n}",
            customer_id=customers[int(c)].pk,
            ordered_on=start + datetime.timedelta(days=int(d)),
            lines=[LineInput(sku=product.sku, quantity=1, unit_price=Decimal(f"{a:.2f}"))],
        )
        for n, (c, d, a) in enumerate(zip(sim.customer_id, sim.day, sim.amount, strict=True))
    ]
    create_orders(None, orders, validated=True)
    return customers
