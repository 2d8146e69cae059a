"""Budgets are kept here by the functional administrator; mandates and legality-check thresholds are shown
read-only (they are kept on the mandate page, through the services, with audit); the ledger is shown
read-only (corrections are reversing entries through the services, never edits).

Every admin here is scoped to the administrator's municipalities (maatwerk.accounts.admin_base): the
rows, the choices in the forms and what may be changed.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.admin_base import ReadOnlyScopedAdmin, ScopedAdmin

from .models import Budget, LedgerEntry, LegalityCheckRule, Mandate, PaymentBatch, PaymentBatchItem


@admin.register(Mandate)
class MandateAdmin(ReadOnlyScopedAdmin):
    """Read-only here: the ladder is kept on its own page (budgets:mandates) through
    `services.save_mandate`, which checks a rung (a role or a person of the municipality, an amount within
    the one maximum) and writes the audit row with what changed."""

    list_display = ["municipality", "channel", "title", "role", "user", "max_amount", "active"]
    list_filter = ["municipality", "channel", "role", "active"]


@admin.register(LegalityCheckRule)
class LegalityCheckRuleAdmin(ReadOnlyScopedAdmin):
    """Read-only here, like the mandates: changed on the mandate page (`services.set_check_threshold`)."""

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
    # Spend requests have no admin of their own (their pages log every read of the household's data);
    # the ledger shows what each booking was for by the request's kind, read-only.
    list_display = ["created_at", "budget", "kind", "amount", "spend", "spend_kind", "created_by"]
    list_filter = ["kind", "spend__kind"]
    list_select_related = ["spend", "created_by"]
    municipality_lookup = "budget__municipality"

    @admin.display(description=_("kind of maatwerk"), ordering="spend__kind")
    def spend_kind(self, obj) -> str:
        return obj.spend.get_kind_display() if obj.spend_id else "—"


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
