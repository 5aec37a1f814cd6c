"""The import pages: upload, proposed mapping corrected by the user, check, import, inspect."""

import io

import pytest
from django.urls import reverse

from customers.models import Customer
from imports.models import ImportJob, SavedMapping, Status
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, name: str = "c.csv", kind: str = "customers", **fields):
    data = {"kind": kind, "file": io.BytesIO(content), **fields}
    data["file"].name = name
    return client.post(reverse("imports:upload"), data)


def test_upload_checks_at_once_and_the_import_button_commits(client, rep):
    client.force_login(rep)
    response = upload(client, csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:job", args=[job.pk])
    assert job.status == Status.VALIDATED and job.mapping == {"name": "姓名", "mobile": "手机"}
    page = client.get(response.url).content.decode()
    assert "1 would be created" in page and not Customer.objects.exists()

    client.post(reverse("imports:run", args=[job.pk]))

    job.refresh_from_db()
    assert job.committed and Customer.objects.get().name == "张三"
    assert "1 created" in client.get(response.url).content.decode()


def test_user_corrects_the_mapping_and_saves_it(client, rep):
    client.force_login(rep)
    upload(client, csv_bytes([["Kunde", "Telefon", "Spalte"], ["Anna", "13800138000", "x"]]))
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED or job.rejected_count == 1  # no name column proposed

    client.post(
        reverse("imports:job", args=[job.pk]),
        {"map_name": "Kunde", "map_mobile": "Telefon", "save_as": "German shop"},
    )

    job.refresh_from_db()
    assert job.status == Status.VALIDATED and job.rejected_count == 0
    assert SavedMapping.objects.get(name="German shop").mapping == {
        "name": "Kunde",
        "mobile": "Telefon",
    }
    upload(
        client,
        csv_bytes([["Kunde", "Telefon"], ["Bert", "13800138001"]]),
        saved_mapping="German shop",
    )
    assert ImportJob.objects.latest("pk").created_count == 1


def test_others_imports_are_not_shown(client, rep, other_rep):
    client.force_login(rep)
    upload(client, csv_bytes([["name", "mobile"], ["A", "13800138000"]]))
    job = ImportJob.objects.get()

    client.force_login(other_rep)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[job.pk])).status_code == 404


def test_agent_has_no_upload(client, agent):
    client.force_login(agent)
    assert "upload-form" not in client.get(reverse("imports:index")).content.decode()
    assert upload(client, csv_bytes([["name"], ["A"]])).status_code == 403


# Huey's db tasks close the connection when they finish, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_large_file_runs_on_the_queue_and_the_page_shows_progress(client, rep, settings, queue):
    settings.IMPORT_BACKGROUND_ROWS = 10
    client.force_login(rep)
    rows = [["name", "mobile"]] + [[f"C{n}", f"137{n:08d}"] for n in range(40)]

    upload(client, csv_bytes(rows))

    job = ImportJob.objects.get()
    assert job.status == Status.VALIDATING and queue.pending_count() == 1
    progress = client.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert "0 of about 40 rows" in progress
    queue.execute(queue.dequeue())  # what the worker does with the queued task
    job.refresh_from_db()
    assert (job.status, job.created_count) == (Status.VALIDATED, 40)
    response = client.get(reverse("imports:progress", args=[job.pk]))
    assert response["HX-Refresh"] == "true"
