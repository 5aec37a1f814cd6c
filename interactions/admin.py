from django.contrib import admin
from django.http import HttpRequest

from interactions.models import FollowUp, Interaction


class ReadOnlyAdmin:
    """Contacts and follow-ups change through their pages and API (interactions.services),
    which record the history and announce the events; the admin only shows them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin, admin.ModelAdmin[Interaction]):
    list_display = ("customer", "kind", "direction", "occurred_at", "user")
    list_filter = ("kind", "direction")
    raw_id_fields = ("customer", "user")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin, admin.ModelAdmin[FollowUp]):
    list_display = ("customer", "assignee", "due_on", "done_at")
    raw_id_fields = ("customer", "assignee", "source")
