"""Budgets and their allocations: created, topped up and corrected by a municipality's administrator."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts.models import AccessLog
from maatwerk.lib import ledger, money
from maatwerk.lib.money import format_eur

from .. import rules
from ..models import Budget, Channel, EntryKind, LedgerEntry
from .common import book, date_errors, log, valid_amount, valid_reason
from .locking import lock_budget

# Budgets are for this decade, give or take: a period in the year 1 or 9999 is a typing error. A budget
# runs a year, a programme budget a few; five is the longest period accepted.
BUDGET_YEARS_AROUND_TODAY = 10
MAX_BUDGET_PERIOD_DAYS = 5 * 366


def balances(budget: Budget) -> ledger.Balances:
    return budget.balances()


def create_budget(*, by, municipality, channel: str, period_start, period_end, team=None) -> Budget:
    if not rules.is_admin_of(municipality.pk, by):
        raise PermissionDenied(_("Only an administrator of this municipality may do this."))
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if team is not None and team.municipality_id != municipality.pk:
        errors["team"] = _("The team does not belong to this municipality.")
    year = timezone.localdate().year
    bounds = {
        "earliest": datetime.date(year - BUDGET_YEARS_AROUND_TODAY, 1, 1),
        "latest": datetime.date(year + BUDGET_YEARS_AROUND_TODAY, 12, 31),
    }
    date_errors(errors, "period_start", period_start, **bounds)
    date_errors(errors, "period_end", period_end, **bounds)
    if not errors.keys() & {"period_start", "period_end"}:
        if period_end < period_start:
            errors["period_end"] = _("The period ends before it starts.")
        elif (period_end - period_start).days > MAX_BUDGET_PERIOD_DAYS:
            errors["period_end"] = _("A budget period lasts at most five years.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if Budget.objects.filter(
            municipality=municipality, team=team, channel=channel, period_start=period_start
        ).exists():
            raise ValidationError({"period_start": _("There already is a budget for this period.")})
        budget = Budget.objects.create(
            municipality=municipality,
            team=team,
            channel=channel,
            period_start=period_start,
            period_end=period_end,
        )
        log(
            by,
            budget,
            action=AccessLog.Action.CREATE,
            purpose="create budget",
            municipality_id=municipality.pk,
        )
    return budget


def allocate(budget: Budget, *, by, amount, note: str = "") -> LedgerEntry:
    if not rules.is_admin_of(budget.municipality_id, by):
        raise PermissionDenied(_("Only an administrator of this municipality may allocate budget."))
    amount = valid_amount(amount)
    with transaction.atomic():
        budget = lock_budget(budget.pk)
        # Sums of a budget's entries are read back as DecimalField(max_digits=12) values: keep them in range.
        if budget.balances().allocated + amount > money.MAX_STORED:
            raise ValidationError(
                {"amount": _("A budget holds at most %(max)s.") % {"max": format_eur(money.MAX_STORED)}}
            )
        entry = book(budget, EntryKind.ALLOCATION, amount, by=by, note=note)
        log(
            by,
            budget,
            action=AccessLog.Action.UPDATE,
            purpose="allocate",
            municipality_id=budget.municipality_id,
        )
    return entry


def reverse_allocation(entry: LedgerEntry, *, by, reason: str) -> LedgerEntry:
    """Correct an allocation with a reversing entry; refused when that money is already committed or paid."""
    if not rules.is_admin_of(entry.budget.municipality_id, by):
        raise PermissionDenied(_("Only an administrator of this municipality may allocate budget."))
    reason = valid_reason(reason)
    with transaction.atomic():
        budget = lock_budget(entry.budget_id)
        entry = LedgerEntry.objects.get(pk=entry.pk)
        if entry.kind != EntryKind.ALLOCATION or LedgerEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(
                {"entry": _("Only an allocation that was not reversed yet can be reversed.")}
            )
        available = budget.balances().available
        if available < entry.amount:
            raise ValidationError(
                {
                    "amount": _("Not enough budget left to reverse this allocation: %(available)s available.")
                    % {"available": format_eur(available)}
                }
            )
        reversal = book(budget, EntryKind.REVERSAL, entry.amount, by=by, reverses=entry, note=reason)
        log(
            by,
            budget,
            action=AccessLog.Action.UPDATE,
            purpose="reverse allocation",
            municipality_id=budget.municipality_id,
        )
    return reversal
