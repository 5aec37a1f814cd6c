from django.contrib import admin

from interactions.models import FollowUp, Interaction


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ("customer", "kind", "direction", "occurred_at", "user")
    list_filter = ("kind", "direction")
    raw_id_fields = ("customer", "user")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin[FollowUp]):
    list_display = ("customer", "assignee", "due_on", "done_at")
    raw_id_fields = ("customer", "assignee", "source")
