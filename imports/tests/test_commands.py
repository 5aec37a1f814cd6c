"""manage.py import_customers / import_orders: scriptable, one JSON object, honest exit status."""

import json

import pytest
from django.core.management import call_command

from customers.models import Customer
from imports import services
from imports.models import ImportJob, Kind
from imports.tests.helpers import csv_bytes, write, xlsx_bytes

pytestmark = pytest.mark.django_db


def run_command(name, *args, capsys):
    try:
        call_command(name, *args)
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    return status, capsys.readouterr().out


def test_json_on_success_and_exit_status_zero(tmp_path, admin_user, capsys):
    path = write(tmp_path, "c.csv", csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))

    status, out = run_command("import_customers", str(path), "--format", "json", capsys=capsys)

    assert status == 0
    assert json.loads(out) == {
        "committed": True,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    job = ImportJob.objects.get()
    assert (job.created_by, job.file_name, len(job.file_hash)) == (admin_user, "c.csv", 64)


def test_rejections_as_json_with_spreadsheet_rows_and_exit_status_one(tmp_path, admin_user, capsys):
    rows = [["name", "mobile"], ["A", "13700000001"], ["B", "nope"]]
    path = write(tmp_path, "c.csv", csv_bytes(rows))

    status, out = run_command("import_customers", str(path), "--format", "json", capsys=capsys)

    assert status == 1
    assert json.loads(out) == {
        "committed": False,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [{"row": 3, "column": "mobile", "reason": "Enter a valid mobile number."}],
    }
    assert not Customer.objects.exists()


def test_dry_run_user_encoding_and_saved_mapping(tmp_path, rep, capsys):
    services.save_mapping(
        rep,
        Kind.ORDERS,
        "shop",
        {"number": "单", "customer_mobile": "电", "ordered_on": "日", "amount": "钱"},
    )
    Customer.objects.create(name="X", mobile="13700000001", owner=rep)
    rows = [["单", "电", "日", "钱"], ["S-1", "13700000001", "2024-05-01", "9.90"]]
    path = write(tmp_path, "o.csv", csv_bytes(rows, "gbk"))
    args = [
        str(path),
        "--format",
        "json",
        "--user",
        "rep",
        "--encoding",
        "gb18030",
        "--mapping",
        "shop",
    ]

    status, out = run_command("import_orders", *args, "--dry-run", capsys=capsys)
    assert (status, json.loads(out)["created"], json.loads(out)["committed"]) == (0, 1, False)

    status, out = run_command("import_orders", *args, capsys=capsys)
    assert (status, json.loads(out)["committed"]) == (0, True)
    assert ImportJob.objects.filter(created_by=rep).count() == 2


def test_xlsx_and_skip_invalid_from_the_command(tmp_path, admin_user, capsys):
    rows = [["name", "mobile"], ["A", "13700000001"], ["B", "x"]]
    path = write(tmp_path, "c.xlsx", xlsx_bytes(rows))

    status, out = run_command(
        "import_customers", str(path), "--format", "json", "--skip-invalid", capsys=capsys
    )

    result = json.loads(out)
    assert (status, result["committed"], result["created"], len(result["rejected"])) == (
        1,
        True,
        1,
        1,
    )


def test_refused_file_is_reported_as_json(tmp_path, admin_user, capsys):
    path = write(tmp_path, "empty.csv", b"")

    status, out = run_command("import_customers", str(path), "--format", "json", capsys=capsys)

    assert status == 1
    assert json.loads(out)["rejected"] == [{"row": 0, "column": "", "reason": "The file is empty."}]
