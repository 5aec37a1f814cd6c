"""Export: the current list filter, the access rule, export roles, safe cells, recorded."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from customers.models import Customer, Tag, TagGroup
from imports.models import ExportRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(rep, other_rep, make_customer, make_order):
    group = TagGroup.objects.create(name="Music")
    jazz = Tag.objects.create(group=group, name="Jazz")
    mine = make_customer(rep, name="王芳", mobile="13900001111", external_id="C-1", region="上海")
    mine.tags.add(jazz)
    make_order(mine, datetime.date(2024, 1, 5), "88.00", number="SO-1")
    make_customer(rep, name='=HYPERLINK("http://evil")', mobile="13900002222", region="北京")
    make_customer(other_rep, name="Not yours", mobile="13900003333")
    return mine


def download(client, user, url, **params):
    client.force_login(user)
    response = client.get(reverse(url), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def download_file(client, record):
    response = client.get(reverse("imports:export_download", args=[record.pk]))
    assert response.status_code == 200, response
    return response, b"".join(response.streaming_content)


def csv_table(body: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode(encoding))))


def test_manager_exports_team_customers_as_csv_with_bom_summary_and_tags(client, manager, data):
    response, body = download(client, manager, "imports:export_customers")

    assert response.status_code == 200 and body.startswith(b"\xef\xbb\xbf")
    table = csv_table(body)
    assert table[0][:3] == ["Huitou ID", "External ID", "Name"]
    names = {row[2] for row in table[1:]}
    assert names == {"王芳", '\'=HYPERLINK("http://evil")'}
    wang = next(row for row in table if row[2] == "王芳")
    assert wang[table[0].index("Tags")] == "Jazz" and wang[-2:] == ["1", "88.00"]
    record = ExportRecord.objects.get()
    assert (record.created_by, record.kind, record.file_format, record.row_count) == (
        manager,
        "customers",
        "csv",
        2,
    )


def test_the_list_filter_narrows_the_export(client, manager, data):
    _response, body = download(client, manager, "imports:export_customers", region="上海")

    assert [row[2] for row in csv_table(body)[1:]] == ["王芳"]
    assert ExportRecord.objects.get().filters["region"] == "上海"


def test_gb18030_on_request(client, manager, data):
    _response, body = download(client, manager, "imports:export_customers", format="csv-gb18030")

    assert "王芳" in body.decode("gb18030") and not body.startswith(b"\xef\xbb\xbf")


def test_xlsx_with_neutralised_formulas_in_chinese(
    client, manager, data, immediate_queue, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        response, _body = download(client, manager, "imports:export_customers", format="xlsx")
    # An XLSX file is always written by the worker; its page links to the finished file.
    record = ExportRecord.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:export", args=[record.pk])
    _response, body = download_file(client, record)

    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] != "Name"  # the header speaks the user's language
    assert {row[2] for row in rows[1:]} == {"王芳", '\'=HYPERLINK("http://evil")'}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_orders_export(client, manager, data, make_order):
    theirs = Customer.objects.get(mobile="13900003333")
    make_order(theirs, datetime.date(2024, 1, 6), "77.00", number="SO-HIDDEN")

    _response, body = download(client, manager, "imports:export_orders")

    table = csv_table(body)
    assert len(table) == 2 and "SO-HIDDEN" not in body.decode("utf-8-sig")
    assert table[1] == [
        "SO-1",
        "C-1",
        "13900001111",
        "王芳",
        "2024-01-05",
        "CD-ROCK",
        "1",
        "88.00",
        "Paid",
        "",
    ]


@pytest.mark.parametrize("role", ["rep", "agent"])
def test_roles_not_permitted_to_export_are_refused(client, request, data, role):
    user = request.getfixturevalue(role)

    response, _body = download(client, user, "imports:export_customers")

    assert response.status_code == 403
    assert not ExportRecord.objects.exists()


def test_admin_exports_everyone(client, admin_user, data):
    _response, body = download(client, admin_user, "imports:export_customers")

    assert len(csv_table(body)) == 4


@pytest.mark.parametrize("kind", ["imports:export_customers", "imports:export_orders"])
def test_invalid_filter_exports_nothing(client, manager, data, kind):
    response, _body = download(client, manager, kind, last_from="2024-13-01")

    assert response.status_code == 302 and response.url == reverse("imports:index")
    assert not ExportRecord.objects.exists()
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown == ["The export filter is not valid; nothing was exported."]
