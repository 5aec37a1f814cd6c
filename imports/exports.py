"""Take customers (with purchase summary and tags) and orders out as CSV or XLSX.

Exports stream: rows are read in keyset pages of PAGE customers and written as they come,
so a million customers never sit in memory. Every export passes the one access rule
(filter_customers) and is recorded.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import IO, Any

from django.db.models import Min, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import can_export
from accounts.models import User
from core.chunks import chunked
from customers.models import Customer, Gender
from customers.models import Kind as CustomerKind
from customers.services import CustomerFilter, filter_customers
from imports.cells import neutralise
from imports.mapping import CUSTOMER_FIELDS, ORDER_FIELDS
from imports.models import ExportFormat, ExportRecord, Kind
from sales.models import Order, OrderLine, OrderStatus

PAGE = 5000
# Ids per IN list: SQLite allows 999 bound variables in old builds.
CUSTOMER_VALUES = (
    "id",
    "external_id",
    "name",
    "kind",
    "gender",
    "mobile",
    "email",
    "wechat_id",
    "company",
    "title",
    "birthday",
    "region",
    "city",
    "address",
    "source_channel",
    "owner__username",
    "notes",
    "stats__first_purchase_on",
    "stats__last_purchase_on",
    "stats__orders_count",
    "stats__total_spend",
)
SUMMARY_LABELS: tuple[Promise, ...] = (
    gettext_lazy("First purchase"),
    gettext_lazy("Last purchase"),
    gettext_lazy("Orders"),
    gettext_lazy("Total spend"),
)
ORDER_VALUES = (
    "id",
    "number",
    "customer__external_id",
    "customer__mobile",
    "customer__name",
    "ordered_on",
    "amount",
    "status",
    "channel",
)


class ExportDenied(Exception):
    """Raised when the user's role may not take customer data out."""


def customer_headers() -> list[str]:
    """Return the customer columns in the active language; the importer maps them back."""
    labels = {spec.name: str(spec.label) for spec in CUSTOMER_FIELDS}
    fields = (
        "id",
        "external_id",
        "name",
        "kind",
        "gender",
        "mobile",
        "email",
        "wechat_id",
        "company",
        "title",
        "birthday",
        "region",
        "city",
        "address",
        "source_channel",
        "owner",
        "tags",
        "notes",
    )
    return [labels[name] for name in fields] + [str(label) for label in SUMMARY_LABELS]


def order_headers() -> list[str]:
    labels = {spec.name: str(spec.label) for spec in ORDER_FIELDS}
    fields = (
        "number",
        "customer_external_id",
        "customer_mobile",
        "customer_name",
        "ordered_on",
        "product",
        "quantity",
        "amount",
        "status",
        "channel",
    )
    return [labels[name] for name in fields]


def _customers(user: User, filters: CustomerFilter) -> Any:
    if not can_export(user):
        raise ExportDenied(_("Your role may not export customer data."))
    return filter_customers(user, filters).order_by("pk")


def record_export(
    user: User, kind: str, file_format: str, filters: CustomerFilter, rows: int
) -> ExportRecord:
    """Record who took which data out, with the filter, before the file is sent."""
    values = {
        k: (str(v) if isinstance(v, Decimal | datetime.date) else v)
        for k, v in asdict(filters).items()
    }
    return ExportRecord.objects.create(
        kind=kind, file_format=file_format, created_by=user, filters=values, row_count=rows
    )


def start_export(
    user: User, kind: str, file_format: str, filters: CustomerFilter
) -> Iterator[list[Any]]:
    """Check access, record the export and return its rows (header first)."""
    customers = _customers(user, filters)
    if kind == Kind.CUSTOMERS:
        record_export(user, kind, file_format, filters, customers.count())
        return _customer_rows(customers)
    orders = Order.objects.filter(customer__in=customers.values("pk"))
    record_export(user, kind, file_format, filters, orders.count())
    return _order_rows(orders)


