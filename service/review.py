"""The weekly and monthly review of problems: the period's complaints by root cause, what
was fixed, and what repeats.

A complaint repeats when its product and category (or its root cause) come back after R&D
marked an issue with them fixed, or when they were complained about in the period before
too. Root causes are free text, compared trimmed and case-folded. Everything is counted by
the database in groups; no complaint is looked at one by one.
"""

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, Trim

from service.models import Kind, ProductIssue, Ticket
from service.numbers import period_bounds

_DAY = datetime.timedelta(days=1)
# Root causes are compared trimmed and case-folded.
CAUSE = Lower(Trim("root_cause"))


class Span(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"


def period_of(span: Span, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of the week (Monday to Sunday) or month of the day."""
    if span == Span.WEEK:
        monday = day - _DAY * day.weekday()
        return monday, monday + _DAY * 6
    first = day.replace(day=1)
    return first, (first + _DAY * 32).replace(day=1) - _DAY


def previous(span: Span, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the period before the one starting on `start`."""
    return period_of(span, start - _DAY)


def complaints(tickets: Q, start: datetime.date, end: datetime.date) -> QuerySet[Ticket]:
    """Return the complaints matching `tickets` opened from `start` to `end`."""
    since, until = period_bounds(start, end)
    return Ticket.objects.filter(
        tickets, kind=Kind.COMPLAINT, opened_at__gte=since, opened_at__lt=until
    )


@dataclass(frozen=True)
class CauseRow:
    """One root cause of the period's complaints, with the categories it came under."""

    cause: str  # as first written ("" when not recorded yet)
    complaints: int
    by_category: list[tuple[int | None, int]]  # (category id, complaints)
    example: str  # one ticket number


@dataclass(frozen=True)
class RepeatRow:
    """What came back: a product and category, or a root cause."""

    product_id: int | None
    category_id: int | None
    cause: str
    complaints: int  # in this period
    before: int  # in the period before (0: none)
    fixed: ProductIssue | None = None  # the issue marked fixed before these complaints


@dataclass
class Review:
    start: datetime.date
    end: datetime.date
    complaints: int
    previous_complaints: int
    resolved: int  # the period's complaints resolved by now
    causes: list[CauseRow]
    fixed: list[ProductIssue]
    repeats: list[RepeatRow]


def review(tickets: Q, span: Span, day: datetime.date) -> Review:
    """Return the review of the week or month of `day` over the tickets matching `tickets`."""
    start, end = period_of(span, day)
    current = complaints(tickets, start, end)
    before = complaints(tickets, *previous(span, start))
    since, until = period_bounds(start, end)
    fixed = (
        ProductIssue.objects.filter(fixed_at__gte=since, fixed_at__lt=until)
        .select_related("product", "category", "fixed_by")
        .annotate(ticket_count=Count("tickets"))
        .order_by("fixed_at")
    )
    return Review(
        start, end, current.count(), before.count(),
        current.filter(resolved_at__isnull=False).count(), _causes(current), list(fixed),
        _repeats_after_fix(current) + _repeats_across_periods(current, before),
    )  # fmt: skip


def _causes(current: QuerySet[Ticket]) -> list[CauseRow]:
    groups = (
        current.annotate(cause=CAUSE)
        .values("cause", "category_id")
        .annotate(n=Count("pk"), written=Min("root_cause"), example=Min("number"))
        .order_by()
    )
    by_cause: dict[str, dict[str, Any]] = {}
    for group in groups:
        row = by_cause.setdefault(
            group["cause"], {"written": group["written"].strip(), "n": 0, "by": [], "ex": ""}
        )
        row["n"] += group["n"]
        row["by"].append((group["category_id"], group["n"]))
        row["ex"] = min(row["ex"] or group["example"], group["example"])
    rows = [
        CauseRow(row["written"], row["n"], sorted(row["by"], key=lambda b: -b[1]), row["ex"])
        for row in by_cause.values()
    ]
    # The most frequent first; complaints without a root cause yet last.
    return sorted(rows, key=lambda r: (not r.cause, -r.complaints, r.cause.casefold()))


def _matching_fixed_issue() -> QuerySet[ProductIssue]:
    """Return the issues fixed before the outer complaint was opened that share its product
    and category (an issue naming only one of them matches on that one), or its root cause
    (one of the issue's tickets has the same)."""
    same_thing = (
        (Q(product__isnull=True) | Q(product=OuterRef("product")))
        & (Q(category__isnull=True) | Q(category=OuterRef("category")))
        & ~Q(product__isnull=True, category__isnull=True)
    )
    same_cause = Q(tickets__root_cause__iexact=OuterRef("cause")) & ~Q(tickets__root_cause="")
    return ProductIssue.objects.filter(same_thing | same_cause, fixed_at__lt=OuterRef("opened_at"))


def _repeats_after_fix(current: QuerySet[Ticket]) -> list[RepeatRow]:
    """Return the complaints that came back after a fix, by product, category and cause."""
    latest = _matching_fixed_issue().order_by("-fixed_at").values("pk")[:1]
    groups = (
        current.annotate(cause=CAUSE)
        .filter(Exists(_matching_fixed_issue()))
        .annotate(issue=latest)
        .values("product_id", "category_id", "issue")
        .annotate(n=Count("pk"), written=Min("root_cause"))
        .order_by()
    )
    rows = list(groups)
    issues = ProductIssue.objects.in_bulk([row["issue"] for row in rows])
    return [
        RepeatRow(
            row["product_id"],
            row["category_id"],
            (row["written"] or "").strip(),
            row["n"],
            0,
            issues.get(row["issue"]),
        )
        for row in sorted(rows, key=lambda r: -r["n"])
    ]


def _repeats_across_periods(current: QuerySet[Ticket], before: QuerySet[Ticket]) -> list[RepeatRow]:
    """Return the products and categories, and the root causes, complained about in both
    periods."""

    def counts(query: QuerySet[Ticket], *keys: str) -> dict[tuple[Any, ...], int]:
        groups = query.values(*keys).annotate(n=Count("pk")).order_by()
        return {tuple(group[key] for key in keys): group["n"] for group in groups}

    rows = []
    now = counts(current.exclude(product=None, category=None), "product_id", "category_id")
    then = counts(before, "product_id", "category_id")
    for (product_id, category_id), n in now.items():
        if (product_id, category_id) in then:
            rows.append(RepeatRow(product_id, category_id, "", n, then[product_id, category_id]))
    causes_then = counts(before.annotate(cause=CAUSE).exclude(cause=""), "cause")
    causes_now = (
        current.annotate(cause=CAUSE).exclude(cause="").values("cause")
        .annotate(n=Count("pk"), written=Min("root_cause")).order_by()
    )  # fmt: skip
    for group in causes_now:
        if (group["cause"],) in causes_then:
            rows.append(
                RepeatRow(
                    None,
                    None,
                    group["written"].strip(),
                    group["n"],
                    causes_then[group["cause"],],
                )
            )
    return sorted(rows, key=lambda r: -r.complaints)
