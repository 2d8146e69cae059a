"""Scoped querysets: what each person may see of budgets and spend requests (404 outside it)."""

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role

from .models import Budget, PayeeKind, SpendRequest, SpendStatus, Verdict

TEAM_ROLES = (Role.WORKER, Role.TEAM_LEAD)
MUNICIPAL_ROLES = (Role.LEGAL_CHECKER, Role.ADMIN)


def visible_budgets(user):
    qs = Budget.objects.select_related("team", "municipality")
    return tenancy.scope(qs, user, team_roles=TEAM_ROLES, municipality_roles=(Role.ADMIN,))


def visible_spends(user):
    qs = SpendRequest.objects.select_related("team", "budget", "case", "requested_by", "decided_by")
    return tenancy.scope(qs, user, team_roles=TEAM_ROLES, municipality_roles=MUNICIPAL_ROLES)


def waiting_for(user, limit: int = 200) -> list[SpendRequest]:
    """Requested spends this person may approve now (mandate fits, legality check done where needed)."""
    from .services import approval_refusal, latest_check

    out = []
    for spend in visible_spends(user).filter(status=SpendStatus.REQUESTED).order_by("requested_at")[:limit]:
        if approval_refusal(spend, user) is not None:
            continue
        if spend.needs_legality_check:
            check = latest_check(spend)
            if check is None or check.verdict != Verdict.LAWFUL:
                continue
        out.append(spend)
    return out


def awaiting_payment(user):
    return visible_spends(user).filter(
        status=SpendStatus.APPROVED, municipality__in=tenancy.municipality_ids(user, [Role.ADMIN])
    )


def awaiting_check(user):
    return visible_spends(user).filter(
        status=SpendStatus.REQUESTED,
        needs_legality_check=True,
        municipality__in=tenancy.municipality_ids(user, [Role.LEGAL_CHECKER]),
    )


def payment_batch(user, *, request=None) -> list[SpendRequest]:
    """Approved bank transfers waiting for payment, for an export; each one read is logged as an export."""
    spends = list(awaiting_payment(user).filter(payee_kind=PayeeKind.BANK).order_by("decided_at"))
    for spend in spends:
        log_access(
            user,
            spend,
            action=AccessLog.Action.EXPORT,
            purpose="payment export",
            household_id=spend.case.household_id,
            request=request,
        )
    return spends
