"""Payment batches: the SEPA export of approved transfers, marked paid or withdrawn as one."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from maatwerk.accounts.models import AccessLog, Municipality
from maatwerk.lib import money
from maatwerk.lib.money import format_eur, round_money

from .. import exports, queries, rules
from ..models import (
    BatchStatus,
    Budget,
    PayeeKind,
    PaymentBatch,
    PaymentBatchClosure,
    PaymentBatchItem,
    SpendRequest,
    SpendStatus,
)
from .common import date_errors, log, valid_reason
from .locking import idempotent, lock_batch
from .spends import book_payment, payment_problem

# A bank executes a payment batch on a date that has not passed. Eight weeks ahead covers the next two
# monthly payment runs, also around the holidays; approved support is meant for a need of now, and a
# batch dated further ahead keeps its transfers out of every next batch until then: such a date is a
# typing error (next year's instead of this year's), not a plan.
MAX_EXECUTION_DAYS_AHEAD = 8 * 7


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
    if not rules.is_admin_of(municipality.pk, by):
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
    date_errors(
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
        log(
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
    return idempotent("export_batch", idempotency_key, by, body, payload=payload, result_field="batch")


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
        current = lock_batch(batch.pk)
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
            refusal = payment_problem(spend, by)
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
            book_payment(budgets[spend.budget_id], spend, by=by, note=current.message_id)
        PaymentBatchClosure.objects.create(batch=current, outcome=BatchStatus.PAID, closed_by=by)
        log(
            by,
            current,
            action=AccessLog.Action.UPDATE,
            purpose="mark batch paid",
            municipality_id=current.municipality_id,
        )
        return _reloaded(current)

    return idempotent(
        "pay_batch",
        idempotency_key,
        by,
        body,
        payload={"batch": batch.pk},
        lock=lambda: lock_batch(batch.pk),
        result_field="batch",
    )


def withdraw_batch(batch: PaymentBatch, *, by, reason: str) -> PaymentBatch:
    """The bank did not and will not carry out this file: close the batch so its spends can be exported anew.

    Books nothing: the spends stay approved (or whatever they became meanwhile).
    """
    if not rules.is_admin_of(batch.municipality_id, by):
        raise PermissionDenied(_("Only an administrator of this municipality may withdraw a payment batch."))
    reason = valid_reason(reason)
    with transaction.atomic():
        current = lock_batch(batch.pk)
        _refuse_closed(current)
        PaymentBatchClosure.objects.create(
            batch=current, outcome=BatchStatus.WITHDRAWN, reason=reason, closed_by=by
        )
        log(
            by,
            current,
            action=AccessLog.Action.UPDATE,
            purpose="withdraw payment batch",
            municipality_id=current.municipality_id,
        )
    return _reloaded(current)
