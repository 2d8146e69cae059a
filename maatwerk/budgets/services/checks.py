"""Legality checks (rechtmatigheidstoets) on spend requests."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maatwerk.accounts.models import AccessLog
from maatwerk.validation import parse_text

from .. import rules
from ..models import LegalityCheck, SpendRequest, SpendStatus, Verdict
from .common import log_spend
from .locking import lock_spend


def latest_check(spend: SpendRequest) -> LegalityCheck | None:
    return spend.legality_checks.order_by("-checked_at", "-id").first()


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
        current = lock_spend(spend.pk)
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
        log_spend(by, current, "legality check", AccessLog.Action.CREATE)
    return check
