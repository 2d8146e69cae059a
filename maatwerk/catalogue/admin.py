from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.admin import admin_municipality_ids
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Municipality, Role

from .models import CostItem, CostOverride, PriceIndex

# A source typed without a scheme is a web address on https (Django 6 default, silences its warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def is_catalogue_admin(request) -> bool:
    return request.user.is_superuser or tenancy.has_role(request.user, Role.ADMIN)


class ReadOnlyForMunicipalAdmins(admin.ModelAdmin):
    """National data: a municipality's administrator may look, only a superuser (operator) may change it.

    Catalogue changes normally arrive through `maatwerk catalogue import`, which validates every row.
    """

    formfield_overrides = URL_FIELDS

    def has_view_permission(self, request, obj=None):
        return is_catalogue_admin(request)

    def has_module_permission(self, request):
        return is_catalogue_admin(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        # Items and index years may be referenced by business cases and ledgers: deactivate, never delete.
        return False


@admin.register(CostItem)
class CostItemAdmin(ReadOnlyForMunicipalAdmins):
    list_display = ["code", "name_nl", "amount", "per", "year", "payer", "domain", "confidence", "active"]
    list_filter = ["active", "domain", "payer", "confidence", "per"]
    search_fields = ["code", "name_nl", "name_en"]
    actions = ["deactivate", "activate"]

    @admin.action(description=_("Deactivate selected items"), permissions=["change"])
    def deactivate(self, request, queryset):
        queryset.update(active=False)

    @admin.action(description=_("Activate selected items"), permissions=["change"])
    def activate(self, request, queryset):
        queryset.update(active=True)


@admin.register(PriceIndex)
class PriceIndexAdmin(ReadOnlyForMunicipalAdmins):
    list_display = ["year", "index", "status", "source"]


@admin.register(CostOverride)
class CostOverrideAdmin(admin.ModelAdmin):
    """A municipality's own amounts, managed by that municipality's functional administrator."""

    list_display = ["item", "municipality", "amount", "year", "note", "updated_by", "updated_at"]
    list_filter = ["municipality"]
    search_fields = ["item__code", "item__name_nl", "note"]
    autocomplete_fields = ["item"]
    readonly_fields = ["updated_by", "updated_at"]
    formfield_overrides = URL_FIELDS

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("item", "municipality")
        if request.user.is_superuser:
            return qs
        return qs.filter(municipality__in=admin_municipality_ids(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "municipality" and not request.user.is_superuser:
            kwargs["queryset"] = Municipality.objects.filter(pk__in=admin_municipality_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _own(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if not admin_municipality_ids(request):
            return False
        return obj is None or obj.municipality_id in admin_municipality_ids(request)

    def has_module_permission(self, request):
        return self._own(request, None)

    def has_view_permission(self, request, obj=None):
        return self._own(request, obj)

    def has_add_permission(self, request):
        return self._own(request, None)

    def has_change_permission(self, request, obj=None):
        return self._own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._own(request, obj)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        log_access(
            request.user,
            obj,
            action=AccessLog.Action.UPDATE if change else AccessLog.Action.CREATE,
            purpose=f"cost override {obj.item.code} (admin)",
            request=request,
        )

    def delete_model(self, request, obj):
        log_access(
            request.user,
            obj,
            action=AccessLog.Action.DELETE,
            purpose=f"cost override {obj.item.code} (admin)",
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
