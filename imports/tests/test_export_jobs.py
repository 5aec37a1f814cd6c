"""Background exports: the one rule for when, the queue, progress, the file, who may fetch it."""

import csv
import datetime
import io
import logging
import signal
import time
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import NotFound
from imports import exports, progress
from imports.models import ExportRecord, ExportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(rep, teammate, other_rep, make_customer, make_order):
    """Two customers of team East (rep, teammate), one of team West."""
    wang = make_customer(rep, name="王芳", mobile="13900001111", region="上海")
    make_order(wang, datetime.date(2024, 1, 5), "88.00", number="SO-1")
    make_customer(teammate, name="李雷", mobile="13900002222")
    make_customer(other_rep, name="West customer", mobile="13900003333")
    return wang


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client: Client, file_format: str, url: str = "imports:export_customers", **params):
    return client.get(reverse(url), {"format": file_format, **params})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_small_csv_streams_xlsx_and_large_csv_are_queued(settings, manager, data):
    client = client_for(manager)
    settings.EXPORT_STREAM_ROWS = 2

    small = ask(client, "csv")
    assert small.streaming and small["Content-Disposition"].startswith("attachment")
    assert ExportRecord.objects.get().status == ExportStatus.SENT

    settings.EXPORT_STREAM_ROWS = 1
    large = ask(client, "csv")
    settings.EXPORT_STREAM_ROWS = 1_000_000
    xlsx = ask(client, "xlsx")

    queued = ExportRecord.objects.filter(status=ExportStatus.QUEUED).order_by("pk")
    assert [r.file_format for r in queued] == ["csv", "xlsx"]
    assert [large.url, xlsx.url] == [reverse("imports:export", args=[r.pk]) for r in queued]
    assert all(r.row_count == 2 and r.created_by == manager for r in queued)


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "csv-gb18030"])
def test_a_queued_export_runs_through_the_queue_and_writes_the_file(
    settings, manager, data, immediate_queue, django_capture_on_commit_callbacks, file_format
):
    settings.EXPORT_STREAM_ROWS = 0  # every file through the worker
    client = client_for(manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client, file_format, region="上海")

    assert len(callbacks) == 1  # queued only once the record is committed
    record = ExportRecord.objects.get()
    assert response.url == reverse("imports:export", args=[record.pk])
    assert (record.status, record.row_count, record.filters["region"]) == ("done", 1, "上海")
    assert record.path is not None and record.path.parent == settings.EXPORTS_DIR
    assert not list(settings.EXPORTS_DIR.glob("*.part"))
    page = client.get(response.url).content.decode()
    assert 'id="download-export"' in page and "The file is ready: 1 row." in page
    download = client.get(reverse("imports:export_download", args=[record.pk]))
    content = body(download)
    assert download["Content-Disposition"].startswith('attachment; filename="customers-')
    if file_format == "xlsx":
        rows = sheet_rows(content)
    else:
        encoding = "gb18030" if file_format == "csv-gb18030" else "utf-8-sig"
        rows = [tuple(r) for r in csv.reader(io.StringIO(content.decode(encoding)))]
    assert rows[0][:3] == ("Huitou ID", "External ID", "Name")
    assert [(r[2], r[-2]) for r in rows[1:]] in ([("王芳", 1)], [("王芳", "1")])


def test_the_job_writes_the_header_in_the_language_of_the_click(
    settings, manager, data, immediate_queue, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "xlsx")

    record = ExportRecord.objects.get()
    assert record.language == "zh-hans"
    content = body(client.get(reverse("imports:export_download", args=[record.pk])))
    with translation.override("zh-hans"):
        chinese = exports.customer_headers()
    assert list(sheet_rows(content)[0]) == chinese and chinese[2] != "Name"


def run_export_as(user, file_format="xlsx") -> ExportRecord:
    started = exports.start_export(user, "customers", file_format, {})
    return exports.run_job(started.record.pk)


def names_in(client: Client, record: ExportRecord) -> set[str]:
    response = client.get(reverse("imports:export_download", args=[record.pk]))
    assert response.status_code == 200
    return {row[2] for row in sheet_rows(body(response))[1:]}


def test_each_role_exports_what_it_may_see_and_only_the_asker_downloads(
    manager, admin_user, rep, other_rep, data, immediate_queue
):
    mine = run_export_as(manager)
    everyone = run_export_as(admin_user)

    assert names_in(client_for(manager), mine) == {"王芳", "李雷"}  # the team, not West
    assert names_in(client_for(admin_user), everyone) == {"王芳", "李雷", "West customer"}
    # Rule: a file is served only to the user who asked for it; everyone else sees nothing.
    strangers = ((admin_user, mine), (rep, mine), (other_rep, mine), (manager, everyone))
    for stranger, record in strangers:
        client = client_for(stranger)
        for name in ("imports:export", "imports:export_progress", "imports:export_download"):
            assert client.get(reverse(name, args=[record.pk])).status_code == 404
    # A rep may not take customer data out at all (accounts.access.can_export).
    refused = ask(client_for(rep), "xlsx")
    assert refused.status_code == 403 and "may not export" in refused.content.decode()
    assert ExportRecord.objects.filter(created_by=rep).count() == 0
    with pytest.raises(exports.ExportDenied):
        exports.start_export(rep, "orders", "csv", {})


