from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.models import User
from core.forms import CheckedTextAdminMixin, ReadOnlyAdminMixin
from customers.models import Consent, Customer, Erasure, ProfileChange, Tag, TagGroup
from customers.services import create_customer, update_customer


class ConsentInline(admin.TabularInline[Consent, Customer]):
    """Shown, not edited: consent changes go through the customer page, which records them."""

    model = Consent
    extra = 0
    readonly_fields = ("channel", "granted", "changed_on", "source")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Customer]):
    list_display = ("name", "mobile", "company", "owner", "region", "archived_at")
    list_filter = ("kind", "region")
    search_fields = ("name", "mobile", "email", "company")
    raw_id_fields = ("owner", "merged_into")
    # Tags change on the customer page (services.set_tags), which writes their history.
    readonly_fields = ("tags",)
    inlines = [ConsentInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Customers are archived, never deleted: their orders and history stay traceable."""
        return False

    def save_model(
        self, request: HttpRequest, obj: Customer, form: ModelForm[Customer], change: bool
    ) -> None:
        """Save through the archive's services, so that admin edits are in the history too
        and an owner change reaches the purchase summary's copy of the owner."""
        assert isinstance(request.user, User)
        names = form.changed_data if change else list(form.cleaned_data)
        fields = {name: form.cleaned_data[name] for name in names}
        if change:
            update_customer(request.user, Customer.objects.get(pk=obj.pk), fields)
        else:
            obj.pk = create_customer(request.user, fields).pk
        obj.refresh_from_db()


@admin.register(TagGroup)
class TagGroupAdmin(CheckedTextAdminMixin, admin.ModelAdmin[TagGroup]):
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(CheckedTextAdminMixin, admin.ModelAdmin[Tag]):
    list_display = ("name", "group")
    list_filter = ("group",)


@admin.register(ProfileChange)
class ProfileChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ProfileChange]):
    """History is read-only, here as everywhere."""

    list_display = ("customer", "field", "old_value", "new_value", "changed_by", "changed_at")
    raw_id_fields = ("customer",)


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Erasure]):
    """Erasures are made by customers.services.erase_customer (the customer page, the
    command) and are never changed afterwards."""

    list_display = ("customer", "erased_by", "erased_at", "reason")
    raw_id_fields = ("customer",)
