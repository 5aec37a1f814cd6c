"""Scoring runs in the admin, to read: every score is derived by the nightly run, and an edit
here would be a number no run produced."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from insights.models import ScoreRun


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin[ScoreRun]):
    list_display = ("as_of", "state", "started_at", "finished_at", "duration_seconds")
    list_filter = ("status",)
    exclude = ("summary",)

    @admin.display(description=_("status"))
    def state(self, run: ScoreRun) -> str:
        """Return the status, "interrupted" for a run whose process is gone."""
        return run.state_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ScoreRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ScoreRun | None = None) -> bool:
        return False
