"""Every change to budgets and spend requests, one function per verb (after Zulip's `zerver/actions`).

Each function takes the acting user as keyword-only `by`, runs in one transaction, validates before it
writes (a `ValidationError` with a {field: Dutch message} dict, nothing half-saved) and writes an
AccessLog row. "You may not" (role, mandate, four eyes) is a `PermissionDenied` with a Dutch message, as in
the other apps: the API answers 403 and the pages show the 403 page. Views and the API fetch objects
through `tenancy` first; who may approve, reject, check, cancel, export and pay (the mandate and the
separation of duties) is asked of `rules`, which the pages ask too.

Money only moves through ledger entries; a booking that would take the available balance below zero is
refused while the budget row is locked, so concurrent approvals cannot overspend.
"""

import datetime
import hashlib
import json
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Municipality, Role, User
from maatwerk.businesscases import services as bc_services
from maatwerk.lib import ledger, money
from maatwerk.lib.money import format_eur, round_money
from maatwerk.validation import parse_money, parse_text

from . import exports, queries, rules
from .models import (
    PARTICIPATIEWET_BASES,
    BatchStatus,
    Budget,
    Channel,
    EntryKind,
    IdempotencyKey,
    LedgerEntry,
    LegalBasis,
    LegalityCheck,
    LegalityCheckRule,
    PayeeKind,
    PaymentBatch,
    PaymentBatchClosure,
    PaymentBatchItem,
    SpendRequest,
    SpendStatus,
    Verdict,
)

# The project's one maximum for an amount (see maatwerk.lib.money for why it is what it is).
MAX_AMOUNT = money.MAX_AMOUNT
# Who may approve: kept here too for the callers that imported it from the services.
approval_refusal = rules.approval_refusal
# A bank executes a payment batch on a date that has not passed. Eight weeks ahead covers the next two
# monthly payment runs, also around the holidays; approved support is meant for a need of now, and a
# batch dated further ahead keeps its transfers out of every next batch until then: such a date is a
# typing error (next year's instead of this year's), not a plan.
MAX_EXECUTION_DAYS_AHEAD = 8 * 7
# Budgets are for this decade, give or take: a period in the year 1 or 9999 is a typing error. A budget
# runs a year, a programme budget a few; five is the longest period accepted.
BUDGET_YEARS_AROUND_TODAY = 10
MAX_BUDGET_PERIOD_DAYS = 5 * 366


# --- helpers -------------------------------------------------------------------------------------------


def _money(value, field: str = "amount") -> Decimal:
    """A positive amount in whole cents up to the one maximum; a ValidationError naming ``field``."""
    errors: dict = {}
    amount = parse_money(
        value, field, errors, minimum=money.CENT, below=_("The amount must be more than zero.")
    )
    if errors:
        raise ValidationError(errors)
    return amount


def _date_errors(errors: dict, field: str, value, *, earliest: datetime.date, latest: datetime.date) -> None:
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


def _reason(reason, field: str = "reason") -> str:
    errors: dict = {}
    reason = parse_text(reason, field, errors, max_length=MAX_REASON)
    if not errors and not reason:
        errors[field] = _("Give a reason.")
    if errors:
        raise ValidationError(errors)
    return reason


def _log(by, obj, *, action: str, purpose: str, municipality_id: int, household_id: int | None = None):
    log_access(
        by, obj, action=action, purpose=purpose, municipality_id=municipality_id, household_id=household_id
    )


def _log_spend(by, spend: SpendRequest, purpose: str, action: str = AccessLog.Action.UPDATE):
    _log(
        by,
        spend,
        action=action,
        purpose=purpose,
        municipality_id=spend.municipality_id,
        household_id=spend.case.household_id,
    )


