from django.contrib import admin

from core.forms import ReadOnlyAdminMixin
from interactions.models import FollowUp, Interaction


# Contacts and follow-ups change through their pages and API (interactions.services), which
# record the history and announce the events; the admin only shows them.
@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Interaction]):
    list_display = ("customer", "kind", "direction", "occurred_at", "user")
    list_filter = ("kind", "direction")
    raw_id_fields = ("customer", "user")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[FollowUp]):
    list_display = ("customer", "assignee", "due_on", "done_at")
    raw_id_fields = ("customer", "assignee", "source")
