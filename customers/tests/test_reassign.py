"""Reassigning owners is a manager action, limited to the team, and recorded."""

import pytest

from customers.services import AccessDenied, reassign_customers


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
