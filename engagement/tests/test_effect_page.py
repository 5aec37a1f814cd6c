"""The care-effect page, its CSV, and the response mark on the customer's timeline."""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from engagement.models import MessageResponse
from engagement.tests.effect_data import build
from imports.models import ExportRecord

PAGE = "/engagement/care-effect/"
MARCH = {"start": "2026-03", "end": "2026-03"}


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


@pytest.fixture
def example(rep: Any, make_customer: Any, make_order: Any, settings: Any) -> Any:
    settings.CARE_EFFECT_MIN_GROUP = 3
    return build(rep, make_customer, make_order)


def test_page_shows_each_column_formatted(
    example: Any, rep: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(rep)
    # Session and user, the range, the messages, one month of uncontacted customers; on
    # PostgreSQL a savepoint and "jit off" besides.
    with django_assert_max_num_queries(14):
        response = client.get(PAGE, MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Care effect" in html and 'id="effect-table"' in html
    rows = response.context["rows"]
    birthday = next(r for r in rows if r["care_type"] == "Birthday")
    assert (birthday["month"], birthday["channel"], birthday["sent"]) == ("March 2026", "SMS", "3")
    assert birthday["replies"] == "1 (33.3%)"
    assert birthday["satisfaction"] == "—"
    assert "-6.7 pp: 33.3% vs 40.0% (3 contacted, 5 similar)" in html
    assert "+40.0 pp: 100.0% vs 60.0% (3 contacted, 5 similar)" in html
    assert "Too few to compare (0 contacted, 0 similar)" in html
    assert [c["id"] for c in response.context["charts"]] == ["care-activity", "care-lift"]
    assert 'data-chart="care-lift"' in html


def test_page_in_chinese(example: Any, rep: Any) -> None:
    html = client_for(rep, "zh-hans").get(PAGE, MARCH).content.decode()
    assert "关怀效果" in html and "生日" in html and "个百分点" in html


def test_each_role_sees_its_customers(
    example: Any, manager: Any, other_rep: Any, admin_user: Any
) -> None:
    assert len(client_for(manager).get(PAGE, MARCH).context["rows"]) == 2
    assert len(client_for(admin_user).get(PAGE, MARCH).context["rows"]) == 2
    response = client_for(other_rep).get(PAGE, MARCH)
    assert response.context["rows"] == [] and 'id="no-care"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-05", "end": "2026-04"}, "end"),
        ({"start": "2026-13", "end": "2026-04"}, "start"),
        ({"start": "2024-01", "end": "2026-01"}, "start"),
        ({"start": "2026-01", "end": "2099-01"}, "end"),
    ],
)
def test_bad_month_range_is_refused_naming_the_field(
    rep: Any, query: dict[str, str], field: str
) -> None:
    response = client_for(rep, "zh-hans").get(PAGE, query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'data-field="{field}"' in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_default_range_is_the_last_six_months(rep: Any) -> None:
    response = client_for(rep).get(PAGE)
    assert response.status_code == 200
    form = response.context["form"]
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 5


def test_csv_goes_through_the_export_recorder(example: Any, manager: Any) -> None:
    response = client_for(manager).get(PAGE, {**MARCH, "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:4] == ["Month", "Care type", "Channel", "Messages sent"]
    birthday = next(row for row in table[1:] if row[1] == "Birthday")
    assert birthday[:8] == ["2026-03", "Birthday", "SMS", "3", "0.15", "1", "0", ""]
    assert birthday[8:14] == ["0.3333", "0.4", "-6.67", "3", "5", "compared"]
    record = ExportRecord.objects.get()
    assert (record.kind, record.created_by) == ("care_effect", manager)


def test_rep_marks_a_response_on_the_timeline(example: Any, rep: Any, other_rep: Any) -> None:
    message = example.messages[0]
    customer_page = f"/customers/{message.customer_id}/"
    client = client_for(rep)
    assert 'value="positive"' in client.get(customer_page).content.decode()
    url = f"/engagement/messages/{message.pk}/response/"
    assert client.post(url, {"mark": "positive"}).status_code == 302
    assert MessageResponse.objects.get(message=message).mark == "positive"
    html = client.get(customer_page).content.decode()
    assert 'class="btn btn-sm py-0 btn-success" aria-pressed="true"' in html
    assert client_for(other_rep).post(url, {"mark": "negative"}).status_code == 404
    assert client.post(url, {"mark": "maybe"}).status_code == 422
    assert MessageResponse.objects.get(message=message).mark == "positive"
    rows = client.get(PAGE, MARCH).context["rows"]
    assert next(r for r in rows if r["care_type"] == "Birthday")["positive"] == "1 (33.3%)"
