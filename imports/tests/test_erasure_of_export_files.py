"""An erasure deletes the export files on disk that name the person; the export's record
stays, and exports that do not name them keep their files."""

from django.urls import reverse

from customers.services import erase_customer
from imports import exports
from imports.models import ExportRecord


def export_file(user, team_filter: dict[str, str], file_format: str) -> ExportRecord:
    started = exports.start_export(user, "customers", file_format, team_filter)
    return exports.run_job(started.record.pk)


def test_export_files_naming_the_person_go_and_others_stay(
    client, admin_user, rep, make_customer, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STREAM_ROWS = 0  # every export is written to a file
    gone = make_customer(rep, name="王芳", mobile="13900001111", region="上海")
    make_customer(rep, name="李雷", mobile="13900002222", region="北京")
    naming = [export_file(admin_user, {}, "xlsx"), export_file(admin_user, {}, "csv")]
    other = export_file(admin_user, {"region": "北京"}, "csv")
    paths = [record.path for record in naming]
    assert all(path is not None and path.exists() for path in paths)

    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        erase_customer(admin_user, gone, "request of 2026-12-01")

    assert all(path is not None and not path.exists() for path in paths)
    for record in naming:
        record.refresh_from_db()
        assert record.file == "" and ExportRecord.objects.filter(pk=record.pk).exists()
    other.refresh_from_db()
    assert other.path is not None and other.path.exists()
    client.force_login(admin_user)
    response = client.get(reverse("imports:export_download", args=[naming[0].pk]))
    assert response.status_code == 404
