"""The import job's admin page stays one bounded page, however many rows were rejected."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from imports.admin import REJECTED_PREVIEW
from imports.models import ImportJob, Kind, RejectedRow

pytestmark = pytest.mark.django_db

MARKER = 'class="rejected-row"'


def job_with_rejections(owner: User, count: int) -> ImportJob:
    job = ImportJob.objects.create(
        kind=Kind.CUSTOMERS, created_by=owner, file="c.csv", file_name="c.csv",
        file_hash="0" * 64, headers=["name", "mobile"], rejected_count=count,
    )  # fmt: skip
    RejectedRow.objects.bulk_create(
        RejectedRow(job=job, row=n + 2, column="mobile", reason=f"bad mobile #{n:04d}",
                    values=[f"Customer {n}", "123"])
        for n in range(count)
    )  # fmt: skip
    return job


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def change_page(client: Client, job: ImportJob) -> str:
    response = client.get(reverse("admin:imports_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_huge_job_shows_only_the_first_rejections(superuser_client, rep):
    total = REJECTED_PREVIEW + 50
    job = job_with_rejections(rep, total)
    page = change_page(superuser_client, job)
    assert page.count("bad mobile #") == page.count(MARKER) == REJECTED_PREVIEW
    assert f"bad mobile #{REJECTED_PREVIEW - 1:04d}" in page
    assert f"bad mobile #{REJECTED_PREVIEW:04d}" not in page
    assert f"The first {REJECTED_PREVIEW} of {total} rejections." in page
    assert "rejected_rows-TOTAL_FORMS" not in page  # no editable inline formset
    assert reverse("imports:rejected_csv", args=[job.pk]) in page


def test_the_link_downloads_every_rejected_row(superuser_client, rep):
    total = REJECTED_PREVIEW + 50
    job = job_with_rejections(rep, total)
    response = superuser_client.get(reverse("imports:rejected_csv", args=[job.pk]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + total
    assert lines[-1].endswith(f"bad mobile #{total - 1:04d}")


def test_a_small_job_shows_all_its_rejections_without_a_note(superuser_client, rep):
    job = job_with_rejections(rep, 3)
    page = change_page(superuser_client, job)
    assert page.count("bad mobile #") == page.count(MARKER) == 3
    assert "The first" not in page


def test_a_job_without_rejections_shows_no_table(superuser_client, rep):
    page = change_page(superuser_client, job_with_rejections(rep, 0))
    assert MARKER not in page


def test_a_saved_mapping_keeps_who_saved_it(superuser_client):
    from imports.models import SavedMapping

    author = User.objects.create_user("author")
    saved = SavedMapping.objects.create(kind=Kind.CUSTOMERS, name="CRM", created_by=author)
    url = reverse("admin:imports_savedmapping_change", args=[saved.pk])
    assert 'name="created_by"' not in superuser_client.get(url).content.decode()
    other = User.objects.create_user("other")
    form = {"kind": Kind.CUSTOMERS, "name": "CRM 2", "mapping": '{"name": "A"}'}
    response = superuser_client.post(url, {**form, "created_by": other.pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved.refresh_from_db()
    assert (saved.name, saved.created_by) == ("CRM 2", author)
