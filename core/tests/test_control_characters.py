"""Control characters and NUL bytes are refused everywhere text comes in (issue 10, items 2-3).

Forms, API bodies and query strings answer a clear error naming the field, in the user's
language, and write nothing; stored text with them still exports; logs carry no data.
"""

import importlib
import inspect
import io
import logging
import sys

import openpyxl
import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from ninja import Schema

from core.forms import CheckedTextMixin
from core.logs import RedactingFormatter
from core.schemas import Input
from customers.models import Customer
from imports.models import ExportRecord
from interactions.models import Interaction
from sales.models import Order, Product

pytestmark = pytest.mark.django_db

APPS = ("accounts", "customers", "sales", "interactions", "imports", "insights")
REFUSAL = "control character"
REFUSAL_ZH = "控制字符"


def api_client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("module", [f"{app}.forms" for app in APPS])
def test_every_form_with_text_refuses_control_characters(module):
    """The check is generic: every form class of every app carries the mixin."""
    found = inspect.getmembers(importlib.import_module(module), inspect.isclass)
    for name, cls in found:
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module:
            assert issubclass(cls, CheckedTextMixin), f"{module}.{name}"


@pytest.mark.parametrize("module", [f"{app}.api" for app in APPS if app not in ("imports",)])
def test_every_input_schema_refuses_control_characters(module):
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError:
        pytest.skip("no API")
    for name, cls in inspect.getmembers(loaded, inspect.isclass):
        reads = name.endswith(("In", "Patch", "Query"))
        if issubclass(cls, Schema) and cls.__module__ == module and reads:
            assert issubclass(cls, Input), f"{module}.{name}"


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f"])
def test_the_customer_form_refuses_a_control_character_in_the_name(rep, character):
    client = api_client(rep)
    data = {
        "kind": "person",
        "name": f"A{character}B",
        "owner": rep.pk,
        "birthday_calendar": "solar",
    }
    page = client.post(reverse("customers:create"), data)
    assert page.status_code == 200
    assert REFUSAL in page.context["form"].errors["name"][0]
    assert not Customer.objects.exists()


def test_the_form_keeps_tabs_and_line_breaks(rep):
    client = api_client(rep)
    data = {
        "kind": "person", "name": "Li Lei", "owner": rep.pk, "birthday_calendar": "solar",
        "notes": "line one\r\nline\ttwo",
    }  # fmt: skip
    page = client.post(reverse("customers:create"), data)
    assert page.status_code == 302
    assert Customer.objects.get().notes == "line one\r\nline\ttwo"


def test_the_order_form_refuses_nul_before_looking_the_number_up(rep, make_customer, product):
    customer = make_customer(rep)
    data = {
        "number": "SO\x001", "ordered_on": "2024-01-05", "channel": "",
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "1000", "form-0-product": product.pk, "form-0-quantity": "1",
        "form-0-unit_price": "10", "form-0-discount": "0",
    }  # fmt: skip
    page = api_client(rep).post(reverse("sales:order_create", args=[customer.pk]), data)
    assert page.status_code == 200
    assert REFUSAL in page.context["form"].errors["number"][0]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/customers", {"name": "A\x01B"}, "name"),
        ("/api/v1/customers", {"name": "A", "notes": "x\x00y"}, "notes"),
        ("/api/v1/products", {"sku": "SKU\x00", "name": "N", "list_price": "1.00"}, "sku"),
    ],
)
def test_the_api_refuses_control_characters_naming_the_field(admin_user, rep, path, body, field):
    if path.endswith("customers"):
        body = {**body, "owner_id": rep.pk}
    response = api_client(admin_user).post(path, body, content_type="application/json")
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and REFUSAL in errors[0]["message"]
    assert not Customer.objects.exists() and not Product.objects.exists()


def test_an_interaction_summary_with_nul_is_a_422_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    response = api_client(rep, "zh-hans").post(
        f"/api/v1/customers/{customer.pk}/interactions",
        {"kind": "call", "summary": "a\x00b"},
        content_type="application/json",
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "summary" and REFUSAL_ZH in error["message"]
    assert not Interaction.objects.exists()


def test_an_order_number_and_a_sku_with_nul_are_422s_naming_them(rep, make_customer, product):
    customer = make_customer(rep)
    order = {
        "number": "SO\x00-1", "customer_id": customer.pk, "ordered_on": "2024-01-05",
        "lines": [{"sku": "CD\x00", "quantity": 1, "unit_price": "1.00"}],
    }  # fmt: skip
    response = api_client(rep).post(
        "/api/v1/orders/bulk", {"orders": [order]}, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )  # fmt: skip
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "orders[0].number", "orders[0].lines[0].sku"
    }  # fmt: skip
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/customers/?q=a%00b",
        "/customers/?region=a%00b",
        "/api/v1/customers?q=a%00b",
        "/api/v1/customers?region=%00",
        "/api/v1/products?q=a%00b",
        "/imports/export/customers/?q=%00",
    ],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(manager, path):
    response = api_client(manager).get(path)
    assert response.status_code == 400
    name = path.split("?")[1].split("=")[0]
    text = response.content.decode()
    assert name in text and "NUL" in text


def test_the_query_refusal_speaks_chinese(rep):
    response = api_client(rep, "zh-hans").get("/api/v1/customers?q=%00")
    assert response.status_code == 400
    assert "空字符" in response.json()["errors"][0]["message"]


def test_an_xlsx_export_of_stored_control_characters_succeeds(
    manager, rep, make_customer, immediate_queue, django_capture_on_commit_callbacks
):
    """Text stored before the check (or by a path without it) never breaks an export."""
    customer = make_customer(rep, name="Wang")
    Customer.objects.filter(pk=customer.pk).update(name="Wang\x01Fang", notes="a\x08b\x1bc")
    client = api_client(manager)
    # An XLSX export is written by the worker (immediate in tests); the page leads to it.
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(reverse("imports:export_customers"), {"format": "xlsx"})
    assert asked.status_code == 302
    record = ExportRecord.objects.get(created_by=manager)
    assert record.status == "done", record.message
    response = client.get(reverse("imports:export_download", args=[record.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["WangFang"]


def test_log_lines_name_the_error_but_never_quote_its_data():
    personal = "王芳 13900001111"
    try:
        try:
            raise KeyError(personal)
        except KeyError as inner:
            raise ValueError(f"{personal!r} cannot be used in worksheets.") from inner
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
            ("/imports/export/customers/",), sys.exc_info(),
        )  # fmt: skip
    line = RedactingFormatter().format(record)
    assert "builtins.ValueError" in line and "builtins.KeyError" in line
    assert "test_control_characters.py" in line  # the frames stay
    assert "王芳" not in line and "13900001111" not in line


def test_the_configured_log_handler_redacts():
    handlers = logging.getLogger().handlers
    assert any(isinstance(h.formatter, RedactingFormatter) for h in handlers)


def test_a_datetime_moved_into_year_zero_by_its_offset_is_a_422(rep, make_customer):
    customer = make_customer(rep)
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        response = api_client(rep).post(
            f"/api/v1/customers/{customer.pk}/interactions",
            {"kind": "call", "summary": "hi", "occurred_at": moment},
            content_type="application/json",
        )
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == "occurred_at"
    assert not Interaction.objects.exists()