def test_a_reps_key_figures_export_counts_only_the_reps_customers(
    rep, manager, data, make_customer, make_order
):
    theirs = make_customer(manager, name="Manager's own")
    make_order(theirs, datetime.date(2024, 2, 1), "10.00")
    params = {"start": "2024-01-01", "end": "2024-12-31", "format": "csv"}

    def customers_figure(user) -> list[list[str]]:
        response = client_for(user).get(reverse("insights:kpis"), params)
        return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))

    rep_rows, manager_rows = customers_figure(rep), customers_figure(manager)
    cohort = next(i for i, row in enumerate(rep_rows) if row and row[0] == "Cohort")
    rep_sizes = sum(int(row[1]) for row in rep_rows[cohort + 1 :])
    manager_sizes = sum(int(row[1]) for row in manager_rows[cohort + 1 :])
    assert (rep_sizes, manager_sizes) == (1, 2)
    assert ExportRecord.objects.filter(kind="kpis", created_by=rep).get().filters["start"] == (
        "2024-01-01"
    )


def test_progress_is_seen_while_the_worker_writes(monkeypatch, settings, manager, data):
    settings.EXPORT_STREAM_ROWS = 0
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    client = client_for(manager)
    record = exports.start_export(manager, "customers", "csv", {}).record
    url = reverse("imports:export_progress", args=[record.pk])
    waiting = client.get(url).content.decode()
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 1s"' in waiting
    seen: list[Any] = []

    exports.run_job(record.pk, on_progress=lambda done, total: seen.append(client.get(url)))

    running = [r.content.decode() for r in seen]
    assert any("1 of about 2 rows" in html and 'data-status="running"' in html for html in running)
    assert all('hx-get="' in html for html in running)
    assert not any(r.has_header("HX-Refresh") for r in seen)
    finished = client.get(url)
    assert finished["HX-Refresh"] == "true" and 'data-status="done"' in finished.content.decode()
    assert progress.read(record.pk, exports.SCOPE) is None


def silent_since(record: ExportRecord, minutes: int) -> ExportRecord:
    """Leave the record as a worker killed mid-file would: running, no report since then."""
    started = timezone.now() - datetime.timedelta(minutes=minutes)
    running = ExportRecord.objects.filter(pk=record.pk)
    running.update(status=ExportStatus.RUNNING, started_at=started)
    progress.clear(record.pk, exports.SCOPE)
    return ExportRecord.objects.get(pk=record.pk)


def test_a_killed_worker_shows_interrupted_not_running_forever(settings, manager, data):
    settings.EXPORT_STREAM_ROWS = 0
    client = client_for(manager)
    record = exports.start_export(manager, "customers", "xlsx", {}).record

    silent_since(record, minutes=0)
    live = client.get(reverse("imports:export", args=[record.pk])).content.decode()
    assert 'data-status="running"' in live and "hx-get" in live

    silent_since(record, minutes=30)
    page = client.get(reverse("imports:export", args=[record.pk])).content.decode()
    assert 'data-status="interrupted"' in page and "hx-get" not in page
    assert "Interrupted: the worker stopped" in page
    listing = client.get(reverse("imports:index")).content.decode()
    assert "Interrupted" in listing and "Writing the file" not in listing
    download = client.get(reverse("imports:export_download", args=[record.pk]))
    assert download.status_code == 404
    # A late or repeated delivery of the task does not start the interrupted job again.
    assert exports.run_job(record.pk).status == ExportStatus.RUNNING


def test_a_failing_export_says_so_keeps_no_file_and_logs_no_personal_data(
    settings, manager, data, caplog
):
    settings.EXPORT_STREAM_ROWS = 0

    def broken(user, values):
        def rows():
            yield ["Name"]
            yield ["王芳"]
            raise ValueError("王芳 13900001111")

        return exports.Selection(1, rows())

    exports.sources.register("test-broken", exports.ExportSource("Broken", "broken", broken))
    try:
        record = exports.start_export(manager, "test-broken", "csv", {}).record
        with caplog.at_level(logging.ERROR):
            done = exports.run_job(record.pk)
    finally:
        exports.sources.unregister("test-broken")

    assert (done.status, done.file) == (ExportStatus.FAILED, "")
    assert done.message == "The file could not be written."
    assert not list(settings.EXPORTS_DIR.iterdir())  # not even the partial file
    assert "王芳" not in caplog.text and "13900001111" not in caplog.text
    assert f"Export {record.pk} failed" in caplog.text


def test_an_unknown_kind_is_refused_and_not_recorded(manager):
    with pytest.raises(NotFound):
        exports.start_export(manager, "everything", "csv", {})
    assert not ExportRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_thread_takes_the_export_from_the_real_queue(settings, queue, manager, data):
    """The click queues the task in the app's queue; a Huey consumer thread runs it."""
    settings.EXPORT_STREAM_ROWS = 0
    client = client_for(manager)

    response = ask(client, "xlsx", url="imports:export_orders")

    record = ExportRecord.objects.get()
    # (Event dispatches queued by the data's creation may wait beside it.)
    assert [t.name for t in queue.pending()].count("run_export") == 1
    assert record.status == ExportStatus.QUEUED
    assert "Waiting for the worker" in client.get(response.url).content.decode()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.create_consumer(workers=1, periodic=False, check_worker_health=False)
    consumer.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record.refresh_from_db()
            if not record.is_running:
                break
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)

    assert record.status == ExportStatus.DONE, record.message
    rows = sheet_rows(body(client.get(reverse("imports:export_download", args=[record.pk]))))
    assert [row[0] for row in rows[1:]] == ["SO-1"] and record.row_count == 1


def test_the_imports_page_lists_the_users_exports_once_in_its_body(manager, data):
    client = client_for(manager)
    ask(client, "csv")  # small: streamed, and recorded
    page = client.get(reverse("imports:index")).content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "Your exports" not in title
    assert page.count('id="exports"') == 1
