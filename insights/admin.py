"""Scoring runs in the admin, to read: every score is derived by the nightly run, and an edit
here would be a number no run produced."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.forms import ReadOnlyAdminMixin
from insights.models import ScoreRun


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ScoreRun]):
    list_display = ("as_of", "state", "started_at", "finished_at", "duration_seconds")
    list_filter = ("status",)
    exclude = ("summary",)

    @admin.display(description=_("status"))
    def state(self, run: ScoreRun) -> str:
        """Return the status, "interrupted" for a run whose process is gone."""
        return run.state_display()
