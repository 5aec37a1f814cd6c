"""Every kind of bad file gets a clear report and leaves the database exactly as it was."""

import io
import zipfile

import pytest

from imports.models import Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def before(rep, other_rep, make_customer, make_order, product):
    """A database with customers and orders in it, as the bad files find it."""
    mine = make_customer(rep, name="Mine", mobile="13900000001", external_id="C-1")
    make_customer(other_rep, name="Theirs", mobile="13900000002", external_id="C-2")
    import datetime

    make_order(mine, datetime.date(2024, 1, 1), number="SO-1")
    return snapshot()


def only(job, row, column, words):
    """Assert the job committed nothing and reported one reason naming `words`."""
    assert not job.committed
    reasons = rejected(job)
    assert any(r[0] == row and r[1] == column and words in r[2] for r in reasons), reasons


def test_wrong_encoding_chosen(rep, before):
    content = csv_bytes([["姓名", "手机"], ["张三", "13800138000"]], "gbk")

    job = run(rep, Kind.CUSTOMERS, content, encoding="utf-8")

    assert job.status == Status.FAILED
    only(job, 1, "", "cannot be read as UTF-8")
    assert snapshot() == before


def test_wrong_encoding_far_down_the_file(rep, before):
    good = csv_bytes([["name", "mobile"]] + [[f"N{n}", f"137{n:08d}"] for n in range(50)])
    content = good + "坏,13700009999\n".encode("gbk")

    job = run(rep, Kind.CUSTOMERS, content, encoding="utf-8")

    only(job, 52, "", "cannot be read as UTF-8")
    assert snapshot() == before


def test_truncated_inside_a_quoted_cell(rep, before):
    content = b'name,mobile,notes\nA,13700000001,"ok"\nB,13700000002,"cut he'

    job = run(rep, Kind.CUSTOMERS, content)

    only(job, 3, "", "truncated")
    assert snapshot() == before


def test_truncated_in_the_middle_of_a_character(rep, before):
    content = csv_bytes([["姓名", "手机"], ["张三", "13800138000"]])[:-4] + "张".encode()[:2]

    job = run(rep, Kind.CUSTOMERS, content)

    only(job, 0, "", "truncated")
    assert snapshot() == before


def test_truncated_xlsx(rep, before):
    content = xlsx_bytes([["name", "mobile"], ["A", "13700000001"]])

    job = run(rep, Kind.CUSTOMERS, content[: len(content) // 2], "cut.xlsx")

    only(job, 0, "", "damaged or truncated")
    assert snapshot() == before


def test_zip_bomb_xlsx_is_refused_before_it_is_expanded(rep, before):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))

    job = run(rep, Kind.CUSTOMERS, buffer.getvalue(), "bomb.xlsx")

    only(job, 0, "", "expands to far more data")
    assert snapshot() == before