def _pages(queryset: Any, fields: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    """Yield the rows in pages by primary key: each page is one indexed range query."""
    last = 0
    while page := list(queryset.filter(pk__gt=last).order_by("pk").values(*fields)[:PAGE]):
        yield page
        last = page[-1]["id"]


def _labels(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def _customer_rows(customers: Any) -> Iterator[list[Any]]:
    yield customer_headers()
    kinds, genders = _labels(CustomerKind.choices), _labels(Gender.choices)
    for page in _pages(customers, CUSTOMER_VALUES):
        tags = _tags([c["id"] for c in page])
        for c in page:
            yield [
                c["id"],
                c["external_id"] or "",
                c["name"],
                kinds.get(c["kind"], c["kind"]),
                genders.get(c["gender"], ""),
                c["mobile"],
                c["email"],
                c["wechat_id"],
                c["company"],
                c["title"],
                c["birthday"],
                c["region"],
                c["city"],
                c["address"],
                c["source_channel"],
                c["owner__username"],
                ", ".join(tags.get(c["id"], [])),
                c["notes"],
                c["stats__first_purchase_on"],
                c["stats__last_purchase_on"],
                c["stats__orders_count"] or 0,
                c["stats__total_spend"] or Decimal("0.00"),
            ]


def _tags(customer_ids: list[int]) -> dict[int, list[str]]:
    """Return the tag names of one page's customers, by name, a chunk of ids per query.

    By the page's ids, not the range between its first and last: a narrow filter's page
    spans most of the customers, and the range read every one's tags.
    """
    found: dict[int, list[str]] = {}
    for chunk in chunked(customer_ids):
        links = Customer.tags.through.objects.filter(customer_id__in=chunk).order_by("tag__name")
        for customer_id, name in links.values_list("customer_id", "tag__name"):
            found.setdefault(customer_id, []).append(name)
    return found


def _order_rows(orders: Any) -> Iterator[list[Any]]:
    yield order_headers()
    statuses = _labels(OrderStatus.choices)
    for page in _pages(orders, ORDER_VALUES):
        lines = _lines([o["id"] for o in page])
        for o in page:
            sku, quantity = lines.get(o["id"], ("", 1))
            yield [
                o["number"],
                o["customer__external_id"] or "",
                o["customer__mobile"],
                o["customer__name"],
                o["ordered_on"],
                sku,
                quantity,
                o["amount"],
                statuses.get(o["status"], o["status"]),
                o["channel"],
            ]


def _lines(order_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Return per order the SKU of its first line and the total quantity: one row per order."""
    found: dict[int, tuple[str, int]] = {}
    for chunk in chunked(order_ids):
        lines = OrderLine.objects.filter(order_id__in=chunk)
        rows = lines.values("order_id").annotate(first=Min("id"), quantity=Sum("quantity"))
        first_ids = {row["first"]: row for row in rows}
        skus = dict(
            OrderLine.objects.filter(id__in=list(first_ids)).values_list("id", "product__sku")
        )
        found.update(
            (row["order_id"], (skus.get(line_id, ""), row["quantity"]))
            for line_id, row in first_ids.items()
        )
    return found


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def csv_chunks(rows: Iterator[list[Any]], encoding: str) -> Iterator[bytes]:
    """Yield the rows as CSV bytes: UTF-8 with a BOM (Excel reads Chinese right) or GB18030."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield b"\xef\xbb\xbf" if encoding == "utf-8" else b""
    for count, row in enumerate(rows, start=1):
        writer.writerow([_text(value) for value in row])
        if count % 2000 == 0:
            yield _take(buffer).encode(encoding)
    yield _take(buffer).encode(encoding)


def _take(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def xlsx_file(rows: Iterator[list[Any]]) -> IO[bytes]:
    """Return a temporary XLSX file of the rows: dates as dates, amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    # Returned open: the response streams it and closes it, which deletes it.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(target)
    target.seek(0)
    return target


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


FORMATS = {
    ExportFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    ExportFormat.CSV_GB18030: ("text/csv; charset=gb18030", "csv"),
    ExportFormat.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}
