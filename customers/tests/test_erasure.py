"""Erasure (issue 10, item 28): after it, neither the database nor the files hold the person.

The whole database is dumped (SQLite's iterdump, PostgreSQL's pg_dump of the test database)
and every file under the test's upload and cache directories read, and none may contain the
customer's name, mobile, email, WeChat ID or address; the orders stay, counted.
"""

import datetime
import io
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.actors import Actor
from core.events import emit
from core.models import IdempotencyKey
from customers.models import Customer, Erasure, ProfileChange, Tag, TagGroup
from customers.services import (
    erase_customer,
    merge_customers,
    set_consent,
    set_tags,
    update_customer,
)
from imports.models import ImportJob, Kind, RejectedRow
from imports.tests.helpers import csv_bytes, run
from interactions.models import FollowUp, Interaction
from interactions.services import create_follow_up, log_interaction
from sales import purchases
from sales.models import CustomerStats

NAME = "张伟删"
MOBILE = "13912345678"
OLD_MOBILE = "13987654321"
EMAIL = "zw.erase@example.com"
WECHAT = "zw_erase_wx"
ADDRESS = "88 Erasure Road"
PERSONAL = (NAME, MOBILE, OLD_MOBILE, EMAIL, WECHAT, ADDRESS)


def spellings(value: str) -> set[str]:
    """The value as text, and as it appears inside JSON on either database."""
    return {value, json.dumps(value)[1:-1]}


def found_in(text: str) -> list[str]:
    return [value for value in PERSONAL for spelled in spellings(value) if spelled in text]


