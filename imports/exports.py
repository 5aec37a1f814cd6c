"""Take data out as CSV or XLSX: every export is recorded by one recorder, and large ones
are written by the worker with progress and a download link.

What may be taken out is a registry of export sources: customers (with purchase summary
and tags) and orders here; higher apps add theirs in ready() (insights: the returning
customers, the key figures). Each source reads its filter back from the record, so the
file holds exactly what the record says was asked for.

When an export runs in the background (one rule, `runs_in_background`): an XLSX file
always (the workbook is assembled whole before a byte can be sent); a CSV when it holds
more than EXPORT_STREAM_ROWS rows. A smaller CSV streams in the request that asked for it.

Rows are read in keyset pages of PAGE customers and written as they come, so a million
customers never sit in memory. Every customer export passes the one access rule
(filter_customers).
"""

import csv
import datetime
import io
import logging
import os
import secrets
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db.models import Min, Sum
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.access import can_export
from accounts.models import User
from core.chunks import chunked
from core.errors import Forbidden, NotFound
from core.registry import Registry
from customers.models import Customer, Gender, Language
from customers.models import Kind as CustomerKind
from customers.services import CustomerFilter, filter_customers
from imports import progress as progress_store
from imports.cells import neutralise
from imports.mapping import CUSTOMER_FIELDS, ORDER_FIELDS
from imports.models import ExportFormat, ExportRecord, ExportStatus, Kind, exports_dir
from sales.models import Order, OrderLine, OrderStatus

logger = logging.getLogger(__name__)

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
    "language",
    "time_zone",
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


class ExportDenied(Forbidden):
    """The user's role may not take this data out (403)."""


@dataclass(frozen=True)
class Selection:
    """What one export takes out: how many data rows, and the rows (header first), lazily."""

    count: int
    rows: Iterator[list[Any]]


@dataclass(frozen=True)
class ExportSource:
    """One kind of data that may be taken out as a file.

    `select` reads the filter as the record keeps it (JSON values) and applies the access
    rule for the user; `allowed` says whether the user's role may export it at all.
    """

    label: str | Promise
    file_stem: str
    select: Callable[[User, Mapping[str, Any]], Selection]
    allowed: Callable[[User], bool] = can_export
    formats: tuple[str, ...] = field(default=tuple(ExportFormat.values))


def any_role(user: User) -> bool:
    """Let every role take out a source whose `select` already keeps to what the user may
    see and which holds no one's personal data beyond that (counts, rates, their own rows)."""
    return True


sources: Registry[ExportSource] = Registry("export sources")
SCOPE = "exports"  # the progress store's name space of export jobs
PROGRESS_EVERY = 1000  # rows between two progress reports


def stream_limit() -> int:
    """Return the most rows a CSV may hold and still stream in the request."""
    return int(getattr(settings, "EXPORT_STREAM_ROWS", 2000))


def runs_in_background(file_format: str, rows: int) -> bool:
    """Return whether the export is written by the worker: XLSX always, CSV when large."""
    return file_format == ExportFormat.XLSX or rows > stream_limit()


def source_of(kind: str) -> ExportSource:
    """Return the registered source of the kind."""
    source = sources.get(kind)
    if source is None:
        raise NotFound(_("There is no such export."))
    return source


def label_of(record: ExportRecord) -> str:
    """Return what the record took out, in words of the active language."""
    source = sources.get(record.kind)
    return str(source.label) if source is not None else record.kind


def file_name(record: ExportRecord) -> str:
    """Return the name the downloaded file gets: what, the day asked for, the suffix."""
    source = sources.get(record.kind)
    stem = source.file_stem if source is not None else record.kind
    day = timezone.localdate(record.created_at)
    return f"{stem}-{day:%Y%m%d}.{FORMATS[ExportFormat(record.file_format)][1]}"


def _jsonable(filters: CustomerFilter | Mapping[str, Any]) -> dict[str, Any]:
    values = asdict(filters) if isinstance(filters, CustomerFilter) else dict(filters)
    return {k: (str(v) if isinstance(v, Decimal | datetime.date) else v) for k, v in values.items()}


