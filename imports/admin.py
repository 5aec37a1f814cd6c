from django.contrib import admin

from imports.models import ExportRecord, ImportJob, RejectedRow, SavedMapping


class RejectedRowInline(admin.TabularInline[RejectedRow, ImportJob]):
    model = RejectedRow
    fields = ("row", "column", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


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
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    inlines = [RejectedRowInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin[ExportRecord]):
    list_display = ("created_at", "kind", "file_format", "created_by", "row_count")
    list_filter = ("kind", "file_format")
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin[SavedMapping]):
    list_display = ("name", "kind", "created_by", "created_at")
