"""Mandates and legality-check thresholds are data the functional administrator keeps; the ledger is
shown read-only (corrections are reversing entries through the services, never edits)."""

from django.contrib import admin

from .models import Budget, LedgerEntry, LegalityCheckRule, Mandate, PaymentBatch, PaymentBatchItem


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["municipality", "channel", "role", "user", "max_amount", "active"]
    list_filter = ["municipality", "channel", "role", "active"]


@admin.register(LegalityCheckRule)
class LegalityCheckRuleAdmin(admin.ModelAdmin):
    list_display = ["municipality", "channel", "above_amount"]
    list_filter = ["municipality", "channel"]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "team", "channel", "period_start", "period_end"]
    list_filter = ["municipality", "channel"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "budget", "kind", "amount", "spend", "created_by"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentBatchItemInline(admin.TabularInline):
    model = PaymentBatchItem
    fields = ["spend", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(admin.ModelAdmin):
    """Read-only: batches are recorded by the export and closed through the services."""

    list_display = ["message_id", "municipality", "created_at", "execution_date", "count", "total"]
    list_filter = ["municipality"]
    inlines = [PaymentBatchItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
