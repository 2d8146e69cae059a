"""Helpers every service shares: the checks of an amount, a date and a reason, the audit row and the
ledger booking."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, User
from maatwerk.lib import money
from maatwerk.validation import parse_money, parse_text

from ..models import Budget, LedgerEntry, SpendRequest

# The project's one maximum for an amount (see maatwerk.lib.money for why it is what it is).
MAX_AMOUNT = money.MAX_AMOUNT


def valid_amount(value, field: str = "amount") -> Decimal:
    """A positive amount in whole cents up to the one maximum; a ValidationError naming ``field``."""
    errors: dict = {}
    amount = parse_money(
        value, field, errors, minimum=money.CENT, below=_("The amount must be more than zero.")
    )
    if errors:
        raise ValidationError(errors)
    return amount


def date_errors(errors: dict, field: str, value, *, earliest: datetime.date, latest: datetime.date) -> None:
    """Add an error for ``field`` unless ``value`` is a date within [earliest, latest]."""
    if not isinstance(value, datetime.date):
        errors[field] = _("Enter a date, e.g. 31-12-2026.")
    elif isinstance(value, datetime.datetime):
        errors[field] = _("Enter a date without a time, e.g. 31-12-2026.")
    elif not earliest <= value <= latest:
        errors[field] = _("Enter a date from %(earliest)s to %(latest)s.") % {
            "earliest": earliest.strftime("%d-%m-%Y"),
            "latest": latest.strftime("%d-%m-%Y"),
        }


# A reason for a refusal, a cancellation or a withdrawal: a few sentences, not a file.
MAX_REASON = 2000


def valid_reason(reason, field: str = "reason") -> str:
    errors: dict = {}
    reason = parse_text(reason, field, errors, max_length=MAX_REASON)
    if not errors and not reason:
        errors[field] = _("Give a reason.")
    if errors:
        raise ValidationError(errors)
    return reason


def log(by, obj, *, action: str, purpose: str, municipality_id: int, household_id: int | None = None):
    log_access(
        by, obj, action=action, purpose=purpose, municipality_id=municipality_id, household_id=household_id
    )


def log_spend(by, spend: SpendRequest, purpose: str, action: str = AccessLog.Action.UPDATE):
    log(
        by,
        spend,
        action=action,
        purpose=purpose,
        municipality_id=spend.municipality_id,
        household_id=spend.household_id,
    )


def book(
    budget: Budget, kind: str, amount: Decimal, *, by, spend=None, reverses=None, note=""
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        budget=budget,
        kind=kind,
        amount=amount,
        spend=spend,
        reverses=reverses,
        note=note[:200],
        created_by=by,
    )


def user_label(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""
