"""Spend requests: requested, approved, rejected, cancelled, paid one by one and reversed."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from maatwerk.accounts import audit, tenancy
from maatwerk.accounts.models import AccessLog
from maatwerk.businesscases import services as bc_services
from maatwerk.lib import ledger
from maatwerk.lib.money import format_eur
from maatwerk.validation import parse_text

from .. import rules, signals
from ..models import (
    PARTICIPATIEWET_BASES,
    Budget,
    Channel,
    EntryKind,
    Kind,
    LedgerEntry,
    LegalBasis,
    PayeeKind,
    PaymentBatchItem,
    SpendRequest,
    SpendStatus,
    Verdict,
)
from .common import (
    balances_under_lock,
    book,
    decided_row,
    entry_row,
    log_spend,
    valid_amount,
    valid_reason,
    write_together,
)
from .locking import hold_budget, idempotent, lock_budget, lock_spend


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


def request_spend(
    *,
    by,
    case,
    amount,
    channel: str,
    purpose: str,
    legal_basis: str,
    kind: str = Kind.OTHER,
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
        amount = valid_amount(amount)
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
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of maatwerk.")
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
        budget = rules.budget_for(case, channel)
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
    # Only a kind other than the default is part of the payload: a retry of a request made before kinds
    # existed (its key's hash stored without one) still matches its first call.
    if kind != Kind.OTHER:
        payload["kind"] = kind

    def body():
        # Inside the idempotent body: a retry of a request that was accepted finds it, also when the
        # budget has been spent or the mandates changed meanwhile.
        _refuse_above_available(budget, amount)
        # The request goes to the lowest rung of the mandate ladder that covers it and has someone to
        # approve it; one that no rung covers is refused now, not left in no one's queue.
        way = rules.route(
            municipality_id=case.municipality_id,
            team_id=case.team_id,
            channel=channel,
            amount=amount,
            requested_by=by,
        )
        if way.refusal:
            raise ValidationError({"amount": way.refusal})
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
            kind=kind,
            legal_basis=legal_basis,
            deviates_from_policy=bool(deviates_from_policy),
            deviation_motivation=deviation_motivation,
            needs_legality_check=way.needs_check,
            approver_mandate=way.mandate,
            status=SpendStatus.REQUESTED,
            requested_by=by,
        )
        log_spend(by, spend, "request spend", AccessLog.Action.CREATE)
        return spend

    return idempotent("request", idempotency_key, by, body, payload=payload)


def approve_spend(spend: SpendRequest, *, by, idempotency_key: str | None = None) -> SpendRequest:
    """Approve a requested spend within `by`'s mandate: commit its amount on the budget.

    The hot path of the budget (bench/bench_budgets.py, bench/README.md): the budget's lock, the balance
    and the three writes are plain SQL (the ORM was two thirds of an approval's Python), the writes in one
    round trip; `test_statement_count.py` pins the statements and checks the rows read back as the ORM's.
    """
    # A keyed call takes the budget's lock before it looks up its key (see `idempotent`); the body then
    # holds it already and does not take it again.
    held = False

    def lock():
        nonlocal held
        hold_budget(spend.budget_id)
        held = True

    def body():
        if not held:
            hold_budget(spend.budget_id)
        current = lock_spend(spend.pk)
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
            verdict = rules.check_verdict(current)
            if verdict is None:
                raise ValidationError({"legality_check": _("This request needs a legality check first.")})
            if verdict != Verdict.LAWFUL:
                raise ValidationError(
                    {"legality_check": _("The legality check found this request not lawful.")}
                )
        # Read under the budget's lock, so a concurrent approval's commitment is in it.
        available = balances_under_lock(spend.budget_id).available
        if current.amount > available:
            raise ValidationError(
                {
                    "amount": _("Not enough budget: %(available)s is available, %(amount)s is requested.")
                    % {"available": format_eur(available), "amount": format_eur(current.amount)}
                }
            )
        current.status = SpendStatus.APPROVED
        current.decided_by = by
        current.decided_at = timezone.now()
        # The commitment, the request's new status and the audit row, as `book`, `save()` and `log_spend`
        # would write them, in one round trip.
        write_together(
            entry_row(spend.budget_id, EntryKind.COMMITMENT, current.amount, by=by, spend_id=current.pk),
            decided_row(current),
            audit.change_row(
                by,
                current,
                action=AccessLog.Action.UPDATE,
                purpose="approve spend",
                municipality_id=current.municipality_id,
                household_id=current.household_id,
            ),
        )
        _freeze_business_case(current, by)
        _announce_decision(current)
        return current

    return idempotent("approve", idempotency_key, by, body, payload={"spend": spend.pk}, lock=lock)


def _announce_decision(spend: SpendRequest) -> None:
    """zaken (the export to Open Zaak) listens; sent once the decision is committed."""
    signals.send_on_commit(
        signals.spend_decided, SpendRequest, spend_id=spend.pk, case_id=spend.case_id, status=spend.status
    )


def _freeze_business_case(spend: SpendRequest, by) -> None:
    """The approved decision rests on this business-case version: freeze it, in the same transaction."""
    if spend.business_case_version_id is None:
        return
    bc_services.freeze_version(
        spend.business_case_version,
        by=by,
        reason=_("Spend request %(ref)s approved") % {"ref": spend.reference},
        # approve_spend checked the mandate of `by` under the locks; the decision is theirs.
        decision_maker=True,
    )


def reject_spend(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    reason = valid_reason(reason)
    with transaction.atomic():
        current = lock_spend(spend.pk)
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
        log_spend(by, current, "reject spend")
        _announce_decision(current)
    return current


def cancel_spend(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    """Withdraw a requested or approved spend; an approved one releases its commitment."""
    reason = valid_reason(reason)
    with transaction.atomic():
        budget = lock_budget(spend.budget_id)
        current = lock_spend(spend.pk)
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
            book(budget, EntryKind.RELEASE, committed, by=by, spend=current, note=reason)
        current.status = SpendStatus.CANCELLED
        current.decision_reason = reason
        current.save(update_fields=["status", "decision_reason"])
        log_spend(by, current, "cancel spend")
    return current


# The note on the release booked with a payment: `reverse_payment` finds that release by it.

PAYMENT_RELEASE_NOTE = "payment"


def payment_problem(spend: SpendRequest, by) -> tuple[str, str] | None:
    """(field, Dutch sentence) saying why `by` may not mark this locked spend paid now, or None."""
    if spend.status != SpendStatus.APPROVED:
        return "status", _("Only an approved request can be paid.")
    refusal = rules.payment_refusal(spend, by)
    return ("payer", refusal) if refusal else None


def book_payment(budget: Budget, spend: SpendRequest, *, by, note: str = "") -> None:
    """The one ledger path of a payment (single or in a batch); budget and spend are locked by the caller.

    The commitment is released and the payment booked together, so `available` does not move and
    `committed` turns into `paid`.
    """
    book(budget, EntryKind.RELEASE, spend.amount, by=by, spend=spend, note=PAYMENT_RELEASE_NOTE)
    book(budget, EntryKind.PAYMENT, spend.amount, by=by, spend=spend, note=note)
    spend.status = SpendStatus.PAID
    spend.paid_by = by
    spend.paid_at = timezone.now()
    spend.save(update_fields=["status", "paid_by", "paid_at"])
    log_spend(by, spend, "pay spend")


def pay_spend(spend: SpendRequest, *, by, idempotency_key: str | None = None) -> SpendRequest:
    """Mark an approved request paid: the commitment is released and the payment booked, together."""

    def body():
        budget = lock_budget(spend.budget_id)
        current = lock_spend(spend.pk)
        refusal = payment_problem(current, by)
        if refusal:
            field, message = refusal
            # "payer" refusals are about who may pay (four eyes, role); "status" is about the request.
            raise PermissionDenied(message) if field == "payer" else ValidationError({field: message})
        book_payment(budget, current, by=by)
        return current

    return idempotent(
        "pay",
        idempotency_key,
        by,
        body,
        payload={"spend": spend.pk},
        lock=lambda: lock_budget(spend.budget_id),
    )


def reverse_payment(spend: SpendRequest, *, by, reason: str) -> SpendRequest:
    """A payment that came back (wrong IBAN, returned by the bank): reverse both entries of the payment.

    The request is approved again, its money committed again, so it can be paid anew or cancelled.
    """
    reason = valid_reason(reason)
    with transaction.atomic():
        budget = lock_budget(spend.budget_id)
        current = lock_spend(spend.pk)
        if current.status != SpendStatus.PAID:
            raise ValidationError({"status": _("Only a paid request can have its payment reversed.")})
        if not rules.is_admin_of(current.municipality_id, by):
            raise PermissionDenied(_("Only an administrator may reverse a payment."))
        open_entries = LedgerEntry.objects.filter(
            spend=current, kind__in=[EntryKind.PAYMENT, EntryKind.RELEASE], reversed_by__isnull=True
        ).order_by("-id")
        payment = next(e for e in open_entries if e.kind == EntryKind.PAYMENT)
        release = next(
            e for e in open_entries if e.kind == EntryKind.RELEASE and e.note == PAYMENT_RELEASE_NOTE
        )
        book(budget, EntryKind.REVERSAL, payment.amount, by=by, spend=current, reverses=payment, note=reason)
        book(budget, EntryKind.REVERSAL, release.amount, by=by, spend=current, reverses=release, note=reason)
        current.status = SpendStatus.APPROVED
        current.paid_by = None
        current.paid_at = None
        current.save(update_fields=["status", "paid_by", "paid_at"])
        log_spend(by, current, "reverse payment")
    return current
