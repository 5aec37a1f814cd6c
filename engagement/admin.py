"""The admin reads messages and the local sink; only the send path writes messages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.forms import CheckedTextAdminMixin
from engagement.models import Cadence, Message, MessageTemplate, SinkMessage


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["customer", "channel", "purpose", "occasion_date", "status", "skip_reason"]
    list_filter = ["status", "channel", "purpose"]
    raw_id_fields = ["customer"]


@admin.register(SinkMessage)
class SinkMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "to", "subject"]
    list_filter = ["channel"]
    search_fields = ["to", "subject"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(CheckedTextAdminMixin, admin.ModelAdmin[MessageTemplate]):
    list_display = ["code", "channel", "subject"]


# Cadences: managers edit them on their own page (engagement:cadences); here for admins too.
@admin.register(Cadence)
class CadenceAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Cadence]):
    list_display = ["name", "enabled", "value_tier", "lifecycle", "interval_days", "channel"]
    list_filter = ["enabled", "channel"]
