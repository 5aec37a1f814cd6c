"""Who may import is a role permission; a rep imports only into their own customers."""

import pytest

from customers.models import Customer
from imports import services
from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected, run, snapshot

pytestmark = pytest.mark.django_db


def test_agents_may_not_import(agent):
    with pytest.raises(services.ImportDenied):
        run(agent, Kind.CUSTOMERS, csv_bytes([["name", "mobile"], ["A", "13700000001"]]))
    assert not Customer.objects.exists()


def test_import_roles_are_a_setting(rep, settings):
    settings.IMPORT_ROLES = ["admin", "manager"]

    assert not services.can_import(rep)


def test_rep_creates_customers_owned_by_themselves_only(rep, teammate):
    rows = [["name", "mobile", "owner"], ["A", "13700000001", ""], ["B", "13700000002", "teammate"]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    assert not job.committed
    assert rejected(job) == [(3, "owner", "You may not make teammate the owner.")]


def test_rep_cannot_update_a_teammates_customer_by_external_id(rep, teammate, make_customer):
    make_customer(teammate, name="Theirs", external_id="T-1", mobile="13700000009")
    before = snapshot()

    job = run(rep, Kind.CUSTOMERS, csv_bytes([["name", "external id"], ["Mine now", "T-1"]]))

    assert rejected(job)[0][1:] == (
        "external id",
        "This customer belongs to someone whose customers you may not change.",
    )
    assert snapshot() == before


def test_manager_imports_for_the_team_and_assigns_owners(manager, rep, other_rep):
    rows = [
        ["name", "mobile", "owner"],
        ["A", "13700000001", "rep"],
        ["B", "13700000002", "other_rep"],
    ]

    job = run(manager, Kind.CUSTOMERS, csv_bytes(rows), skip_invalid=True)

    assert Customer.objects.get(mobile="13700000001").owner == rep
    assert rejected(job) == [(3, "owner", "You may not make other_rep the owner.")]


def test_rep_may_not_add_orders_to_another_reps_customer(rep, other_rep, make_customer):
    make_customer(other_rep, external_id="O-1")
    rows = [["订单号", "外部编号", "日期", "金额"], ["N-1", "O-1", "2024-01-01", "5"]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert rejected(job)[0][1:] == ("外部编号", "You may not add orders for this customer.")


def test_users_see_only_their_own_imports_and_admins_all(rep, other_rep, admin_user):
    job = run(rep, Kind.CUSTOMERS, csv_bytes([["name", "mobile"], ["A", "13700000001"]]))

    assert list(services.visible_jobs(other_rep)) == []
    assert list(services.visible_jobs(admin_user)) == [job]
