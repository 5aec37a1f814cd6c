"""One person's data as a ZIP of JSON and CSV (issue 10, item 27): complete, recorded, guarded."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from customers.models import Tag, TagGroup
from customers.services import set_consent, set_tags, update_customer
from imports.models import ExportFormat, ExportRecord
from insights.models import ChurnWarning, CustomerScore, RunStatus, ScoreRun
from interactions.services import create_follow_up, log_interaction

SECTIONS = {
    "profile", "history", "consents", "tags", "orders", "order_lines", "purchase_summary",
    "interactions", "follow_ups", "messages", "life_events", "scores", "churn_warnings", "tickets",
    "ticket_steps", "surveys", "referral_codes", "referrals", "reservations",
}  # fmt: skip


@pytest.fixture
def customer(rep, make_customer, make_order):
    customer = make_customer(rep, name="Zhou Min", mobile="13955556666", email="zm@example.com")
    update_customer(rep, customer, {"address": "1 Jazz Lane"})
    set_tags(
        rep, customer, [Tag.objects.create(group=TagGroup.objects.create(name="T"), name="=Vip")]
    )
    set_consent(rep, customer, "sms", False, source="phone")
    make_order(customer, datetime.date(2026, 2, 1), "30.00")
    log_interaction(
        rep, customer, {"kind": "phone", "summary": "Asked about jazz", "next_contact_on": None}
    )
    create_follow_up(rep, customer, datetime.date(2030, 1, 1), "call back")
    run = ScoreRun.objects.create(as_of=datetime.date(2026, 3, 1), status=RunStatus.SUCCEEDED)
    score = CustomerScore.objects.create(
        run=run, customer=customer, purchase_count=1, first_purchase_on=datetime.date(2026, 2, 1),
        last_purchase_on=datetime.date(2026, 2, 1), revenue=30, is_returning=False,
        typical_interval_days=None, p_alive=1.0, churn_risk=0.5, expected_purchases_30=0.1,
        expected_purchases_90=0.2, expected_purchases_365=0.5, expected_spend=30.0, clv=12.0,
        value_tier="A", r_score=3, f_score=1, m_score=2, segment="promising",
    )  # fmt: skip
    ChurnWarning.objects.create(
        run=run, customer=customer, score=score, reasons=[], value_at_risk=6.0
    )
    return customer


def read_zip(content: bytes) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    document = json.loads(archive.read("customer.json"))
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8-sig")
            tables[name.removesuffix(".csv")] = list(csv.DictReader(io.StringIO(text)))
    return document, tables


def test_zip_holds_every_section_in_json_and_csv_and_is_recorded(manager, customer):
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("imports:customer_data", args=[customer.pk]))
    assert response.status_code == 200
    assert f"customer-{customer.pk}-personal-data.zip" in response["Content-Disposition"]
    document, tables = read_zip(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert set(document["sections"]) == SECTIONS == set(tables)
    profile = document["sections"]["profile"][0]
    assert (profile["name"], profile["mobile"], profile["address"]) == (
        "Zhou Min",
        "13955556666",
        "1 Jazz Lane",
    )
    assert tables["tags"] == [{"group": "T", "tag": "'=Vip"}]  # a formula is never run by Excel
    assert {row["field"] for row in tables["history"]} >= {
        "created",
        "address",
        "tags",
        "consent_sms",
    }
    assert tables["consents"][0]["granted"] == "false"
    assert len(tables["orders"]) == len(tables["order_lines"]) == 1
    assert tables["interactions"][0]["summary"] == "Asked about jazz"
    assert tables["follow_ups"][0]["note"] == "call back"
    assert tables["scores"][0]["segment"] == "promising" and len(tables["churn_warnings"]) == 1
    record = ExportRecord.objects.get()
    assert (record.created_by, record.file_format, record.filters) == (
        manager,
        ExportFormat.ZIP,
        {"customer_id": customer.pk},
    )
    assert record.row_count == sum(len(rows) for rows in document["sections"].values())


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin_user", 200), ("manager", 200), ("rep", 403), ("teammate", 403), ("agent", 403),
     ("other_rep", 403)],
)  # fmt: skip
def test_only_managers_and_admins_may_export(request, role, expected, customer):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("imports:customer_data", args=[customer.pk]))
    assert response.status_code == expected
    assert ExportRecord.objects.count() == (1 if expected == 200 else 0)
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    if page.status_code == 200:
        assert (b'id="export-personal-data"' in page.content) == (expected == 200)
        assert (b'id="erase-personal-data"' in page.content) == (role == "admin_user")


def test_a_manager_of_another_team_gets_404(other_team, customer):
    from conftest import make_user

    stranger = make_user("west_manager", "manager", other_team)
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("imports:customer_data", args=[customer.pk])).status_code == 404
    assert not ExportRecord.objects.exists()


def test_command_writes_the_zip_and_records_it(customer, tmp_path: Path):
    target = tmp_path / "out.zip"
    call_command(
        "export_customer_data", str(customer.pk), "--output", str(target), stdout=io.StringIO()
    )
    document, _tables = read_zip(target.read_bytes())
    assert document["customer_id"] == customer.pk
    assert ExportRecord.objects.get().created_by is None
    with pytest.raises(CommandError, match="No customer"):
        call_command("export_customer_data", "999999", "--output", str(target))
    with pytest.raises(CommandError, match="managers and admins"):
        call_command(
            "export_customer_data", str(customer.pk), "--output", str(target), "--user", "rep"
        )
