from django.contrib import admin

from core.forms import CheckedTextAdminMixin, ReadOnlyAdminMixin
from service.models import Category, ServiceAgent, Step, Ticket


@admin.register(Category)
class CategoryAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Category]):
    list_display = ("code", "name", "name_zh", "parent", "active")
    list_filter = ("active",)


# Who routing gives tickets to, and who is senior (takes A-tier customers).
@admin.register(ServiceAgent)
class ServiceAgentAdmin(admin.ModelAdmin[ServiceAgent]):
    list_display = ("user", "senior", "available", "last_assigned_at")
    list_filter = ("senior", "available")
    filter_horizontal = ("categories",)
    raw_id_fields = ("user",)


class StepInline(admin.TabularInline[Step, Ticket]):
    model = Step
    extra = 0
    readonly_fields = ("action", "status", "at", "actor", "actor_label", "note")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


# Tickets change through their pages and API (service.services), which write the steps and
# announce the events; the admin only shows them.
@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Ticket]):
    list_display = ("number", "subject", "kind", "status", "priority", "assignee", "opened_at")
    list_filter = ("status", "kind", "priority")
    search_fields = ("number",)
    raw_id_fields = ("customer", "order", "product", "assignee", "created_by")
    inlines = (StepInline,)
