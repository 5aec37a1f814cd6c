"""Importing customers: files people have, matched on external ID or mobile, history kept."""

import datetime

import pytest

from customers.models import Customer, ProfileChange, Tag, TagGroup
from imports.models import Kind, Status
from imports.tests.helpers import csv_bytes, rejected, run, xlsx_bytes

pytestmark = pytest.mark.django_db

CHINESE = [
    ["姓名", "手机", "生日", "外部编号", "邮箱", "性别"],
    ["张三", "138 0013 8000", "1990/5/1", "C-1", "zs@example.com", "男"],
    ["李四", "+86 139-1234-5678", "1985年3月2日", "C-2", "", "女"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("gb18030", "\t"), ("gbk", "|")],
)
def test_csv_in_each_encoding_and_delimiter_is_read(rep, encoding, delimiter):
    job = run(rep, Kind.CUSTOMERS, csv_bytes(CHINESE, encoding, delimiter))

    assert job.status == Status.COMMITTED, rejected(job)
    zhang = Customer.objects.get(external_id="C-1")
    assert (zhang.name, zhang.mobile, zhang.birthday) == (
        "张三",
        "13800138000",
        datetime.date(1990, 5, 1),
    )
    assert zhang.gender == "male" and zhang.owner == rep
    li = Customer.objects.get(external_id="C-2")
    assert (li.mobile, li.birthday, li.gender) == (
        "13912345678",
        datetime.date(1985, 3, 2),
        "female",
    )


def test_gbk_detected_and_the_encoding_can_be_given(rep):
    content = csv_bytes(CHINESE, "gbk")

    job = run(rep, Kind.CUSTOMERS, content, encoding="gb18030")

    assert job.encoding == "gb18030" and job.committed
    assert Customer.objects.filter(name="李四").exists()


def test_xlsx_with_excel_dates_and_numbers(rep):
    rows: list[list[object]] = [
        ["Name", "Mobile", "Birthday", "External ID"],
        ["Wang Fang", 13912345678, datetime.datetime(1988, 7, 9), 1001],
    ]
    job = run(rep, Kind.CUSTOMERS, xlsx_bytes(rows), "people.xlsx")

    assert job.committed, rejected(job)
    customer = Customer.objects.get(external_id="1001")
    assert customer.mobile == "13912345678" and customer.birthday == datetime.date(1988, 7, 9)


def test_reimport_changes_nothing_and_an_edit_updates_with_history(rep):
    run(rep, Kind.CUSTOMERS, csv_bytes(CHINESE))
    history = ProfileChange.objects.count()

    again = run(rep, Kind.CUSTOMERS, csv_bytes(CHINESE))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert ProfileChange.objects.count() == history

    edited = [CHINESE[0], ["张三丰", "13800138000", "1990-05-01", "C-1", "zs@example.com", "男"]]
    third = run(rep, Kind.CUSTOMERS, csv_bytes(edited))
    assert (third.created_count, third.updated_count) == (0, 1)
    change = ProfileChange.objects.get(field="name", new_value="张三丰")
    assert change.old_value == "张三" and change.changed_by == rep
    # The history says the change came from this import, on the user's behalf.
    assert (change.actor_kind, change.actor_ref) == ("import", third.pk)
    created = ProfileChange.objects.filter(field="created").first()
    assert created is not None and created.actor_kind == "import"


def test_customers_match_on_mobile_when_there_is_no_external_id(rep, make_customer):
    existing = make_customer(rep, name="Old Name", mobile="13700001111")
    rows = [["name", "mobile", "tags"], ["New Name", "137-0000-1111", ""]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    assert (job.created_count, job.updated_count) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "New Name"
    assert Customer.objects.count() == 1


def test_tags_are_set_from_their_names(rep):
    group = TagGroup.objects.create(name="Music")
    Tag.objects.create(group=group, name="Jazz")
    Tag.objects.create(group=group, name="Rock")
    rows = [["name", "mobile", "tags"], ["Fan", "13700001111", "Jazz、Rock"]]

    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))

    assert job.committed
    fan = Customer.objects.get(name="Fan")
    assert sorted(tag.name for tag in fan.tags.all()) == ["Jazz", "Rock"]
