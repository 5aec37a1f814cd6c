"""SLA policies in the admin: a saved policy moves its open tickets' deadlines."""

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from service.models import SlaPolicy
from service.tasks import recompute_deadlines


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = ("priority", "value_tier", "first_response_minutes", "resolution_minutes")
    list_filter = ("priority", "value_tier")

    def save_model(
        self, request: HttpRequest, obj: SlaPolicy, form: ModelForm[SlaPolicy], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change:
            transaction.on_commit(lambda: recompute_deadlines([obj.pk]))
