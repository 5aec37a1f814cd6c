"""Reassigning owners is a manager action, limited to the team, and recorded."""

import datetime
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.services import (
    AccessDenied,
    CustomerFilter,
    filter_customers,
    merge_customers,
    reassign_customers,
    update_customer,
)
from sales.models import CustomerStats


def test_manager_reassigns_in_bulk_and_it_is_recorded(manager, rep, teammate, make_customer):
    customers = [make_customer(rep) for _ in range(3)]
    moved = reassign_customers(manager, [c.pk for c in customers], teammate)
    assert moved == 3
    for customer in customers:
        customer.refresh_from_db()
        assert customer.owner == teammate
        change = customer.changes.exclude(changed_by=None).get(field="owner")
        assert (change.old_value, change.new_value, change.changed_by) == (
            "rep",
            "teammate",
            manager,
        )


def test_rep_cannot_reassign(rep, teammate, make_customer):
    customer = make_customer(rep)
    with pytest.raises(AccessDenied):
        reassign_customers(rep, [customer.pk], teammate)
    customer.refresh_from_db()
    assert customer.owner == rep


def test_manager_cannot_take_other_teams_customers(manager, other_rep, teammate, make_customer):
    theirs = make_customer(other_rep)
    assert reassign_customers(manager, [theirs.pk], teammate) == 0
    theirs.refresh_from_db()
    assert theirs.owner == other_rep
    with pytest.raises(AccessDenied):
        reassign_customers(manager, [theirs.pk], other_rep)


def test_the_purchase_summary_follows_the_new_owner(
    manager, rep, teammate, make_customer, make_order
):
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 3, 1))
    reassign_customers(manager, [customer.pk], teammate)
    assert CustomerStats.objects.get(customer=customer).owner == teammate
    # The list's owner + last-purchase filter reads the summary's copy of the owner.
    in_range = CustomerFilter(
        last_purchase_from=datetime.date(2026, 2, 1), last_purchase_to=datetime.date(2026, 4, 1)
    )
    for owner, expected in ((teammate, [customer]), (rep, [])):
        found = filter_customers(manager, replace(in_range, owner_id=owner.pk))
        assert list(found) == expected


def test_a_merged_summary_takes_the_survivors_owner(rep, teammate, make_customer, make_order):
    survivor, duplicate = make_customer(teammate), make_customer(rep)
    make_order(duplicate, datetime.date(2026, 3, 1))
    merge_customers(teammate, survivor, duplicate)
    assert CustomerStats.objects.get(customer=survivor).owner == teammate


def test_an_edit_that_keeps_the_owner_leaves_the_summary_alone(rep, make_customer, make_order):
    customer = make_customer(rep)
    make_order(customer, datetime.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        update_customer(rep, customer, {"owner": rep, "notes": "Prefers calls after 6pm"})
    assert not [q for q in queries if "sales_customerstats" in q["sql"]]
    assert customer.changes.filter(field="notes").exists()
