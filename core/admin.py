from django.contrib import admin

from core.forms import CheckedTextAdminMixin
from core.models import WorkingDayOverride


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(CheckedTextAdminMixin, admin.ModelAdmin[WorkingDayOverride]):
    """Where an admin enters next year's official schedule early, or a company closure."""

    list_display = ("date", "is_working", "note")
    list_filter = ("is_working",)
    date_hierarchy = "date"
    search_fields = ("note",)
