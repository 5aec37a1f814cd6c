"""Regression tests of review findings: each failed before its fix."""

import io

import pytest
from django.urls import reverse

from customers.models import Customer
from imports import services
from imports.models import ImportJob, Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, snapshot, write

pytestmark = pytest.mark.django_db


def _command(*args):
    from django.core.management import call_command

    try:
        call_command(*args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_unknown_mapping_name_fails_the_job_and_imports_nothing(tmp_path, admin_user, capsys):
    path = write(tmp_path, "c.csv", csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))

    status = _command("import_customers", str(path), "--mapping", "typo", "--format", "json")

    assert status == 1
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED and not job.headers
    assert "typo" in job.message
    assert not Customer.objects.exists()


def test_mapping_of_the_other_kind_is_refused_by_the_upload_form(client, rep):
    services.save_mapping(rep, Kind.ORDERS, "shop", {"number": "单"})
    client.force_login(rep)
    upload_file = io.BytesIO(csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))
    upload_file.name = "c.csv"
    data = {"kind": "customers", "file": upload_file, "saved_mapping": "shop"}

    response = client.post(reverse("imports:upload"), data)

    assert response.status_code == 400
    assert not ImportJob.objects.exists() and not Customer.objects.exists()


def test_service_refuses_a_mapping_of_the_other_kind(rep):
    services.save_mapping(rep, Kind.ORDERS, "shop", {"number": "单"})
    content = csv_bytes([["姓名", "手机"], ["张三", "13800138000"]])

    job = services.start_job(rep, Kind.CUSTOMERS, io.BytesIO(content), "c.csv", mapping_name="shop")

    assert job.status == Status.FAILED and not job.headers
    assert not Customer.objects.exists()


@pytest.fixture
def merged(admin_user, make_customer):
    from customers.services import merge_customers

    survivor = make_customer(admin_user, name="Survivor", mobile="13900009999", external_id="S-1")
    duplicate = make_customer(admin_user, name="Dup", mobile="13900008888", external_id="D-1")
    merge_customers(admin_user, survivor, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    return survivor, duplicate


def test_orders_for_a_merged_customer_are_rejected_naming_the_survivor(admin_user, merged):
    survivor, _duplicate = merged
    rows = [
        ["order no.", "external id", "name", "date", "amount"],
        ["M-1", "D-1", "Dup again", "2024-03-01", "10"],
    ]
    before = snapshot()

    job = run(admin_user, Kind.ORDERS, csv_bytes(rows))

    assert not job.committed and not job.message
    reason = f"This customer was merged into customer #{survivor.pk}"
    assert [(r, c, text[: len(reason)]) for r, c, text in rejected(job)] == [
        (2, "external id", reason)
    ]
    assert snapshot() == before


def test_customer_rows_do_not_update_a_merged_duplicate(admin_user, merged):
    survivor, _duplicate = merged
    rows = [["external id", "name", "mobile"], ["D-1", "Renamed", ""]]
    before = snapshot()

    job = run(admin_user, Kind.CUSTOMERS, csv_bytes(rows))

    assert not job.committed
    reason = f"This customer was merged into customer #{survivor.pk}"
    assert [(r, c, text[: len(reason)]) for r, c, text in rejected(job)] == [
        (2, "external id", reason)
    ]
    assert snapshot() == before


def _checked_job(user):
    content = csv_bytes([["姓名", "手机"], ["张三", "13800138000"]])
    return run(user, Kind.CUSTOMERS, content, commit=False)


def test_two_clicks_read_before_either_starts_run_only_once(rep):
    job = _checked_job(rep)
    first, second = ImportJob.objects.get(pk=job.pk), ImportJob.objects.get(pk=job.pk)

    services.prepare_run(rep, first, commit=True)
    with pytest.raises(services.ImportNotReady):
        services.prepare_run(rep, second, commit=True)

    assert ImportJob.objects.get(pk=job.pk).status == Status.IMPORTING


def test_a_second_click_shows_a_message_not_a_403(client, rep):
    job = _checked_job(rep)
    client.force_login(rep)
    client.post(reverse("imports:run", args=[job.pk]))

    response = client.post(reverse("imports:run", args=[job.pk]))

    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert len([str(m) for m in response.wsgi_request._messages]) == 1
    assert Customer.objects.count() == 1


def test_command_user_who_may_not_import_gets_a_command_error(tmp_path, agent):
    from django.core.management import CommandError, call_command

    path = write(tmp_path, "c.csv", csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))

    with pytest.raises(CommandError, match="may not import"):
        call_command("import_customers", str(path), "--user", agent.username)


def test_mapping_change_by_a_user_who_may_no_longer_import_is_403(client, rep):
    job = _checked_job(rep)
    rep.role = "agent"
    rep.save()
    client.force_login(rep)

    response = client.post(
        reverse("imports:job", args=[job.pk]), {"map_name": "姓名", "map_mobile": "手机"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("amount", ["10000000000", "¥99,999,999,999", "9999999999.999"])
def test_amounts_too_large_for_an_order_line_are_rejected(rep, amount):
    Customer.objects.create(name="X", mobile="13700000001", owner=rep)
    rows = [["order no.", "mobile", "date", "amount"], ["B-1", "13700000001", "2024-03-01", amount]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert not job.committed
    [(row, column, reason)] = rejected(job)
    assert (row, column) == (2, "amount")
    assert reason.endswith("is too large; an amount must be less than 10,000,000,000.")


def test_the_largest_amount_an_order_line_keeps_is_imported(rep):
    Customer.objects.create(name="X", mobile="13700000001", owner=rep)
    rows = [
        ["order no.", "mobile", "date", "amount"],
        ["B-1", "13700000001", "2024-03-01", "9999999999.99"],
    ]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    assert job.committed, rejected(job)


def test_a_superscript_digit_is_not_a_huitou_id(rep):
    rows = [["id", "name"], ["²", "A"]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    assert rejected(job) == [(2, "id", "² is not a Huitou ID.")]