def record_export(
    user: User | None,
    kind: str,
    file_format: str,
    filters: CustomerFilter | Mapping[str, Any],
    rows: int,
    status: str = ExportStatus.SENT,
) -> ExportRecord:
    """Record who took which data out, with the filter and row count, before any byte goes.

    The one recorder: every export, streamed or written by the worker, is created here.
    `user` is None for an export from the command line; `filters` is a list's filter or
    what else chose the rows (one customer's data: {"customer_id": ...}).
    """
    return ExportRecord.objects.create(
        kind=kind,
        file_format=file_format,
        created_by=user,
        filters=_jsonable(filters),
        row_count=rows,
        status=status,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@dataclass(frozen=True)
class StartedExport:
    """An export just asked for: its record, and its rows when it streams now."""

    record: ExportRecord
    rows: Iterator[list[Any]] | None


def start_export(
    user: User, kind: str, file_format: str, filters: CustomerFilter | Mapping[str, Any]
) -> StartedExport:
    """Check access, record the export, and return the rows to stream or a queued job.

    A queued job is run by run_job (imports.tasks.run_export, after the commit).
    """
    source = source_of(kind)
    if not source.allowed(user):
        raise ExportDenied(_("Your role may not export this data."))
    if file_format not in source.formats:
        raise NotFound(_("This export is not offered in that format."))
    values = _jsonable(filters)
    selection = source.select(user, values)
    if runs_in_background(file_format, selection.count):
        record = record_export(
            user, kind, file_format, values, selection.count, ExportStatus.QUEUED
        )
        progress_store.report(record.pk, ExportStatus.QUEUED, 0, selection.count, SCOPE)
        return StartedExport(record, None)
    record = record_export(user, kind, file_format, values, selection.count)
    return StartedExport(record, selection.rows)


def visible_exports(user: User) -> Any:
    """Return the user's own exports: a file is served only to the user who asked for it."""
    return ExportRecord.objects.filter(created_by=user)


def export_for(user: User, pk: int) -> ExportRecord:
    """Return one of the user's own exports, or refuse as if it did not exist."""
    record = visible_exports(user).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("There is no such export."))
    return record


def progress_of(record: ExportRecord) -> dict[str, Any]:
    """Return how far an export is: rows done, rows in all, percent, and whether it was
    interrupted (its worker stopped reporting)."""
    report = progress_store.read(record.pk, SCOPE)
    done = int(report.get("done", 0)) if report else 0
    if record.status == ExportStatus.DONE:
        done = record.row_count
    total = max(record.row_count, done, 1)
    at = report.get("at") if report else None
    last = datetime.datetime.fromtimestamp(at, tz=datetime.UTC) if at else None
    interrupted = record.is_stale(timezone.now(), last)
    return {
        "done": done,
        "total": total,
        "percent": min(100, int(100 * done / total)),
        "interrupted": interrupted,
        "running": record.is_running and not interrupted,
    }


def run_job(record_id: int, on_progress: Callable[[int, int], None] | None = None) -> ExportRecord:
    """Write a queued export's file in the worker, reporting progress; record the outcome.

    Run at most once: of two deliveries of the same task only the first moves the record
    from queued to running. The file is written under a temporary name and renamed when
    complete, so a killed worker never leaves a file that looks finished.
    """
    started = timezone.now()
    claimed = ExportRecord.objects.filter(pk=record_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=started
    )
    record = ExportRecord.objects.select_related("created_by").get(pk=record_id)
    if not claimed:
        return record

    def report(done: int) -> None:
        progress_store.report(record.pk, ExportStatus.RUNNING, done, record.row_count, SCOPE)
        if on_progress is not None:
            on_progress(done, record.row_count)

    report(0)
    try:
        with translation.override(record.language or settings.LANGUAGE_CODE):
            name, written = _write(record, report)
    except ExportDenied as denied:
        return _finish(record, ExportStatus.FAILED, message=denied.message)
    except Exception as error:
        # The error's message may quote a customer's data: the log keeps its type and where.
        where = traceback.extract_tb(error.__traceback__)[-1]
        logger.error(
            "Export %s failed: %s at %s:%s",
            record.pk,
            type(error).__name__,
            where.filename,
            where.lineno,
        )
        return _finish(record, ExportStatus.FAILED, message=_("The file could not be written."))
    return _finish(record, ExportStatus.DONE, file=name, row_count=written)


