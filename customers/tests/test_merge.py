"""Duplicates are flagged, and a merge moves orders and interactions to the survivor."""

import datetime
from decimal import Decimal

from customers.models import Customer
from customers.services import merge_customers, possible_duplicates
from interactions.services import log_interaction
from sales.models import CustomerStats


def stored_before_the_rule(owner, mobile: str) -> Customer:
    """Return a customer sharing a mobile, as stored before one mobile meant one customer."""
    return Customer.objects.create(name="Twin", owner=owner, mobile=mobile)


def test_only_visible_customers_are_flagged_as_duplicates(rep, other_rep, make_customer):
    mine = make_customer(rep, mobile="13900000009")
    stored_before_the_rule(other_rep, "13900000009")  # another rep's customer: never shown
    assert list(possible_duplicates(rep, mine)) == []


def test_same_mobile_or_email_is_flagged(rep, make_customer):
    first = make_customer(rep, mobile="13900000001", email="a@example.com")
    same_mobile = stored_before_the_rule(rep, "13900000001")
    same_email = make_customer(rep, mobile="13900000002", email="A@example.com")
    make_customer(rep, mobile="13900000003")
    assert set(possible_duplicates(rep, first)) == {same_mobile, same_email}


def test_merge_moves_everything_and_archives_the_duplicate(rep, make_customer, make_order):
    survivor = make_customer(rep, mobile="13900000001")
    duplicate = stored_before_the_rule(rep, "13900000001")
    make_order(survivor, datetime.date(2026, 1, 1), "10.00")
    make_order(duplicate, datetime.date(2026, 2, 1), "15.00")
    log_interaction(
        rep, duplicate, {"kind": "phone", "summary": "Asked about jazz", "next_contact_on": None}
    )

    merge_customers(rep, survivor, duplicate)

    duplicate.refresh_from_db()
    assert duplicate.is_archived and duplicate.merged_into == survivor
    assert survivor.orders.count() == 2 and survivor.interactions.count() == 1
    stats = CustomerStats.objects.get(customer=survivor)
    assert (stats.orders_count, stats.total_spend) == (2, Decimal("25.00"))
    assert not CustomerStats.objects.filter(customer=duplicate).exists()
    assert survivor.changes.filter(field="merged").exists()
    assert list(possible_duplicates(rep, survivor)) == []
