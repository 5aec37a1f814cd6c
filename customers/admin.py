from django.contrib import admin

from customers.models import Consent, Customer, ProfileChange, Tag, TagGroup


class ConsentInline(admin.TabularInline[Consent, Customer]):
    model = Consent
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("name", "mobile", "company", "owner", "region", "archived_at")
    list_filter = ("kind", "region")
    search_fields = ("name", "mobile", "email", "company")
    raw_id_fields = ("owner", "merged_into")
    inlines = [ConsentInline]


@admin.register(TagGroup)
class TagGroupAdmin(admin.ModelAdmin[TagGroup]):
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "group")
    list_filter = ("group",)


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin[ProfileChange]):
    """History is read-only, here as everywhere."""

    list_display = ("customer", "field", "old_value", "new_value", "changed_by", "changed_at")
    raw_id_fields = ("customer",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
