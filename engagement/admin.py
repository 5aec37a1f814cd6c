"""The admin reads messages and the local sink; only the send path writes messages."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.errors import DomainError
from core.forms import CheckedTextAdminMixin
from engagement.care import check_template
from engagement.models import (
    Cadence,
    CareOccasion,
    LifeEvent,
    Message,
    MessageTemplate,
    SinkMessage,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CareTemplateForm(forms.ModelForm[MessageTemplate]):
    """Refuse a template whose subject or text names a placeholder the sandbox does not know."""

    class Meta:
        model = MessageTemplate
        fields = ["code", "channel", "language", "subject", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("subject", "body"):
            try:
                check_template(cleaned.get(name) or "")
            except DomainError as error:
                self.add_error(name, ValidationError(str(error.message)))
        return cleaned


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
    list_display = ["code", "channel", "language", "subject"]
    list_filter = ["channel", "language"]
    form = CareTemplateForm


@admin.register(CareOccasion)
class CareOccasionAdmin(admin.ModelAdmin[CareOccasion]):
    """Managers' settings of the seeded occasions; the codes are fixed, none added or removed."""

    list_display = ["code", "enabled", "lead_days", "channel", "audience", "gift_budget"]
    list_editable = ["enabled", "lead_days", "channel", "audience", "gift_budget"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LifeEvent)
class LifeEventAdmin(CheckedTextAdminMixin, admin.ModelAdmin[LifeEvent]):
    list_display = ["customer", "kind", "date", "yearly"]
    list_filter = ["kind", "yearly"]
    raw_id_fields = ["customer", "created_by"]


# Cadences: managers edit them on their own page (engagement:cadences); here for admins too.
@admin.register(Cadence)
class CadenceAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Cadence]):
    list_display = ["name", "enabled", "value_tier", "lifecycle", "interval_days", "channel"]
    list_filter = ["enabled", "channel"]
