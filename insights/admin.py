"""Scoring runs in the admin, to read: every score is derived by the nightly run, and an edit
here would be a number no run produced."""

from django.contrib import admin
from django.http import HttpRequest

from insights.models import ScoreRun


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin[ScoreRun]):
    list_display = ("as_of", "status", "started_at", "finished_at", "duration_seconds")
    list_filter = ("status",)
    exclude = ("summary",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScoreRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ScoreRun | None = None) -> bool:
        return False
