"""Scoped querysets: what each person may see of budgets and spend requests (404 outside it)."""

from collections.abc import Iterable

from django.db.models import Q

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_reads
from maatwerk.accounts.models import AccessLog, Role

from . import rules
from .models import (
    Budget,
    Mandate,
    PayeeKind,
    PaymentBatch,
    PaymentBatchItem,
    SpendRequest,
    SpendStatus,
)

TEAM_ROLES = (Role.WORKER, Role.TEAM_LEAD)
MUNICIPAL_ROLES = (Role.LEGAL_CHECKER, Role.ADMIN)
READ = AccessLog.Action.READ
EXPORT = AccessLog.Action.EXPORT


def log_spends(
    user, spends: Iterable[SpendRequest], *, purpose: str, request=None, action: str = READ, extra=()
) -> None:
    """One AccessLog row per spend request shown or exported (creditor names, IBANs and purposes are a
    household's data), each naming its household, in one INSERT; `extra` adds rows for other objects shown
    on the same page (a payment batch)."""

    def household_of(obj):
        return obj.case.household_id if isinstance(obj, SpendRequest) else None

    log_reads(
        user, [*spends, *extra], purpose=purpose, request=request, action=action, household_of=household_of
    )


def visible_budgets(user):
    """Own teams' budgets; for an administrator every budget of the municipality.

    A team lead also sees the budgets of the whole municipality (no team): `budget_for` falls back to
    those when the team has no budget of its own for a channel, so the team's spends draw on them and
    the lead approves against their balance. Read-only (allocating is for administrators), and the
    ledger shows a team lead only the bookings of their own teams (`visible_entries`).
    """
    qs = Budget.objects.select_related("team", "municipality")
    scoped = tenancy.scope(qs, user, team_roles=TEAM_ROLES, municipality_roles=(Role.ADMIN,))
    lead_of = {
        m.team.municipality_id for m in tenancy.memberships(user) if m.role == Role.TEAM_LEAD and m.team_id
    }
    if not lead_of:
        return scoped
    return qs.filter(Q(pk__in=scoped.values("pk")) | Q(team__isnull=True, municipality__in=lead_of))


def visible_entries(user, budget):
    """The budget's ledger entries this person may see.

    An administrator of the municipality sees all. Anyone else sees the bookings without a spend request
    (allocations and their corrections) and those of their own teams' requests: a municipal budget also
    carries other teams' requests, whose references and reasons are not theirs to read. The balances
    are totals over every entry and carry no household data.
    """
    qs = budget.entries.all()
    if budget.municipality_id in tenancy.municipality_ids(user, [Role.ADMIN]):
        return qs
    return qs.filter(Q(spend__isnull=True) | Q(spend__team__in=tenancy.team_ids(user, TEAM_ROLES)))


def visible_spends(user):
    """The team's requests (workers, team leads), the municipality's (legality checkers, administrators),
    and for a person named in a mandate (a manager or director of the social domain, who decides for the
    college) the municipality's requests of that channel: theirs to decide on."""
    qs = SpendRequest.objects.select_related(
        "team", "budget", "case", "requested_by", "decided_by", "approver_mandate"
    )
    scoped = tenancy.scope(qs, user, team_roles=TEAM_ROLES, municipality_roles=MUNICIPAL_ROLES)
    if not getattr(user, "is_authenticated", False):
        return scoped
    mine = {m.municipality_id for m in tenancy.memberships(user) if m.municipality_id}
    named = set(
        Mandate.objects.filter(user=user, active=True, municipality__in=mine).values_list(
            "municipality_id", "channel"
        )
    )
    if not named:
        return scoped
    decides = Q()
    for municipality_id, channel in named:
        decides |= Q(municipality_id=municipality_id, channel=channel)
    return qs.filter(Q(pk__in=scoped.values("pk")) | decides)


def routed_to(user, limit: int = 200) -> list[SpendRequest]:
    """Requested spends routed to this person's rung of the mandate ladder (`rules.route_of`) that they
    may approve, oldest first, whether or not their legality check is done.

    Someone higher on the ladder may approve one too (from the spend page), but it is routed to one rung
    only, so that every request is in exactly one rung's queue.
    """
    out = []
    spends = visible_spends(user).filter(status=SpendStatus.REQUESTED).select_related("approver_mandate")
    for spend in spends.order_by("requested_at")[:limit]:
        if rules.approval_refusal(spend, user) is not None:
            continue
        mandate = spend.approver_mandate
        if mandate is None or not mandate.active or not rules.holds(mandate, user, team_id=spend.team_id):
            # Routed to a rung this person does not hold: theirs only when that rung has no one left.
            way = rules.route_of(spend)
            if way.mandate is None or user not in way.approvers:
                continue
        out.append(spend)
    return out


def waiting_for(user, limit: int = 200) -> list[SpendRequest]:
    """The requests routed to this person that they may approve now: the legality check is done where one
    is needed."""
    return [spend for spend in routed_to(user, limit) if rules.check_done(spend)]


def awaiting_payment(user):
    return visible_spends(user).filter(
        status=SpendStatus.APPROVED, municipality__in=tenancy.municipality_ids(user, [Role.ADMIN])
    )


def in_open_batch(spends):
    """Those of `spends` that are in an exported batch not marked paid or withdrawn yet."""
    return spends.filter(pk__in=PaymentBatchItem.objects.in_open_batches().values("spend_id"))


def not_in_open_batch(spends):
    return spends.exclude(pk__in=PaymentBatchItem.objects.in_open_batches().values("spend_id"))


def visible_batches(user):
    """Payment batches are the financial administration's: administrators of the municipality only.

    A batch mixes the spends of every team, so a team lead (who may pay a single spend of their team)
    does not see batches; for anyone else a batch answers 404.
    """
    qs = PaymentBatch.objects.select_related("closure", "closure__closed_by", "created_by", "municipality")
    return tenancy.scope(qs, user, team_field=None, municipality_roles=(Role.ADMIN,))


def batch_spends(batch):
    """The batch's spend requests in the order of the file."""
    return (
        SpendRequest.objects.filter(batch_items__batch=batch)
        .select_related("team", "case", "budget")
        .order_by("batch_items__id")
    )


def exported_batch_spends(user, batch, *, purpose: str, request=None) -> list[SpendRequest]:
    """The batch's spends for a file (SEPA or CSV); each one read is logged as an export."""
    spends = list(batch_spends(batch))
    log_spends(user, spends, purpose=purpose, request=request, action=EXPORT)
    return spends


def open_batch_of(spend) -> PaymentBatch | None:
    item = (
        PaymentBatchItem.objects.in_open_batches()
        .filter(spend=spend)
        .select_related("batch")
        .order_by("-id")
        .first()
    )
    return item.batch if item else None


def awaiting_check(user):
    return visible_spends(user).filter(
        status=SpendStatus.REQUESTED,
        needs_legality_check=True,
        municipality__in=tenancy.municipality_ids(user, [Role.LEGAL_CHECKER]),
    )


def payment_batch(user, *, request=None) -> list[SpendRequest]:
    """Approved bank transfers waiting for payment, for an export; each one read is logged as an export."""
    spends = list(awaiting_payment(user).filter(payee_kind=PayeeKind.BANK).order_by("decided_at"))
    log_spends(user, spends, purpose="payment export", request=request, action=EXPORT)
    return spends