def _book(
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


def balances(budget: Budget) -> ledger.Balances:
    return budget.balances()


def _lock_budget(budget_id: int) -> Budget:
    # The budget row is the lock that serialises every booking on this budget: on PostgreSQL
    # select_for_update makes a second approval wait here until the first commits, so the balance read
    # next is never stale. On SQLite select_for_update is a no-op, but settings open every transaction
    # with BEGIN IMMEDIATE, which already takes the database write lock before this read.
    return Budget.objects.select_for_update().get(pk=budget_id)


def _lock_spend(spend_id: int) -> SpendRequest:
    return SpendRequest.objects.select_for_update().select_related("case").get(pk=spend_id)


def payload_hash(payload: dict) -> str:
    """SHA-256 of the request's canonical form: the validated, normalised arguments as sorted JSON.

    Normalised, so that a retry that writes the IBAN with spaces or the amount as "150" instead of
    "150.00" is still the same request; the hash, not the payload, is stored (no personal data).
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)  # ASCII: \u escapes
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _idempotent(
    action: str, key: str | None, by, body, *, payload: dict, lock=None, result_field: str = "spend"
):
    """Run `body()` once per (key, action); it returns a SpendRequest, or what `result_field` names.

    A retry with the same `payload` finds the key and returns the first result without booking; the
    same key with another payload is refused (a client that reuses keys would otherwise get the answer
    to a request it did not send). Two concurrent first calls race on the unique (key, action) index:
    the loser's whole transaction rolls back (IntegrityError) and it returns the winner's result.
    `lock()` is taken before the key is looked up, so a retry that waited for the first call's lock sees
    its key once it gets the lock.
    """
    if not key:
        with transaction.atomic():
            return body()
    key = str(key)[:100]
    digest = payload_hash(payload)

    def existing():
        row = IdempotencyKey.objects.select_related(result_field).filter(key=key, action=action).first()
        if row is None:
            return None
        if row.user_id != by.pk:
            raise ValidationError({"idempotency_key": _("This idempotency key was used by someone else.")})
        # Keys stored before the hash was kept (empty) are taken as matching.
        if row.payload_hash and row.payload_hash != digest:
            raise ValidationError(
                {
                    "idempotency_key": _(
                        "This idempotency key was already used for a request with other content. "
                        "Use a new key for a new request."
                    )
                }
            )
        return getattr(row, result_field)

    try:
        with transaction.atomic():
            if lock is not None:
                lock()
            found = existing()
            if found is not None:
                return found
            result = body()
            IdempotencyKey.objects.create(
                key=key, action=action, user=by, payload_hash=digest, **{result_field: result}
            )
            return result
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


# --- budgets -------------------------------------------------------------------------------------------


def create_budget(*, by, municipality, channel: str, period_start, period_end, team=None) -> Budget:
    if municipality.pk not in tenancy.municipality_ids(by, [Role.ADMIN]):
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
    _date_errors(errors, "period_start", period_start, **bounds)
    _date_errors(errors, "period_end", period_end, **bounds)
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
        _log(
            by,
            budget,
            action=AccessLog.Action.CREATE,
            purpose="create budget",
            municipality_id=municipality.pk,
        )
    return budget


def allocate(budget: Budget, *, by, amount, note: str = "") -> LedgerEntry:
    if budget.municipality_id not in tenancy.municipality_ids(by, [Role.ADMIN]):
        raise PermissionDenied(_("Only an administrator of this municipality may allocate budget."))
    amount = _money(amount)
    with transaction.atomic():
        budget = _lock_budget(budget.pk)
        # Sums of a budget's entries are read back as DecimalField(max_digits=12) values: keep them in range.
        if budget.balances().allocated + amount > money.MAX_STORED:
            raise ValidationError(
                {"amount": _("A budget holds at most %(max)s.") % {"max": format_eur(money.MAX_STORED)}}
            )
        entry = _book(budget, EntryKind.ALLOCATION, amount, by=by, note=note)
        _log(
            by,
            budget,
            action=AccessLog.Action.UPDATE,
            purpose="allocate",
            municipality_id=budget.municipality_id,
        )
    return entry


def reverse_allocation(entry: LedgerEntry, *, by, reason: str) -> LedgerEntry:
    """Correct an allocation with a reversing entry; refused when that money is already committed or paid."""
    if entry.budget.municipality_id not in tenancy.municipality_ids(by, [Role.ADMIN]):
        raise PermissionDenied(_("Only an administrator of this municipality may allocate budget."))
    reason = _reason(reason)
    with transaction.atomic():
        budget = _lock_budget(entry.budget_id)
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
        reversal = _book(budget, EntryKind.REVERSAL, entry.amount, by=by, reverses=entry, note=reason)
        _log(
            by,
            budget,
            action=AccessLog.Action.UPDATE,
            purpose="reverse allocation",
            municipality_id=budget.municipality_id,
        )
    return reversal


def open_commitment(spend: SpendRequest) -> Decimal:
    """What this request still holds committed on its budget: approved and not yet paid or released."""
    return ledger.balances(LedgerEntry.objects.filter(spend=spend).as_rows()).committed


def _refuse_above_available(budget: Budget, amount: Decimal) -> None:
    """A request for more than the budget has left cannot be approved: refuse it now, naming what is left.

    Read without the budget's lock: approval checks again under the lock, this is the early answer.
    """
    available = budget.balances().available
    if amount > available:
        raise ValidationError(
            {
                "amount": _("There is still %(available)s available in this budget.")
                % {"available": format_eur(max(available, ledger.ZERO))}
            }
        )


def budget_for(case, channel: str, on: datetime.date | None = None) -> Budget | None:
    """The team's budget for this channel and date, else the municipality's."""
    on = on or timezone.localdate()
    current = Budget.objects.filter(
        municipality_id=case.municipality_id, channel=channel, period_start__lte=on, period_end__gte=on
    )
    return current.filter(team_id=case.team_id).first() or current.filter(team__isnull=True).first()


def needs_legality_check(municipality_id: int, channel: str, amount: Decimal) -> bool:
    rule = LegalityCheckRule.objects.filter(municipality_id=municipality_id, channel=channel).first()
    return rule is not None and amount > rule.above_amount


# --- spend requests ------------------------------------------------------------------------------------


def request_spend(
    *,
    by,
    case,
    amount,
    channel: str,
    purpose: str,
    legal_basis: str,
    payee_kind: str = PayeeKind.BANK,
    creditor_name: str = "",
    iban: str = "",
    deviates_from_policy: bool = False,
    deviation_motivation: str = "",
    business_case_version=None,
    value_triangle=None,
    budget: Budget | None = None,
    idempotency_key: str | None = None,
) -> SpendRequest:
    if case.team_id not in tenancy.team_ids(by):
        raise PermissionDenied(_("Only workers and team leads of the case's team may request money."))
    errors = {}
    try:
        amount = _money(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Choose a legal basis.")
    elif channel == Channel.BIJZONDERE_BIJSTAND and legal_basis not in PARTICIPATIEWET_BASES:
        errors["legal_basis"] = _("Special assistance needs a legal basis in the Participatiewet.")
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = _("Describe what the money is for.")
    elif len(purpose) > 140:
        errors["purpose"] = _("Use at most %(n)d characters.") % {"n": 140}
    creditor_name = (creditor_name or "").strip()
    iban = stdnum_iban.compact(iban or "")
    if payee_kind == PayeeKind.BANK:
        if not creditor_name:
            errors["creditor_name"] = _("Give the name of the account holder.")
        elif len(creditor_name) > 70:
            errors["creditor_name"] = _("Use at most %(n)d characters.") % {"n": 70}
        if not stdnum_iban.is_valid(iban):
            errors["iban"] = _("This is not a valid IBAN.")
    elif payee_kind == PayeeKind.IN_KIND:
        iban = ""
    else:
        errors["payee_kind"] = _("Choose bank transfer or in kind.")
    deviation_motivation = parse_text(deviation_motivation, "deviation_motivation", errors)
    if deviates_from_policy and value_triangle is None and not deviation_motivation:
        errors["value_triangle"] = _(
            "A request that deviates from the policy rules needs a value triangle (waardendriehoek)."
        )
    if value_triangle is not None and value_triangle.case_id != case.pk:
        errors["value_triangle"] = _("This value triangle belongs to another case.")
    if business_case_version is not None and business_case_version.business_case.case_id != case.pk:
        errors["business_case_version"] = _("This business-case version belongs to another case.")
    explicit_budget = budget is not None
    if budget is None and "channel" not in errors:
        budget = budget_for(case, channel)
    if budget is None and "channel" not in errors:
        errors["channel"] = _("There is no budget for this channel and period.")
    elif budget is not None and (
        budget.municipality_id != case.municipality_id
        or budget.team_id not in (None, case.team_id)
        or budget.channel != channel
    ):
        errors["budget"] = _("This budget is not for this case's team and channel.")
    if errors:
        raise ValidationError(errors)
    # What the caller asked for, normalised; the budget only when named (else it follows from the case).
    payload = {
        "case": case.pk,
        "amount": str(amount),
        "channel": channel,
        "purpose": purpose,
        "legal_basis": legal_basis,
        "payee_kind": payee_kind,
        "creditor_name": creditor_name,
        "iban": iban,
        "deviates_from_policy": bool(deviates_from_policy),
        "deviation_motivation": deviation_motivation,
        "business_case_version": getattr(business_case_version, "pk", None),
        "value_triangle": getattr(value_triangle, "pk", None),
        "budget": budget.pk if explicit_budget else None,
    }

    def body():
        # Inside the idempotent body: a retry of a request that was accepted finds it, also when the
        # budget has been spent meanwhile.
        _refuse_above_available(budget, amount)
        spend = SpendRequest.objects.create(
            municipality_id=case.municipality_id,
            team_id=case.team_id,
            budget=budget,
            case=case,
            business_case_version=business_case_version,
            value_triangle=value_triangle,
            channel=channel,
            amount=amount,
            payee_kind=payee_kind,
            creditor_name=creditor_name,
            iban=iban,
            purpose=purpose,
            legal_basis=legal_basis,
            deviates_from_policy=bool(deviates_from_policy),
            deviation_motivation=deviation_motivation,
            needs_legality_check=needs_legality_check(case.municipality_id, channel, amount),
            status=SpendStatus.REQUESTED,
            requested_by=by,
        )
        _log_spend(by, spend, "request spend", AccessLog.Action.CREATE)
        return spend

    return _idempotent("request", idempotency_key, by, body, payload=payload)


def latest_check(spend: SpendRequest) -> LegalityCheck | None:
    return spend.legality_checks.order_by("-checked_at", "-id").first()


def approve_spend(spend: SpendRequest, *, by, idempotency_key: str | None = None) -> SpendRequest:
    def body():
        budget = _lock_budget(spend.budget_id)
        current = _lock_spend(spend.pk)
        if current.status != SpendStatus.REQUESTED:
            raise ValidationError(
                {
                    "status": _("Only a requested spend can be approved; this one is %(status)s.")
                    % {"status": current.get_status_display()}
                }
            )
        refusal = rules.approval_refusal(current, by)
        if refusal:
            raise PermissionDenied(refusal)
        if current.needs_legality_check:
            check = latest_check(current)
            if check is None:
                raise ValidationError({"legality_check": _("This request needs a legality check first.")})
            if check.verdict != Verdict.LAWFUL:
                raise ValidationError(
                    {"legality_check": _("The legality check found this request not lawful.")}
                )
        available = budget.balances().available
        if current.amount > available:
            raise ValidationError(
                {
                    "amount": _("Not enough budget: %(available)s is available, %(amount)s is requested.")
                    % {"available": format_eur(available), "amount": format_eur(current.amount)}
                }
            )
        _book(budget, EntryKind.COMMITMENT, current.amount, by=by, spend=current)
        current.status = SpendStatus.APPROVED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        _log_spend(by, current, "approve spend")
        _freeze_business_case(current, by)
        return current

    return _idempotent(
        "approve",
        idempotency_key,
        by,
        body,
        payload={"spend": spend.pk},
        lock=lambda: _lock_budget(spend.budget_id),
    )


def _freeze_business_case(spend: SpendRequest, by) -> None:
    """The approved decision rests on this business-case version: freeze it, in the same transaction."""
    if spend.business_case_version_id is None:
        return
    bc_services.freeze_version(
        spend.business_case_version,
        by=by,
        reason=_("Spend request %(ref)s approved") % {"ref": spend.reference},
    )


def reject_spend(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    reason = _reason(reason)
    with transaction.atomic():
        current = _lock_spend(spend.pk)
        if current.status != SpendStatus.REQUESTED:
            raise ValidationError({"status": _("Only a requested spend can be rejected.")})
        refusal = rules.rejection_refusal(current, by)
        if refusal:
            raise PermissionDenied(refusal)
        current.status = SpendStatus.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.decision_reason = reason
        current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _log_spend(by, current, "reject spend")
    return current


def cancel_spend(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    """Withdraw a requested or approved spend; an approved one releases its commitment."""
    reason = _reason(reason)
    with transaction.atomic():
        budget = _lock_budget(spend.budget_id)
        current = _lock_spend(spend.pk)
        if current.status not in (SpendStatus.DRAFT, SpendStatus.REQUESTED, SpendStatus.APPROVED):
            raise ValidationError(
                {"status": _("Only a request that is not paid, rejected or cancelled can be cancelled.")}
            )
        refusal = rules.cancel_refusal(current, by)
        if refusal:
            raise PermissionDenied(refusal)
        # Exported means the transfer may already be at the bank: releasing the money now could spend it
        # twice. The batch is withdrawn first (checked after the spend's lock, which the export takes too).
        if PaymentBatchItem.objects.in_open_batches().filter(spend=current).exists():
            raise ValidationError(
                {
                    "status": _(
                        "This request is in an exported payment batch that may already be at the bank. "
                        "Ask an administrator to withdraw the batch first; then it can be cancelled."
                    )
                }
            )
        # Give back what this request still holds committed, never more: a request that was never
        # approved (or whose commitment went into a payment) releases nothing.
        committed = open_commitment(current)
        if committed > 0:
            _book(budget, EntryKind.RELEASE, committed, by=by, spend=current, note=reason)
        current.status = SpendStatus.CANCELLED
        current.decision_reason = reason
        current.save(update_fields=["status", "decision_reason"])
        _log_spend(by, current, "cancel spend")
    return current


# The note on the release booked with a payment: `reverse_payment` finds that release by it.
PAYMENT_RELEASE_NOTE = "payment"


def _payment_refusal(spend: SpendRequest, by) -> tuple[str, str] | None:
    """(field, Dutch sentence) saying why `by` may not mark this locked spend paid now, or None."""
    if spend.status != SpendStatus.APPROVED:
        return "status", _("Only an approved request can be paid.")
    refusal = rules.payment_refusal(spend, by)
    return ("payer", refusal) if refusal else None


def _book_payment(budget: Budget, spend: SpendRequest, *, by, note: str = "") -> None:
    """The one ledger path of a payment (single or in a batch); budget and spend are locked by the caller.

    The commitment is released and the payment booked together, so `available` does not move and
    `committed` turns into `paid`.
    """
    _book(budget, EntryKind.RELEASE, spend.amount, by=by, spend=spend, note=PAYMENT_RELEASE_NOTE)
    _book(budget, EntryKind.PAYMENT, spend.amount, by=by, spend=spend, note=note)
    spend.status = SpendStatus.PAID
    spend.paid_by = by
    spend.paid_at = timezone.now()
    spend.save(update_fields=["status", "paid_by", "paid_at"])
    _log_spend(by, spend, "pay spend")


def pay_spend(spend: SpendRequest, *, by, idempotency_key: str | None = None) -> SpendRequest:
    """Mark an approved request paid: the commitment is released and the payment booked, together."""

    def body():
        budget = _lock_budget(spend.budget_id)
        current = _lock_spend(spend.pk)
        refusal = _payment_refusal(current, by)
        if refusal:
            field, message = refusal
            # "payer" refusals are about who may pay (four eyes, role); "status" is about the request.
            raise PermissionDenied(message) if field == "payer" else ValidationError({field: message})
        _book_payment(budget, current, by=by)
        return current

    return _idempotent(
        "pay",
        idempotency_key,
        by,
        body,
        payload={"spend": spend.pk},
        lock=lambda: _lock_budget(spend.budget_id),
    )


def reverse_payment(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    """A payment that came back (wrong IBAN, returned by the bank): reverse both entries of the payment.

    The request is approved again, its money committed again, so it can be paid anew or cancelled.
    """
    reason = _reason(reason)
    with transaction.atomic():
        budget = _lock_budget(spend.budget_id)
        current = _lock_spend(spend.pk)
        if current.status != SpendStatus.PAID:
            raise ValidationError({"status": _("Only a paid request can have its payment reversed.")})
        if current.municipality_id not in tenancy.municipality_ids(by, [Role.ADMIN]):
            raise PermissionDenied(_("Only an administrator may reverse a payment."))
        open_entries = LedgerEntry.objects.filter(
            spend=current, kind__in=[EntryKind.PAYMENT, EntryKind.RELEASE], reversed_by__isnull=True
        ).order_by("-id")
        payment = next(e for e in open_entries if e.kind == EntryKind.PAYMENT)
        release = next(
            e for e in open_entries if e.kind == EntryKind.RELEASE and e.note == PAYMENT_RELEASE_NOTE
        )
        _book(budget, EntryKind.REVERSAL, payment.amount, by=by, spend=current, reverses=payment, note=reason)
        _book(budget, EntryKind.REVERSAL, release.amount, by=by, spend=current, reverses=release, note=reason)
        current.status = SpendStatus.APPROVED
        current.paid_by = None
        current.paid_at = None
        current.save(update_fields=["status", "paid_by", "paid_at"])
        _log_spend(by, current, "reverse payment")
    return current


def record_legality_check(
    spend: SpendRequest,
    *,
    by,
    verdict: str,
    legal_basis_ok: bool,
    mandate_ok: bool,
    deviation_ok: bool,
    prior_provisions_considered: bool,
    amount_reasonable: bool,
    notes: str = "",
) -> LegalityCheck:
    refusal = rules.check_refusal(spend, by)
    if refusal:
        raise PermissionDenied(refusal)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose a verdict.")})
    errors: dict = {}
    notes = parse_text(notes, "notes", errors)
    if errors:
        raise ValidationError(errors)
    if verdict == Verdict.UNLAWFUL and not notes:
        raise ValidationError({"notes": _("Explain why the request is not lawful.")})
    with transaction.atomic():
        current = _lock_spend(spend.pk)
        if current.status != SpendStatus.REQUESTED:
            raise ValidationError({"status": _("Only a requested spend can be checked.")})
        refusal = rules.check_refusal(current, by)
        if refusal:
            raise PermissionDenied(refusal)
        check = LegalityCheck.objects.create(
            spend=current,
            checked_by=by,
            verdict=verdict,
            legal_basis_ok=bool(legal_basis_ok),
            mandate_ok=bool(mandate_ok),
            deviation_ok=bool(deviation_ok),
            prior_provisions_considered=bool(prior_provisions_considered),
            amount_reasonable=bool(amount_reasonable),
            notes=notes,
        )
        _log_spend(by, current, "legality check", AccessLog.Action.CREATE)
    return check


# --- payment batches -----------------------------------------------------------------------------------


def _message_id(municipality: Municipality, now: datetime.datetime) -> str:
    # A bank refuses a second file with a message id it has seen, so each batch gets its own: the
    # municipality, the second and a random part (two exports in one second differ). 29 of SEPA's 35.
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    return f"MW-{municipality.code}-{stamp}-{secrets.token_hex(3).upper()}"


def export_payment_batch(
    *,
    by,
    municipality: Municipality,
    debtor_name: str,
    debtor_iban: str,
    execution_date: datetime.date,
    debtor_bic: str = "",
    idempotency_key: str | None = None,
) -> PaymentBatch:
    """Record a new batch with every approved bank transfer of the municipality that is in no open batch.

    The batch holds what goes into the SEPA file (pain.001) and under which message id. A spend that is
    already in an exported batch that was not marked paid or withdrawn is left out, so that the same
    transfer is not sent to the bank twice. Refused when nothing is left to export.
    """
    if municipality.pk not in tenancy.municipality_ids(by, [Role.ADMIN]):
        raise PermissionDenied(_("Only an administrator of this municipality may export payments."))
    errors = {}
    debtor_name = (debtor_name or "").strip()
    if not debtor_name:
        errors["debtor_name"] = _("Give the name of the account holder.")
    elif len(debtor_name) > 70:
        errors["debtor_name"] = _("Use at most %(n)d characters.") % {"n": 70}
    debtor_iban = stdnum_iban.compact(debtor_iban or "")
    if not stdnum_iban.is_valid(debtor_iban):
        errors["debtor_iban"] = _("This is not a valid IBAN.")
    debtor_bic = stdnum_bic.compact(debtor_bic or "")
    if debtor_bic and not stdnum_bic.is_valid(debtor_bic):
        errors["debtor_bic"] = _("This is not a valid BIC.")
    today = timezone.localdate()
    _date_errors(
        errors,
        "execution_date",
        execution_date,
        earliest=today,
        latest=today + datetime.timedelta(days=MAX_EXECUTION_DAYS_AHEAD),
    )
    if errors:
        raise ValidationError(errors)

    def body():
        # The municipality row serialises two exports of the same municipality. Locking the spend rows
        # alone would not do on PostgreSQL: the second export's snapshot would not see the first one's
        # batch items, and a row that was only locked (not changed) is not checked again once the first
        # transaction commits, so both batches would hold the same transfers.
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        spends = list(
            SpendRequest.objects.select_for_update()
            .select_related("case")
            .filter(municipality=municipality, status=SpendStatus.APPROVED, payee_kind=PayeeKind.BANK)
            .exclude(pk__in=PaymentBatchItem.objects.in_open_batches().values("spend_id"))
            .order_by("decided_at", "pk")
        )
        # Separate duties: a transfer that `by` requested or approved is left for another administrator.
        own = [s for s in spends if rules.export_refusal(s, by)]
        spends = [s for s in spends if s not in own]
        if not spends and own:
            message = ngettext(
                "There is nothing you may export: the %(n)d approved transfer left was requested or "
                "approved by you, so another administrator exports it.",
                "There is nothing you may export: the %(n)d approved transfers left were requested or "
                "approved by you, so another administrator exports them.",
                len(own),
            )
            raise PermissionDenied(message % {"n": len(own)})
        if not spends:
            raise ValidationError(
                {
                    "spends": _(
                        "There is nothing to export: every approved bank transfer is already in an "
                        "exported batch that has not been marked paid."
                    )
                }
            )
        total = sum((s.amount for s in spends), round_money(0))
        if total > money.MAX_STORED:
            message = _("Together the approved transfers exceed %(max)s, more than one batch can hold.")
            raise ValidationError({"spends": message % {"max": format_eur(money.MAX_STORED)}})
        now = timezone.now()
        batch = PaymentBatch.objects.create(
            municipality=municipality,
            message_id=_message_id(municipality, now),
            execution_date=execution_date,
            debtor_name=debtor_name,
            debtor_iban=debtor_iban,
            debtor_bic=debtor_bic,
            total=total,
            count=len(spends),
            created_by=by,
            created_at=now,
        )
        PaymentBatchItem.objects.bulk_create(
            [PaymentBatchItem(batch=batch, spend=s, amount=s.amount) for s in spends]
        )
        try:
            # The file is written and checked before anything is recorded: a batch whose file a bank
            # would refuse rolls back with this transaction (the schema error is in the log).
            exports.batch_pain_001(batch, spends)
        except exports.SepaFileInvalid:
            raise ValidationError({"spends": str(exports.NOT_RECORDED)}) from None
        _log(
            by,
            batch,
            action=AccessLog.Action.CREATE,
            purpose="export payment batch",
            municipality_id=municipality.pk,
        )
        queries.log_spends(by, spends, purpose="payment export", action=AccessLog.Action.EXPORT)
        return batch

    payload = {
        "municipality": municipality.pk,
        "debtor_name": debtor_name,
        "debtor_iban": debtor_iban,
        "debtor_bic": debtor_bic,
        "execution_date": execution_date.isoformat(),
    }
    return _idempotent("export_batch", idempotency_key, by, body, payload=payload, result_field="batch")


def _lock_batch(batch_id: int) -> PaymentBatch:
    # The batch row serialises closing it: a second "mark paid" (a double click, a retry without key)
    # waits here and then finds the closure.
    return PaymentBatch.objects.select_for_update().get(pk=batch_id)


def _refuse_closed(batch: PaymentBatch) -> None:
    closure = PaymentBatchClosure.objects.filter(batch=batch).first()
    if closure is not None:
        raise ValidationError(
            {"batch": _("This batch is already %(status)s.") % {"status": closure.get_outcome_display()}}
        )


def _reloaded(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_related("closure").get(pk=batch.pk)


def mark_batch_paid(batch: PaymentBatch, *, by, idempotency_key: str | None = None) -> PaymentBatch:
    """The bank carried out the batch: mark every spend in it paid, in one transaction.

    Each spend goes through the same ledger path as `pay_spend` (release the commitment, book the
    payment) under the same rule (`rules.payment_refusal`: the administrator, neither requester nor
    approver). All or nothing: when any spend can no longer
    be paid (paid on its own meanwhile, cancelled) or `by` may not pay it, nothing is booked and the
    error names every such spend.
    """

    def body():
        current = _lock_batch(batch.pk)
        _refuse_closed(current)
        spend_ids = list(current.items.order_by("id").values_list("spend_id", flat=True))
        budget_ids = set(SpendRequest.objects.filter(pk__in=spend_ids).values_list("budget_id", flat=True))
        # Same lock order as pay_spend and approve_spend (budgets before spends), each in id order, so a
        # batch and single bookings on the same budgets wait for each other instead of deadlocking.
        budgets = {
            b.pk: b for b in Budget.objects.select_for_update().filter(pk__in=budget_ids).order_by("pk")
        }
        locked = {
            s.pk: s
            for s in SpendRequest.objects.select_for_update()
            .select_related("case")
            .filter(pk__in=spend_ids)
            .order_by("pk")
        }
        spends = [locked[pk] for pk in spend_ids]
        errors: dict[str, list[str]] = {}
        for spend in spends:
            refusal = _payment_refusal(spend, by)
            if refusal is None:
                continue
            field, message = refusal
            if field == "status":
                message = _("%(ref)s can no longer be paid: it is %(status)s.") % {
                    "ref": spend.reference,
                    "status": spend.get_status_display(),
                }
            else:
                message = f"{spend.reference}: {message}"
            errors.setdefault(field, []).append(message)
        if errors:
            errors["batch"] = [
                _(
                    "Nothing in this batch was marked paid. Mark the other requests paid one by one, or "
                    "withdraw the batch and export them again."
                )
            ]
            raise ValidationError(errors)
        for spend in spends:
            _book_payment(budgets[spend.budget_id], spend, by=by, note=current.message_id)
        PaymentBatchClosure.objects.create(batch=current, outcome=BatchStatus.PAID, closed_by=by)
        _log(
            by,
            current,
            action=AccessLog.Action.UPDATE,
            purpose="mark batch paid",
            municipality_id=current.municipality_id,
        )
        return _reloaded(current)

    return _idempotent(
        "pay_batch",
        idempotency_key,
        by,
        body,
        payload={"batch": batch.pk},
        lock=lambda: _lock_batch(batch.pk),
        result_field="batch",
    )


def withdraw_batch(batch: PaymentBatch, *, by, reason: str) -> PaymentBatch:
    """The bank did not and will not carry out this file: close the batch so its spends can be exported anew.

    Books nothing: the spends stay approved (or whatever they became meanwhile).
    """
    if batch.municipality_id not in tenancy.municipality_ids(by, [Role.ADMIN]):
        raise PermissionDenied(_("Only an administrator of this municipality may withdraw a payment batch."))
    reason = _reason(reason)
    with transaction.atomic():
        current = _lock_batch(batch.pk)
        _refuse_closed(current)
        PaymentBatchClosure.objects.create(
            batch=current, outcome=BatchStatus.WITHDRAWN, reason=reason, closed_by=by
        )
        _log(
            by,
            current,
            action=AccessLog.Action.UPDATE,
            purpose="withdraw payment batch",
            municipality_id=current.municipality_id,
        )
    return _reloaded(current)


def user_label(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""
