"""Every way to take data out leaves one export record: who, when, which filter, how many rows.

The cases are found, not remembered: every URL whose name or route speaks of an export or a
CSV, every registered export source, and the pages that answer `?format=csv`, must each be
in CASES, so a new export without a record fails here.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from engagement.tests.effect_data import SENT_AT, care
from imports import exports
from imports.models import ExportRecord, Kind
from imports.tests.helpers import csv_bytes, run
from insights.services import run_scoring
from insights.tests.conftest import AS_OF, simulated_base  # noqa: F401  (a fixture)
from service.models import Kind as Kind_
from service.tests.numbers_data import ticket

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    url: str
    kind: str
    params: dict[str, str] = field(default_factory=dict)
    recorded: dict[str, Any] = field(default_factory=dict)  # filter values the record keeps
    needs_import: bool = False
    needs_care: bool = False
    needs_ticket: bool = False


CASES = [
    Case("imports:export_customers", Kind.CUSTOMERS, {"region": "上海"}, {"region": "上海"}),
    Case("imports:export_orders", Kind.ORDERS, {"q": "Sim"}, {"query": "Sim"}),
    Case("insights:returning_export", "returning", {"tier": "A"}, {"tier": "A"}),
    Case(
        "insights:kpis",
        "kpis",
        {"start": "2026-04-01", "end": "2026-06-30", "format": "csv"},
        {"start": "2026-04-01", "end": "2026-06-30"},
    ),
    Case("imports:rejected_csv", "rejected_rows", needs_import=True),
    Case(
        "engagement:care_effect",
        "care_effect",
        {"start": "2026-04", "end": "2026-06", "format": "csv"},
        {"start": "2026-04-01", "end": "2026-06-01"},
        needs_care=True,
    ),
    Case(
        "service:rd_report",
        "service_rd",
        {"start": "2026-04", "end": "2026-06", "format": "csv"},
        {"start": "2026-04-01", "end": "2026-06-30"},
        needs_ticket=True,
    ),
]
# The pages of an export already recorded (its progress and its file), not exports themselves.
EXPORT_PAGES = {"imports:export", "imports:export_progress", "imports:export_download"}
# Pages that answer a download when asked for ?format=csv.
FORMAT_CSV_PAGES = {"insights:kpis", "engagement:care_effect", "service:rd_report"}


def url_names(
    patterns: list[Any], namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (namespaced name, full route) of every named URL of the project."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route + str(pattern.pattern)


def test_every_export_of_the_project_is_a_case():
    found = {
        name
        for name, route in url_names(get_resolver().url_patterns)
        if ("export" in name or "csv" in route.lower()) and not name.startswith("admin:")
    }
    assert found - EXPORT_PAGES | FORMAT_CSV_PAGES == {case.url for case in CASES}
    assert {c.name for c in exports.sources.contributions()} == {case.kind for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_each_export_leaves_a_record(settings, simulated_base, manager, case):  # noqa: F811
    settings.EXPORT_STREAM_ROWS = 1_000_000  # streamed here; the queued path: test_export_jobs
    simulated_base[0].region = "上海"
    simulated_base[0].save(update_fields=["region"])
    run_scoring(AS_OF)
    args: list[int] = []
    if case.needs_import:
        job = run(manager, Kind.CUSTOMERS, csv_bytes([["name", "mobile"], ["Bad", "12"]]))
        args = [job.pk]
    if case.needs_care:
        care(simulated_base[1], channel="phone", sent_at=SENT_AT.replace(month=5))
    if case.needs_ticket:
        ticket(simulated_base[2], Kind_.COMPLAINT, SENT_AT.replace(month=5))
    client = Client()
    client.force_login(manager)
    before = timezone.now()

    response = client.get(reverse(case.url, args=args), case.params)

    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    record = ExportRecord.objects.get()
    assert (record.kind, record.created_by, record.file_format) == (case.kind, manager, "csv")
    assert before <= record.created_at <= timezone.now()
    assert record.filters.items() >= case.recorded.items()
    assert record.row_count == len(table) - 1 > 0
    assert ExportRecord.objects.count() == 1
