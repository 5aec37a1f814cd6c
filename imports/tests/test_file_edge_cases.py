"""Files from the first real use (issue 10, item 6): each is read right or reported with its
row, column and reason, and a refused file changes nothing."""

import io

import openpyxl
import pytest

from customers.models import Customer
from imports.models import Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mobile", ["137abcd2003", "138 0013 8000 ext 12", "手机13800138000"])
def test_a_mobile_with_letters_is_refused_not_converted(rep, mobile):
    job = run(rep, Kind.CUSTOMERS, csv_bytes([["name", "mobile"], ["Li Lei", mobile]]))
    assert not job.committed
    assert rejected(job) == [(2, "mobile", "Enter a valid mobile number.")]
    assert not Customer.objects.exists()


def test_the_api_refuses_a_mobile_with_letters_too(client, rep):
    client.force_login(rep)
    response = client.post(
        "/api/v1/customers", {"name": "Li Lei", "mobile": "137abcd2003"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mobile"
    assert not Customer.objects.exists()


@pytest.mark.parametrize("kind", [Kind.CUSTOMERS, Kind.ORDERS])
@pytest.mark.parametrize("file_name", ["empty.csv", "empty.xlsx"])
def test_a_header_without_rows_is_no_data_not_zero_created(rep, kind, file_name):
    headers = (
        ["name", "mobile"]
        if kind == Kind.CUSTOMERS
        else ["order number", "customer id", "date", "amount"]
    )
    content = csv_bytes([headers]) if file_name.endswith(".csv") else xlsx_bytes_of([headers])
    before = snapshot()
    job = run(rep, kind, content, file_name)
    assert job.status == Status.FAILED and not job.committed
    assert rejected(job) == [(2, "", "The file has a header but no data rows.")]
    assert snapshot() == before


def xlsx_bytes_of(rows):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1f", "\x7f"])
def test_a_control_character_in_a_cell_is_reported_with_row_and_column(rep, character):
    rows = [["name", "mobile"], ["Li Lei", "13800138000"], [f"Wang{character}Fang", "13800138001"]]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))
    assert not job.committed
    [(row, column, reason)] = rejected(job)
    assert (row, column) == (3, "name") and "control character" in reason
    assert not Customer.objects.exists()


def test_a_nul_in_an_order_cell_is_reported_not_dropped(rep, make_customer, product):
    make_customer(rep, external_id="C-1")
    rows = [
        ["order number", "customer id", "date", "amount"],
        ["SO-1", "C-1", "2024-01-05", "10"],
        ["SO\x00-2", "C-1", "2024-01-05", "10"],
    ]
    job = run(rep, Kind.ORDERS, csv_bytes(rows))
    assert not job.committed
    [(row, column, reason)] = rejected(job)
    assert (row, column) == (3, "order number") and "control character" in reason


def test_excel_unicode_text_utf16_tab_separated_is_read(rep):
    """Excel's "Unicode text": UTF-16 little-endian with a BOM, tabs between cells."""
    rows = [
        ["姓名", "手机", "备注"],
        ["王芳", "13800138000", "第一行"],
        ["李雷", "13800138001", "x"],
    ]
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    content = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    job = run(rep, Kind.CUSTOMERS, content, "unicode.txt")
    assert job.committed, rejected(job)
    assert job.encoding == "utf-16" and job.delimiter == "\t"
    assert sorted(Customer.objects.values_list("name", "mobile", "notes")) == [
        ("李雷", "13800138001", "x"), ("王芳", "13800138000", "第一行"),
    ]  # fmt: skip


def test_utf16_big_endian_is_read_too(rep):
    text = "name,mobile\r\nLi Lei,13800138000\r\n"
    job = run(rep, Kind.CUSTOMERS, text.encode("utf-16"), "be.csv")  # native order with a BOM
    job_be = run(rep, Kind.CUSTOMERS, b"\xfe\xff" + text.encode("utf-16-be"), "be2.csv")
    assert job.committed and job_be.committed
    assert Customer.objects.get().name == "Li Lei"