def database_dump() -> str:
    """Return the whole test database as SQL text."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = ["pg_dump", "--no-owner", "-h", str(db["HOST"] or "127.0.0.1"),
               "-p", str(db["PORT"] or 5432), "-U", str(db["USER"]), str(db["NAME"])]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def files_text(root: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in root.rglob("*") if path.is_file()
    )


def api_create(client: Client, key: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/customers", json.dumps(body), content_type="application/json",
        headers={"Idempotency-Key": key},
    )  # fmt: skip


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORTS_DIR = tmp_path / "uploads"
    return settings.IMPORTS_DIR


@pytest.fixture
def person(rep, admin_user, make_customer, make_order, uploads) -> dict[str, Any]:
    """A customer whose data is spread over every place the app keeps it."""
    client = Client()
    client.force_login(rep)
    body = {"name": NAME, "mobile": OLD_MOBILE, "email": EMAIL, "wechat_id": WECHAT}
    answer = api_create(client, "create-zw", body)
    assert answer.status_code == 201, answer.content
    customer = Customer.objects.get(pk=answer.json()["id"])
    update_customer(
        rep, customer, {"mobile": MOBILE, "address": ADDRESS, "notes": f"{NAME} likes jazz"}
    )
    group = TagGroup.objects.create(name="Taste")
    set_tags(rep, customer, [Tag.objects.create(group=group, name="Jazz")])
    set_consent(rep, customer, "sms", False, source=f"call from {MOBILE}")
    make_order(customer, datetime.date(2026, 1, 5), "30.00")
    make_order(customer, datetime.date(2026, 3, 5), "12.50")
    said = {"kind": "phone", "summary": f"{NAME} asked about {ADDRESS}",
            "outcome": f"mail to {EMAIL}", "next_contact_on": None}  # fmt: skip
    log_interaction(rep, customer, said)
    create_follow_up(rep, customer, datetime.date(2030, 1, 1), f"call {MOBILE}")
    # An older record of the same person, merged into this one.
    duplicate = make_customer(rep, name=NAME, mobile=OLD_MOBILE, wechat_id=WECHAT)
    merge_customers(rep, customer, duplicate)
    # An import that named the person: its file, and a row rejected with their cells.
    content = csv_bytes([["name", "mobile", "email"], [NAME, "139-1234-5678", EMAIL],
                         [f"{NAME} bis", "not a mobile", EMAIL]])  # fmt: skip
    job = run(rep, Kind.CUSTOMERS, content, "shop.csv", commit=False)
    assert RejectedRow.objects.filter(job=job).exists()
    # An unrelated import stays as it is.
    other = run(rep, Kind.CUSTOMERS, csv_bytes([["name", "mobile"], ["Li Na", "13700000001"]]),
                "other.csv", commit=False)  # fmt: skip
    LogEntry.objects.create(
        user=admin_user, content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk), object_repr=NAME, action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    emit("customer.created", Actor.of_user(rep), customer_id=customer.pk, data={"name": NAME})
    purchases.keep_up_to_date(7)  # leaves the analyses' purchase file in the cache directory
    return {"customer": customer, "duplicate": duplicate, "job": job, "other": other,
            "client": client, "body": body}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_nothing_of_the_person_is_left_in_the_database_or_files(person, admin_user, tmp_path):
    customer = person["customer"]
    assert set(found_in(database_dump())) == set(PERSONAL)
    assert NAME in files_text(tmp_path) and any(tmp_path.joinpath("cache").rglob("*.npz"))

    client = Client()
    client.force_login(admin_user)
    url = reverse("customers:erase", args=[customer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Request by letter of 2026-05-01", "confirm": "on"})
    assert response.status_code == 302

    assert found_in(database_dump()) == []
    assert found_in(files_text(tmp_path)) == []
    assert not any(tmp_path.joinpath("cache").rglob("*.npz"))
    # The orders stay, on the anonymous customer, and still count.
    customer.refresh_from_db()
    assert customer.name == f"[erased #{customer.pk}]" and customer.is_archived
    stats = CustomerStats.objects.get(customer=customer)
    assert (stats.orders_count, stats.total_spend) == (2, Decimal("42.50"))
    # Who erased whom, when and why, for the customer and the merged older record.
    erasure = Erasure.objects.get(customer=customer)
    assert erasure.erased_by == admin_user and erasure.reason == "Request by letter of 2026-05-01"
    assert Erasure.objects.filter(customer=person["duplicate"]).exists()
    assert customer.changes.filter(field="erased", changed_by=admin_user).exists()
    assert Interaction.objects.filter(customer=customer).count() == 1
    assert not FollowUp.objects.filter(customer=customer, done_at__isnull=True).exists()
    # The file that named the person is gone and its job can no longer run; the other stays.
    job, other = (
        ImportJob.objects.get(pk=person["job"].pk),
        ImportJob.objects.get(pk=person["other"].pk),
    )
    assert not job.file and other.file and Path(other.file.path).exists()


@pytest.mark.django_db(transaction=True)
def test_a_replayed_api_request_no_longer_returns_the_person(person, admin_user):
    erase_customer(admin_user, person["customer"], "Asked on the phone")
    replay = api_create(person["client"], "create-zw", person["body"])
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    text = json.dumps(replay.json(), ensure_ascii=False)
    assert found_in(text) == [] and replay.json()["id"] == person["customer"].pk
    assert IdempotencyKey.objects.count() == 1  # kept: a retry must not create anew


def test_reason_is_required_and_erasing_twice_is_refused(admin_user, rep, make_customer):
    customer = make_customer(rep, name="Wang Fang")
    client = Client()
    client.force_login(admin_user)
    url = reverse("customers:erase", args=[customer.pk])
    response = client.post(url, {"reason": "  ", "confirm": "on"})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(url, {"reason": "Request"})
    assert response.context["form"].errors["confirm"]
    customer.refresh_from_db()
    assert customer.name == "Wang Fang" and not Erasure.objects.exists()

    erase_customer(admin_user, customer, "Request")
    response = client.post(url, {"reason": "Again", "confirm": "on"})
    assert "already erased" in response.content.decode()
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin_user", 200), ("manager", 403), ("rep", 403), ("agent", 403)],
)
def test_only_admins_may_erase(request, role, expected, rep, make_customer):
    customer = make_customer(rep)
    client = Client()
    client.force_login(request.getfixturevalue(role))
    url = reverse("customers:erase", args=[customer.pk])
    assert client.get(url).status_code == expected
    if expected == 403:
        assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
        assert not Erasure.objects.exists()


def test_command_erases_and_records_the_user(admin_user, rep, make_customer):
    customer = make_customer(rep, name="Zhao Lei", email="zl@example.com")
    with pytest.raises(CommandError, match="Say why"):
        call_command("erase_customer", str(customer.pk), "--reason", "  ")
    assert not Erasure.objects.exists()
    out = io.StringIO()
    call_command(
        "erase_customer", str(customer.pk), "--reason", "Letter", "--user", "admin", stdout=out
    )
    customer.refresh_from_db()
    assert customer.email == "" and Erasure.objects.get().erased_by == admin_user
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase_customer", str(customer.pk), "--reason", "Again")
    with pytest.raises(CommandError, match="No customer"):
        call_command("erase_customer", "999999", "--reason", "Letter")


def test_history_values_are_blanked_but_who_and_when_stay(admin_user, rep, make_customer):
    customer = make_customer(rep, name="Sun Li", mobile="13911112222")
    update_customer(rep, customer, {"mobile": "13933334444"})
    erase_customer(None, customer, "Request")
    rows = ProfileChange.objects.filter(customer=customer, field="mobile")
    assert [(r.changed_by, r.old_value, r.new_value) for r in rows] == [(rep, "", "")]
    assert Erasure.objects.get().erased_by is None


def test_erase_page_and_refusal_speak_the_users_language(admin_user, rep, make_customer):
    admin_user.language = "zh-hans"
    admin_user.save()
    customer = make_customer(rep)
    client = Client()
    client.force_login(admin_user)
    url = reverse("customers:erase", args=[customer.pk])
    assert "删除个人信息" in client.get(url).content.decode()
    erase_customer(admin_user, customer, "Request")
    response = client.post(url, {"reason": "Again", "confirm": "on"})
    assert "该客户的个人信息已被删除" in response.content.decode()