def test_xml_entity_bomb_inside_an_xlsx_is_refused(rep, before):
    content = xlsx_bytes([["name", "mobile"], ["A", "13700000001"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[-1]
                data = laughs.encode() + body.replace(b"<sheetData>", b"<sheetData>&lol2;", 1)
            target.writestr(item, data)

    job = run(rep, Kind.CUSTOMERS, buffer.getvalue(), "laughs.xlsx")

    only(job, 0, "", "refused as unsafe")
    assert snapshot() == before


@pytest.mark.parametrize("name", ["macros.xlsm", "macros.xlsx"])
def test_workbook_with_macros(rep, before, name):
    content = xlsx_bytes([["name", "mobile"], ["A", "13700000001"]])
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro code")

    job = run(rep, Kind.CUSTOMERS, buffer.getvalue(), name)

    only(job, 0, "", "macros")
    assert snapshot() == before


def test_file_over_the_size_limit(rep, before, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes([["name", "mobile"]] + [["x" * 100, "13700000001"]] * 11000)

    job = run(rep, Kind.CUSTOMERS, content)

    only(job, 0, "", "larger than the limit of 1 MB")
    assert snapshot() == before


def test_missing_required_columns(rep, before):
    job = run(rep, Kind.ORDERS, csv_bytes([["订单号", "手机"], ["SO-9", "13900000001"]]))

    only(job, 1, "", "Required columns are missing: Order date, Amount")
    assert snapshot() == before


def test_duplicate_rows_within_the_file(rep, before):
    rows = [["name", "mobile"], ["A", "13700000001"], ["B", "13700000002"], ["A", "137 0000 0001"]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    only(job, 4, "mobile", "already on row 2")
    assert snapshot() == before


def test_duplicate_order_numbers_within_the_file(rep, before):
    rows = [["订单号", "外部编号", "日期", "金额"], ["N-1", "C-1", "2024-01-01", "1"]] * 2

    job = run(rep, Kind.ORDERS, csv_bytes(rows[1:] and [rows[0], rows[1], rows[1]]))

    only(job, 3, "订单号", "already on row 2")
    assert snapshot() == before


def test_mobile_of_another_reps_customer(rep, before):
    rows = [["name", "mobile"], ["Poach", "139-0000-0002"]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    # The words of the form and the API: nothing about whose customer it is (issue 10.8).
    only(job, 2, "mobile", "Another customer already has this mobile.")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("amount", "words"),
    [("-5", "cannot be negative"), ("abc", "not an amount"), ("1.2.3", "not an amount")],
)
def test_negative_or_non_numeric_amounts(rep, before, amount, words):
    rows = [["订单号", "外部编号", "日期", "金额"], ["N-1", "C-1", "2024-01-01", amount]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    only(job, 2, "金额", words)
    assert snapshot() == before


@pytest.mark.parametrize("day", ["2024-02-30", "2023年13月1日", "31/31/2020", "2024-00-10"])
def test_impossible_dates(rep, before, day):
    rows = [["订单号", "外部编号", "日期", "金额"], ["N-1", "C-1", day, "5"]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    only(job, 2, "日期", day)
    assert snapshot() == before


def test_orders_for_unknown_customers(rep, before):
    rows = [["订单号", "外部编号", "日期", "金额"], ["N-1", "NOBODY", "2024-01-01", "5"]]

    job = run(rep, Kind.ORDERS, csv_bytes(rows))

    only(job, 2, "外部编号", "Unknown customer NOBODY")
    assert snapshot() == before


def test_formulas_in_csv_and_xlsx_cells(rep, before):
    rows = [["name", "mobile"], ['=HYPERLINK("http://evil","x")', "13700000001"]]
    csv_job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))
    xlsx_job = run(
        rep, Kind.CUSTOMERS, xlsx_bytes([["name", "mobile"], ["=1+1", "13700000001"]]), "f.xlsx"
    )

    only(csv_job, 2, "name", "Formulas are not imported")
    only(xlsx_job, 2, "name", "Formulas are not imported")
    assert snapshot() == before


def test_a_thousand_columns(rep, before):
    header = ["name", "mobile"] + [f"c{n}" for n in range(998)]

    job = run(rep, Kind.CUSTOMERS, csv_bytes([header, ["A", "13700000001"] + [""] * 998]))

    only(job, 1, "", "1000 columns")
    assert snapshot() == before


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_file(rep, before, content):
    job = run(rep, Kind.CUSTOMERS, content)

    assert not job.committed and "empty" in rejected(job)[0][2]
    assert snapshot() == before


def test_empty_xlsx(rep, before):
    job = run(rep, Kind.CUSTOMERS, xlsx_bytes([]), "empty.xlsx")

    only(job, 1, "", "empty")
    assert snapshot() == before


def _commit_directly(user, kind, content):
    """Import for real without the check first, as run_job does for the import button."""
    from imports import services

    job = services.start_job(user, kind, io.BytesIO(content), "o.csv")
    return services.run_job(job.pk, commit=True)


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        (["N-9", "13700009999", "New Nine", "2024-02-30", "10"], "date", "not a real date"),
        (["N-9", "13700009999", "New Nine", "2024-03-01", "-5"], "amount", "negative"),
        (["N-9", "not a mobile", "New Nine", "2024-03-01", "5"], "mobile", "valid mobile"),
    ],
)
def test_commit_of_orders_creating_customers_writes_nothing_on_a_bad_row(
    rep, before, settings, bad, column, words
):
    settings.IMPORT_BATCH_ROWS = 2
    good = [[f"N-{n}", f"1370000{n:04d}", f"New {n}", "2024-03-01", "10"] for n in range(5)]
    content = csv_bytes([["order no.", "mobile", "name", "date", "amount"], *good, bad])

    job = _commit_directly(rep, Kind.ORDERS, content)

    assert job.status == Status.NOT_COMMITTED
    only(job, 7, column, words)
    assert snapshot() == before
