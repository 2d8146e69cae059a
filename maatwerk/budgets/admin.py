"""Mandates and legality-check thresholds are data the functional administrator keeps; the ledger is
shown read-only (corrections are reversing entries through the services, never edits).

Every admin here is scoped to the administrator's municipalities (maatwerk.accounts.admin_base): the
rows, the choices in the forms and what may be changed.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.admin_base import ReadOnlyScopedAdmin, ScopedAdmin
from maatwerk.accounts.models import Membership

from .models import Budget, LedgerEntry, LegalityCheckRule, Mandate, PaymentBatch, PaymentBatchItem


class MandateForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ["municipality", "channel", "role", "user", "max_amount", "active"]

    def clean(self):
        cleaned = super().clean()
        user, municipality = cleaned.get("user"), cleaned.get("municipality")
        if (
            user
            and municipality
            and not Membership.objects.filter(user=user, municipality=municipality).exists()
        ):
            self.add_error("user", _("This person has no membership in the municipality of the mandate."))
        return cleaned


@admin.register(Mandate)
class MandateAdmin(ScopedAdmin):
    form = MandateForm
    list_display = ["municipality", "channel", "role", "user", "max_amount", "active"]
    list_filter = ["municipality", "channel", "role", "active"]


@admin.register(LegalityCheckRule)
class LegalityCheckRuleAdmin(ScopedAdmin):
    list_display = ["municipality", "channel", "above_amount"]
    list_filter = ["municipality", "channel"]


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["municipality", "team", "channel", "period_start", "period_end", "created_at"]

    def clean(self):
        cleaned = super().clean()
        team, municipality = cleaned.get("team"), cleaned.get("municipality")
        if team and municipality and team.municipality_id != municipality.pk:
            self.add_error("team", _("The team does not belong to this municipality."))
        return cleaned


@admin.register(Budget)
class BudgetAdmin(ScopedAdmin):
    form = BudgetForm
    list_display = ["__str__", "municipality", "team", "channel", "period_start", "period_end"]
    list_filter = ["municipality", "channel"]
    admin_may_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "budget", "kind", "amount", "spend", "created_by"]
    list_filter = ["kind"]
    municipality_lookup = "budget__municipality"


class PaymentBatchItemInline(admin.TabularInline):
    model = PaymentBatchItem
    fields = ["spend", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # the batch page decided already; its items are the batch's own


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyScopedAdmin):
    """Read-only: batches are recorded by the export and closed through the services."""

    list_display = ["message_id", "municipality", "created_at", "execution_date", "count", "total"]
    list_filter = ["municipality"]
    inlines = [PaymentBatchItemInline]
