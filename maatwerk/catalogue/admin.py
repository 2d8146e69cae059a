from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.admin_base import NationalDataAdmin, ScopedAdmin
from maatwerk.forms import MoneyField

from .models import CostItem, CostOverride, PriceIndex

# A source typed without a scheme is a web address on https (Django 6 default, silences its warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyForMunicipalAdmins(NationalDataAdmin):
    """National data: a municipality's administrator may look, only a superuser (operator) may change it.

    Catalogue changes normally arrive through `maatwerk catalogue import`, which validates every row.
    Items and index years may be referenced by business cases and ledgers: deactivate, never delete.
    """

    formfield_overrides = URL_FIELDS


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
class CostOverrideAdmin(ScopedAdmin):
    """A municipality's own amounts, managed by that municipality's functional administrator."""

    list_display = ["item", "municipality", "amount", "year", "note", "updated_by", "updated_at"]
    list_filter = ["municipality"]
    search_fields = ["item__code", "item__name_nl", "note"]
    autocomplete_fields = ["item"]
    readonly_fields = ["updated_by", "updated_at"]
    # The own amount is typed the Dutch way ("6.500,00"), read by the one parser for typed money.
    formfield_overrides = {**URL_FIELDS, models.DecimalField: {"form_class": MoneyField}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "municipality")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
