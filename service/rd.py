"""The R&D report: complaints and requests by product and category over the months, their
top phrases, and its CSV through imports' one export recorder."""

import datetime
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.templatetags.core import count
from imports import exports
from imports.cells import neutralise
from imports.models import ExportFormat
from insights.charts import GRID, chart
from service import numbers, phrases
from service.models import Kind, Ticket
from service.numbers_page import BAR_WIDTH, category_names, month_label

EXPORT_KIND = "service_rd"
KINDS = (Kind.COMPLAINT, Kind.REQUEST)
# The phrases are read from the newest tickets of the months, at most this many: their
# texts are read into Python, so a busy year costs a bounded, small read.
PHRASE_SAMPLE = 5000


@dataclass(frozen=True)
class Tally:
    """Tickets of one kind in one month for one product and category."""

    month: datetime.date
    kind: str
    product_id: int | None
    product: str
    category_id: int | None
    tickets: int


@dataclass(frozen=True)
class Report:
    start: datetime.date
    end: datetime.date
    counts: list[Tally]
    phrases: list[tuple[str, int]]
    sampled: int  # how many tickets' texts the phrases come from
    total: int


def tickets_in(tickets: Q, start: datetime.date, end: datetime.date) -> QuerySet[Ticket]:
    """Return the complaints and requests matching `tickets` opened from `start` to `end`."""
    since, until = numbers.period_bounds(start, end)
    return Ticket.objects.filter(tickets, kind__in=KINDS, opened_at__gte=since, opened_at__lt=until)


def counts(tickets: Q, start: datetime.date, end: datetime.date) -> list[Tally]:
    """Return the tickets per month, kind, product and category (the database counts)."""
    zone = timezone.get_current_timezone()
    groups = (
        tickets_in(tickets, start, end)
        .annotate(month=TruncMonth("opened_at", tzinfo=zone))
        .values("month", "kind", "product_id", "product__name", "category_id")
        .annotate(n=Count("pk"))
        .order_by("month", "kind", "product__name", "category_id")
    )
    return [
        Tally(
            _as_date(g["month"]),
            g["kind"],
            g["product_id"],
            g["product__name"] or "",
            g["category_id"],
            g["n"],
        )
        for g in groups
    ]


def _as_date(month: Any) -> datetime.date:
    return month.date() if isinstance(month, datetime.datetime) else month


def report(tickets: Q, start: datetime.date, end: datetime.date) -> Report:
    """Return the R&D report of the months from `start` to `end` over the tickets matching."""
    rows = counts(tickets, start, end)
    newest = tickets_in(tickets, start, end).order_by("-opened_at", "-pk")[:PHRASE_SAMPLE]
    texts = [f"{subject}\n{description}" for subject, description in newest.values_list(
        "subject", "description"
    )]  # fmt: skip
    return Report(
        start, end, rows, phrases.top_phrases(texts), len(texts), sum(r.tickets for r in rows)
    )


@dataclass(frozen=True)
class ProductRow:
    product_id: int | None
    product: str
    complaints: int
    requests: int
    last_month: datetime.date


def by_product(rows: list[Tally]) -> list[ProductRow]:
    """Return complaints and requests per product, most first."""
    totals: dict[tuple[int | None, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(
            (row.product_id, row.product), {Kind.COMPLAINT: 0, Kind.REQUEST: 0, "last": row.month}
        )
        total[row.kind] += row.tickets
        total["last"] = max(total["last"], row.month)
    result = [
        ProductRow(pid, name, t[Kind.COMPLAINT], t[Kind.REQUEST], t["last"])
        for (pid, name), t in totals.items()
    ]
    return sorted(result, key=lambda r: (-(r.complaints + r.requests), r.product))


def by_month_and_category(rows: list[Tally]) -> dict[int | None, dict[datetime.date, int]]:
    """Return the tickets per category and month."""
    result: dict[int | None, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        result[row.category_id][row.month] += row.tickets
    return result


# Charts ------------------------------------------------------------------------------------

TOP_CATEGORIES = 8  # series in the chart; the rest are drawn as one "other"
TOP_PRODUCTS = 10


def charts(report: Report) -> list[dict[str, Any]]:
    """Return the months by category (stacked) and the products most complained about."""
    return [_months_chart(report), _products_chart(report)]


def _months_chart(report: Report) -> dict[str, Any]:
    months = numbers.months(report.start, report.end)
    labels = [month_label(m) for m in months]
    per_category = by_month_and_category(report.counts)
    names = category_names()
    ranked = sorted(per_category, key=lambda c: -sum(per_category[c].values()))
    shown, rest = ranked[:TOP_CATEGORIES], ranked[TOP_CATEGORIES:]
    series = [
        (
            names.get(c, "") if c is not None else _("No category"),
            [per_category[c][m] for m in months],
        )
        for c in shown
    ]
    if rest:
        series.append(
            (_("Other categories"), [sum(per_category[c][m] for c in rest) for m in months])
        )
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"}, "grid": GRID,
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "stack": "tickets", "barMaxWidth": BAR_WIDTH,
             "data": values}
            for name, values in series
        ],
    }  # fmt: skip
    table = [[label, *(count(v[i]) for _n, v in series)] for i, label in enumerate(labels)]
    return chart(
        "rd-months", _("Complaints and requests by category and month"), option,
        [_("Month"), *(name for name, _v in series)], table,
    )  # fmt: skip


def _products_chart(report: Report) -> dict[str, Any]:
    products = by_product(report.counts)[:TOP_PRODUCTS]
    labels = [p.product or _("No product") for p in products]
    complaints, requests = _("Complaints"), _("Requests")
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": [complaints, requests]}, "grid": GRID,
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": labels[::-1]},
        "series": [
            {"name": complaints, "type": "bar", "stack": "kind", "barMaxWidth": BAR_WIDTH,
             "data": [p.complaints for p in products][::-1]},
            {"name": requests, "type": "bar", "stack": "kind", "barMaxWidth": BAR_WIDTH,
             "data": [p.requests for p in products][::-1]},
        ],
    }  # fmt: skip
    table = [
        [label, count(p.complaints), count(p.requests)]
        for label, p in zip(labels, products, strict=True)
    ]
    return chart(
        "rd-products", _("Products most complained about"), option,
        [_("Product"), complaints, requests], table,
    )  # fmt: skip


# The CSV, through imports' one export recorder --------------------------------------------


def select_export(user: User, values: Mapping[str, Any]) -> exports.Selection:
    """Return the report's counts for the months the record keeps, over the user's tickets."""
    start = datetime.date.fromisoformat(values["start"])
    end = datetime.date.fromisoformat(values["end"])
    rows = counts(numbers.visible_tickets_q(user), start, end)
    return exports.Selection(len(rows), _export_rows(rows))


def _export_rows(rows: list[Tally]) -> Iterator[list[Any]]:
    categories = category_names()
    kinds = dict(Kind.choices)
    yield [_("Month"), _("Type"), _("Product"), _("Category"), _("Tickets")]
    for row in rows:
        yield [
            row.month.strftime("%Y-%m"), str(kinds.get(row.kind, row.kind)),
            neutralise(row.product), neutralise(categories.get(row.category_id or 0, "")),
            row.tickets,
        ]  # fmt: skip


def register_export() -> None:
    """Offer the R&D report as a CSV through the one recorder (managers and admins)."""
    exports.sources.register(
        EXPORT_KIND,
        exports.ExportSource(
            gettext_lazy("R&D report"), "rd-report", select_export, formats=(ExportFormat.CSV,)
        ),
        order=60,
    )