def _finish(record: ExportRecord, status: str, **values: Any) -> ExportRecord:
    values = {"status": status, "finished_at": timezone.now(), **values}
    ExportRecord.objects.filter(pk=record.pk).update(**values)
    progress_store.clear(record.pk, SCOPE)
    record.refresh_from_db()
    return record


def _write(record: ExportRecord, report: Callable[[int], None]) -> tuple[str, int]:
    """Write the record's file; return its name in the exports folder and the data rows."""
    source = source_of(record.kind)
    user = record.created_by
    # A job is always asked for by a user (only the command line's ZIP has none, and it is
    # written at once); the role may have changed since the click.
    if user is None or not source.allowed(user):
        raise ExportDenied(_("Your role may not export this data."))
    selection = source.select(user, record.filters)
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = FORMATS[ExportFormat(record.file_format)][1]
    name = f"{record.pk}-{secrets.token_hex(8)}.{suffix}"
    partial = folder / f"{name}.part"
    counted = _Counted(selection.rows, report)
    try:
        with open(partial, "wb") as target:
            if record.file_format == ExportFormat.XLSX:
                write_xlsx(counted, target)
            else:
                for chunk in csv_chunks(counted, encoding_of(record.file_format)):
                    target.write(chunk)
        os.replace(partial, folder / name)
    finally:
        partial.unlink(missing_ok=True)
    return name, counted.data_rows


class _Counted:
    """The rows, passed on one by one, with a progress report every PROGRESS_EVERY rows."""

    def __init__(self, rows: Iterator[list[Any]], report: Callable[[int], None]) -> None:
        self.rows = rows
        self.report = report
        self.data_rows = 0

    def __iter__(self) -> Iterator[list[Any]]:
        for number, row in enumerate(self.rows):
            self.data_rows = number  # the first row is the header
            if number and number % PROGRESS_EVERY == 0:
                self.report(number)
            yield row


def encoding_of(file_format: str) -> str:
    """Return the text encoding of a CSV format."""
    return "gb18030" if file_format == ExportFormat.CSV_GB18030 else "utf-8"


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
        "language",
        "time_zone",
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


def customer_filter(values: Mapping[str, Any]) -> CustomerFilter:
    """Return the customer list filter an export record keeps (JSON values) as typed values."""
    known = {f.name: values[f.name] for f in fields(CustomerFilter) if f.name in values}
    for name in ("last_purchase_from", "last_purchase_to"):
        if known.get(name):
            known[name] = datetime.date.fromisoformat(known[name])
    for name in ("spend_min", "spend_max"):
        if known.get(name) is not None:
            known[name] = Decimal(known[name])
    return CustomerFilter(**known)


def _customers(user: User, values: Mapping[str, Any]) -> Any:
    return filter_customers(user, customer_filter(values)).order_by("pk")


def select_customers(user: User, values: Mapping[str, Any]) -> Selection:
    """Return the customers of the list filter that the user may see, with summary and tags."""
    customers = _customers(user, values)
    return Selection(customers.count(), _customer_rows(customers))


def select_orders(user: User, values: Mapping[str, Any]) -> Selection:
    """Return the orders of the customers of the list filter that the user may see."""
    orders = Order.objects.filter(customer__in=_customers(user, values).values("pk"))
    return Selection(orders.count(), _order_rows(orders))


def register() -> None:
    """Offer customers and orders for export (in ImportsConfig.ready())."""
    sources.register(
        Kind.CUSTOMERS, ExportSource(gettext_lazy("Customers"), "customers", select_customers)
    )
    sources.register(
        Kind.ORDERS, ExportSource(gettext_lazy("Orders"), "orders", select_orders), order=20
    )


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
    languages = _labels(Language.choices)
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
                languages.get(c["language"], c["language"]),
                c["time_zone"],
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


def csv_chunks(rows: Iterable[list[Any]], encoding: str) -> Iterator[bytes]:
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


def write_xlsx(rows: Iterable[list[Any]], target: IO[bytes]) -> None:
    """Write the rows as an XLSX workbook: dates as dates, amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    book.save(target)


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        # A worksheet cannot hold control characters (openpyxl refuses the whole file):
        # text stored before they were refused, or by a path that did not check, loses them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


FORMATS = {
    ExportFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    ExportFormat.CSV_GB18030: ("text/csv; charset=gb18030", "csv"),
    ExportFormat.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}
