"""Quiet hours in the customer's own time zone, and the customer's language and time zone on
the profile page and form, in the import and in the export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from core.channels import Channel
from customers.models import Customer
from engagement import services
from engagement.models import Purpose, Status
from imports.models import Kind
from imports.tests.helpers import csv_bytes, rejected, run

UTC = datetime.UTC


def _send(customer, now):
    return services.send(None, customer, Channel.SMS, Purpose.CARE, text="Hi", now=now)


@pytest.mark.parametrize(
    ("now", "berlin_until", "shanghai_until"),
    [
        # 21:30 in Berlin (winter, UTC+1) is 04:30 in Shanghai: both quiet.
        (datetime.datetime(2026, 1, 15, 20, 30, tzinfo=UTC),
         datetime.datetime(2026, 1, 16, 8, 0, tzinfo=UTC),
         datetime.datetime(2026, 1, 16, 1, 0, tzinfo=UTC)),
        # 15:00 in Berlin is 22:00 in Shanghai: only Shanghai waits.
        (datetime.datetime(2026, 1, 15, 14, 0, tzinfo=UTC), None,
         datetime.datetime(2026, 1, 16, 1, 0, tzinfo=UTC)),
        # 08:30 in Berlin is 15:30 in Shanghai: only Berlin waits, until 09:00 the same day.
        (datetime.datetime(2026, 1, 15, 7, 30, tzinfo=UTC),
         datetime.datetime(2026, 1, 15, 8, 0, tzinfo=UTC), None),
        # Summer time (UTC+2): 21:30 in Berlin waits until 07:00 UTC.
        (datetime.datetime(2026, 7, 1, 19, 30, tzinfo=UTC),
         datetime.datetime(2026, 7, 2, 7, 0, tzinfo=UTC),
         datetime.datetime(2026, 7, 2, 1, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_quiet_hours_are_read_in_the_customer_s_own_zone(
    rep, make_customer, now, berlin_until, shanghai_until
):
    berlin = make_customer(rep, time_zone="Europe/Berlin")
    shanghai = make_customer(rep)  # blank: CUSTOMER_TIME_ZONE, Asia/Shanghai
    for customer, until in ((berlin, berlin_until), (shanghai, shanghai_until)):
        message = _send(customer, now)
        assert message.status == Status.QUEUED
        assert message.scheduled_for == (until or now)


def test_a_customer_s_zone_wins_over_the_company_default(rep, make_customer, settings):
    settings.CUSTOMER_TIME_ZONE = "Europe/Berlin"
    tokyo = make_customer(rep, time_zone="Asia/Tokyo")
    now = datetime.datetime(2026, 1, 15, 13, 0, tzinfo=UTC)  # 22:00 Tokyo, 14:00 Berlin
    assert _send(tokyo, now).scheduled_for == datetime.datetime(2026, 1, 16, 0, 0, tzinfo=UTC)
    assert _send(make_customer(rep), now).scheduled_for == now


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["Language", "English", "Time zone", "Europe/Berlin", "Default (Asia/Shanghai)"]),
     ("zh-hans", ["语言", "英语", "时区", "Europe/Berlin", "默认（Asia/Shanghai）"])],
)  # fmt: skip
def test_the_profile_shows_language_and_time_zone(client, rep, make_customer, language, words):
    berlin = make_customer(rep, language="en", time_zone="Europe/Berlin")
    plain = make_customer(rep)
    client.force_login(rep)
    client.cookies["django_language"] = language
    page = client.get(reverse("customers:detail", args=[berlin.pk]), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    for word in words[:4]:
        assert word in text
    other = client.get(reverse("customers:detail", args=[plain.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert words[4] in other.content.decode()


def _form_data(customer, **changes):
    data = {
        "kind": customer.kind, "name": customer.name, "mobile": customer.mobile,
        "birthday_calendar": "solar", "owner": customer.owner_id, "language": customer.language,
        "time_zone": customer.time_zone,
    }  # fmt: skip
    return {**data, **changes}


def test_the_form_edits_the_time_zone_and_refuses_an_unknown_one(client, rep, make_customer):
    customer = make_customer(rep)
    client.force_login(rep)
    url = reverse("customers:edit", args=[customer.pk])
    form_page = client.get(url).content.decode()
    assert 'name="time_zone"' in form_page and 'name="language"' in form_page
    response = client.post(url, _form_data(customer, time_zone="Europe/Berlin", language="en"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.time_zone, customer.language) == ("Europe/Berlin", "en")
    refused = client.post(url, _form_data(customer, time_zone="Mars/Olympus"))
    assert refused.status_code == 200 and "Enter a time zone such as" in refused.content.decode()
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/Berlin"


def test_the_import_reads_language_and_time_zone(rep):
    rows = [
        ["姓名", "手机", "外部编号", "语言", "时区"],
        ["张三", "13800138000", "C-1", "英文", "Europe/Berlin"],
        ["李四", "13912345678", "C-2", "", ""],
        ["Amy", "13912345679", "C-3", "English", ""],
    ]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(rows))
    assert job.committed, rejected(job)
    found = {c.external_id: (c.language, c.time_zone) for c in Customer.objects.all()}
    assert found == {
        "C-1": ("en", "Europe/Berlin"), "C-2": ("zh-hans", ""), "C-3": ("en", ""),
    }  # fmt: skip


def test_a_blank_language_keeps_the_customer_s_and_a_bad_zone_is_a_row_error(rep):
    first = [["Name", "Mobile", "External ID", "Language"], ["Amy", "13912345679", "C-3", "en"]]
    assert run(rep, Kind.CUSTOMERS, csv_bytes(first)).committed
    again = [
        ["Name", "Mobile", "External ID", "Language", "Time zone"],
        ["Amy", "13912345679", "C-3", "", "Europe/Berlin"],
        ["Bo", "13912345670", "C-4", "klingon", "Mars/Olympus"],
    ]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(again))
    reasons = {column: reason for _row, column, reason in rejected(job)}
    assert set(reasons) == {"Language", "Time zone"}
    assert "Asia/Shanghai" in reasons["Time zone"]
    job = run(rep, Kind.CUSTOMERS, csv_bytes(again[:2]))
    assert job.committed
    amy = Customer.objects.get(external_id="C-3")
    assert (amy.language, amy.time_zone) == ("en", "Europe/Berlin")


def test_the_export_has_language_and_time_zone_and_imports_back(
    client, manager, rep, make_customer
):
    make_customer(rep, name="Amy", external_id="C-9", language="en", time_zone="Europe/Berlin")
    client.force_login(manager)
    response = client.get(reverse("imports:export_customers"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, amy = table[0], next(row for row in table if "Amy" in row)
    assert amy[header.index("Language")] == "English"
    assert amy[header.index("Time zone")] == "Europe/Berlin"
    Customer.objects.filter(external_id="C-9").update(language="zh-hans", time_zone="")
    job = run(manager, Kind.CUSTOMERS, body)
    assert job.committed, rejected(job)
    amy_now = Customer.objects.get(external_id="C-9")
    assert (amy_now.language, amy_now.time_zone) == ("en", "Europe/Berlin")
