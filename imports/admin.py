from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedTextAdminMixin
from imports.models import ExportRecord, ImportJob, RejectedRow, SavedMapping

# A job's admin page shows at most this many rejections: a file with 100,000 bad rows must
# not become a 100,000-row page. All of them are one download away (the CSV the import page
# offers). An inline cannot be bounded: it renders every existing row whatever max_num
# says, and its queryset cannot be sliced (the formset filters it by the job afterwards).
REJECTED_PREVIEW = 100


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = (
        "created_at",
        "kind",
        "file_name",
        "created_by",
        "status",
        "committed",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
    )
    list_filter = ("kind", "status", "committed")
    search_fields = ("file_name", "file_hash", "created_by__username")
    readonly_fields = [*(f.name for f in ImportJob._meta.fields), "rejected_rows_preview"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("rejected rows"))
    def rejected_rows_preview(self, job: ImportJob) -> SafeString | str:
        """Return the job's first rejections as a table, with a link to all of them."""
        rows = list(job.rejected_rows.all()[:REJECTED_PREVIEW])
        if not rows:
            return self.get_empty_value_display()
        return format_html(
            "{}<p>{} {}</p>",
            _rejections_table(rows),
            _shown_note(len(rows), job.rejected_rows.count()),
            _rejections_link(job),
        )


def _rejections_table(rows: list[RejectedRow]) -> SafeString:
    """Return the rejections as a plain table: row, column, reason."""
    body = format_html_join(
        "",
        '<tr class="rejected-row"><td>{}</td><td>{}</td><td>{}</td></tr>',
        ((row.row, row.column, row.reason) for row in rows),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("row"),
        _("column"),
        _("reason"),
        body,
    )


def _shown_note(shown: int, total: int) -> str:
    """Return how many of the rejections the table shows, when it does not show them all."""
    if shown == total:
        return ""
    return _("The first %(shown)s of %(total)s rejections.") % {"shown": shown, "total": total}


def _rejections_link(job: ImportJob) -> SafeString:
    """Return a link to every rejected row of the job, as the CSV the import page offers."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("imports:rejected_csv", args=[job.pk]),
        _("Download all rejected rows (CSV)"),
    )


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin[ExportRecord]):
    list_display = ("created_at", "kind", "file_format", "created_by", "row_count", "status")
    list_filter = ("kind", "file_format", "status")
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(CheckedTextAdminMixin, admin.ModelAdmin[SavedMapping]):
    list_display = ("name", "kind", "created_by", "created_at")
    # Who saved a mapping and when is a record, not a setting (and the field offered every user).
    readonly_fields = ("created_by", "created_at")
