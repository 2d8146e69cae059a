"""Budget API: the same services and the same visibility as the pages; other teams' rows answer 404.

Retries: `POST /spends`, `/spends/{id}/approve`, `/spends/{id}/pay`, `/payments/batches` and
`/payments/batches/{id}/mark-paid` take an `Idempotency-Key` header; the same key with the same body again
returns the first result and books nothing, the same key with another body answers 422.

Reads: every response that shows a spend request (payee, IBAN, purpose) writes one AccessLog row per
spend, naming its household; budgets, balances and mandates carry no household data and are not logged.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role
from maatwerk.api.base import Error
from maatwerk.cases.queries import visible_cases

from . import exports, queries, rules, services
from .models import Channel, Kind, LegalityCheck, Mandate, PayeeKind

router = Router(tags=["budgets"])


class BalancesOut(Schema):
    allocated: Decimal
    committed: Decimal
    paid: Decimal
    released: Decimal
    reversed: Decimal
    available: Decimal


class BudgetOut(Schema):
    id: int
    municipality_id: int
    team_id: int | None
    channel: str
    period_start: date
    period_end: date
    balances: BalancesOut
    exhausted: bool


class EntryOut(Schema):
    id: int
    kind: str
    amount: Decimal
    spend_id: int | None
    reverses_id: int | None
    note: str
    created_by_id: int
    created_at: datetime


class AllocateIn(Schema):
    amount: Decimal = Field(gt=0, le=services.MAX_AMOUNT, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=200)


class SpendIn(Schema):
    case_id: int
    amount: Decimal = Field(gt=0, le=services.MAX_AMOUNT, max_digits=12, decimal_places=2)
    channel: str
    purpose: str = Field(max_length=140)
    kind: str = Field(
        Kind.OTHER,
        description="What the money is for: " + ", ".join(Kind.values) + " (default other).",
        json_schema_extra={"enum": Kind.values},
    )
    legal_basis: str
    payee_kind: str = PayeeKind.BANK
    creditor_name: str = Field("", max_length=70)
    iban: str = Field("", max_length=42)
    deviates_from_policy: bool = False
    deviation_motivation: str = ""
    business_case_version_id: int | None = None
    value_triangle_id: int | None = None


class CheckOut(Schema):
    id: int
    checked_by_id: int
    checked_at: datetime
    legal_basis_ok: bool
    mandate_ok: bool
    deviation_ok: bool
    prior_provisions_considered: bool
    amount_reasonable: bool
    verdict: str
    notes: str


class SpendOut(Schema):
    id: int
    reference: str
    status: str
    budget_id: int
    team_id: int
    case_id: int
    channel: str
    amount: Decimal
    payee_kind: str
    creditor_name: str
    iban: str
    purpose: str
    kind: str
    legal_basis: str
    deviates_from_policy: bool
    deviation_motivation: str
    business_case_version_id: int | None
    value_triangle_id: int | None
    needs_legality_check: bool
    # The rung of the mandate ladder the request was routed to (GET /mandates), null for older requests.
    approver_mandate_id: int | None
    requested_by_id: int
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
    paid_by_id: int | None
    paid_at: datetime | None


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class CheckIn(Schema):
    verdict: str
    legal_basis_ok: bool
    mandate_ok: bool
    deviation_ok: bool
    prior_provisions_considered: bool
    amount_reasonable: bool
    notes: str = ""


class MandateOut(Schema):
    id: int
    municipality_id: int
    channel: str
    role: str
    user_id: int | None
    title: str
    max_amount: Decimal | None
    active: bool


def _budget_out(budget) -> dict:
    b = budget.balances()
    return {
        "id": budget.pk,
        "municipality_id": budget.municipality_id,
        "team_id": budget.team_id,
        "channel": budget.channel,
        "period_start": budget.period_start,
        "period_end": budget.period_end,
        "balances": b.as_dict(),
        "exhausted": b.exhausted,
    }


def _budget(request, budget_id):
    return tenancy.get_for_user_or_404(queries.visible_budgets(request.user), request.user, pk=budget_id)


def _spend(request, spend_id):
    return tenancy.get_for_user_or_404(queries.visible_spends(request.user), request.user, pk=spend_id)


def _key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None


@router.get(
    "/budgets", response=list[BudgetOut], summary="Budgets visible to you, with balances from the ledger"
)
def list_budgets(request, channel: str | None = None, current: bool = False):
    qs = queries.visible_budgets(request.user)
    if channel:
        qs = qs.filter(channel=channel)
    if current:
        qs = qs.filter(period_end__gte=date.today())
    return [_budget_out(b) for b in qs]


@router.get("/budgets/{budget_id}", response=BudgetOut, summary="One budget")
def get_budget(request, budget_id: int):
    return _budget_out(_budget(request, budget_id))


@router.get("/budgets/{budget_id}/ledger", response=list[EntryOut], summary="The budget's ledger entries")
def get_ledger(request, budget_id: int):
    budget = _budget(request, budget_id)
    entries = list(queries.visible_entries(request.user, budget).select_related("spend__case").order_by("id"))
    queries.log_spends(
        request.user, [e.spend for e in entries if e.spend_id], purpose="api budget ledger", request=request
    )
    return entries


@router.post("/budgets/{budget_id}/allocations", response={201: EntryOut}, summary="Allocate money (admin)")
def allocate(request, budget_id: int, payload: AllocateIn):
    entry = services.allocate(
        _budget(request, budget_id), by=request.user, amount=payload.amount, note=payload.note
    )
    return Status(201, entry)


class BudgetIn(Schema):
    municipality_id: int
    team_id: int | None = None
    channel: str
    period_start: date
    period_end: date


class ReverseAllocationIn(Schema):
    reason: str


@router.post(
    "/budgets", response={201: BudgetOut}, summary="Create a budget for a team or municipality (admin)"
)
def create_budget(request, payload: BudgetIn):
    from maatwerk.accounts.models import Municipality, Team

    # Only municipalities the caller administers exist for them; anything else answers 404.
    admin_of = tenancy.municipality_ids(request.user, [Role.ADMIN])
    municipality = tenancy.get_for_user_or_404(
        Municipality.objects.filter(pk__in=admin_of), request.user, pk=payload.municipality_id
    )
    team = None
    if payload.team_id is not None:
        team = tenancy.get_for_user_or_404(
            Team.objects.filter(municipality=municipality), request.user, pk=payload.team_id
        )
    budget = services.create_budget(
        by=request.user,
        municipality=municipality,
        team=team,
        channel=payload.channel,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, _budget_out(budget))


@router.post(
    "/budgets/{budget_id}/allocations/{entry_id}/reverse",
    response={201: EntryOut},
    summary="Correct an allocation with a reversing entry (admin)",
)
def reverse_allocation(request, budget_id: int, entry_id: int, payload: ReverseAllocationIn):
    budget = _budget(request, budget_id)
    entry = tenancy.get_for_user_or_404(budget.entries.all(), request.user, pk=entry_id)
    return Status(201, services.reverse_allocation(entry, by=request.user, reason=payload.reason))


@router.get("/spends", response=list[SpendOut], summary="Spend requests visible to you")
def list_spends(request, status: str | None = None, waiting_for_me: bool = False):
    if waiting_for_me:
        spends = queries.waiting_for(request.user)
    else:
        qs = queries.visible_spends(request.user)
        if status:
            qs = qs.filter(status=status)
        spends = list(qs[:500])
    queries.log_spends(request.user, spends, purpose="api spend list", request=request)
    return spends


class RouteQuery(Schema):
    amount: Decimal = Field(gt=0, le=services.MAX_AMOUNT, max_digits=12, decimal_places=2)
    channel: str = Field("maatwerkbudget", max_length=20)


class RouteOut(Schema):
    """Who will have to approve a request of this amount, before it is made (the request form's hint)."""

    mandate_id: int | None = Field(
        description="The rung of the mandate ladder it would go to (GET /mandates)."
    )
    approver: str = Field(description="The rung and the names of who may approve from it.")
    needs_legality_check: bool
    refusal: str | None = Field(description="Why no rung would take it: the request would be refused.")


@router.get(
    "/cases/{case_id}/route",
    response=RouteOut,
    summary="Who must approve a request of this amount (mandate ladder) and whether a check is needed",
)
def route(request, case_id: int, query: Query[RouteQuery]):
    case = tenancy.get_for_user_or_404(visible_cases(request.user), request.user, pk=case_id)
    if query.channel not in Channel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    way = rules.route(
        municipality_id=case.municipality_id,
        team_id=case.team_id,
        channel=query.channel,
        amount=query.amount,
        requested_by=request.user,
    )
    return {
        "mandate_id": way.mandate.pk if way.mandate else None,
        "approver": way.approver_text,
        "needs_legality_check": way.needs_check,
        "refusal": way.refusal,
    }


@router.post("/spends", response={201: SpendOut}, summary="Request money (Idempotency-Key header supported)")
def create_spend(request, payload: SpendIn):
    from maatwerk.businesscases.models import BusinessCaseVersion, ValueTriangle

    case = tenancy.get_for_user_or_404(visible_cases(request.user), request.user, pk=payload.case_id)
    data = payload.dict()
    data.pop("case_id")
    version_id = data.pop("business_case_version_id")
    triangle_id = data.pop("value_triangle_id")
    version = (
        tenancy.get_for_user_or_404(
            BusinessCaseVersion.objects.filter(business_case__case=case), request.user, pk=version_id
        )
        if version_id
        else None
    )
    triangle = (
        tenancy.get_for_user_or_404(ValueTriangle.objects.filter(case=case), request.user, pk=triangle_id)
        if triangle_id
        else None
    )
    spend = services.request_spend(
        by=request.user,
        case=case,
        business_case_version=version,
        value_triangle=triangle,
        idempotency_key=_key(request),
        **data,
    )
    return Status(201, spend)


@router.get("/spends/{spend_id}", response=SpendOut, summary="One spend request")
def get_spend(request, spend_id: int):
    spend = _spend(request, spend_id)
    queries.log_spends(request.user, [spend], purpose="api spend request", request=request)
    return spend


@router.post("/spends/{spend_id}/approve", response=SpendOut, summary="Approve (four eyes, mandate, budget)")
def approve(request, spend_id: int):
    return services.approve_spend(_spend(request, spend_id), by=request.user, idempotency_key=_key(request))


@router.post("/spends/{spend_id}/reject", response=SpendOut, summary="Reject, with a reason")
def reject(request, spend_id: int, payload: ReasonIn):
    return services.reject_spend(_spend(request, spend_id), by=request.user, reason=payload.reason)


@router.post(
    "/spends/{spend_id}/cancel", response=SpendOut, summary="Cancel; an approved request releases its money"
)
def cancel(request, spend_id: int, payload: ReasonIn):
    return services.cancel_spend(_spend(request, spend_id), by=request.user, reason=payload.reason)


@router.post(
    "/spends/{spend_id}/pay", response=SpendOut, summary="Mark paid (Idempotency-Key header supported)"
)
def pay(request, spend_id: int):
    return services.pay_spend(_spend(request, spend_id), by=request.user, idempotency_key=_key(request))


@router.post("/spends/{spend_id}/reverse-payment", response=SpendOut, summary="Reverse a payment (admin)")
def reverse_payment(request, spend_id: int, payload: ReasonIn):
    return services.reverse_payment(_spend(request, spend_id), by=request.user, reason=payload.reason)


@router.get(
    "/spends/{spend_id}/legality-checks", response=list[CheckOut], summary="Legality checks of a request"
)
def list_checks(request, spend_id: int):
    spend = _spend(request, spend_id)
    # The checker's notes are about this household's request.
    queries.log_spends(request.user, [spend], purpose="api legality checks", request=request)
    return list(LegalityCheck.objects.filter(spend=spend))


@router.post(
    "/spends/{spend_id}/legality-checks", response={201: CheckOut}, summary="Record a legality check"
)
def record_check(request, spend_id: int, payload: CheckIn):
    return Status(
        201, services.record_legality_check(_spend(request, spend_id), by=request.user, **payload.dict())
    )


@router.get("/mandates", response=list[MandateOut], summary="Mandates of your municipalities")
def list_mandates(request):
    ids = {m.municipality_id for m in tenancy.memberships(request.user) if m.municipality_id}
    return list(Mandate.objects.filter(municipality__in=ids))


class BatchIn(Schema):
    municipality_id: int | None = Field(
        None, description="Needed only when you administer more than one municipality."
    )
    debtor_name: str = Field(max_length=70)
    debtor_iban: str = Field(max_length=42)
    debtor_bic: str = Field("", max_length=11)
    execution_date: date


class BatchOut(Schema):
    id: int
    municipality_id: int
    message_id: str
    status: str
    execution_date: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str
    total: Decimal
    count: int
    spend_ids: list[int]
    created_by_id: int
    created_at: datetime
    closed_by_id: int | None
    closed_at: datetime | None
    reason: str


def _batch_out(batch) -> dict:
    closure = getattr(batch, "closure", None)
    return {
        "id": batch.pk,
        "municipality_id": batch.municipality_id,
        "message_id": batch.message_id,
        "status": batch.status,
        "execution_date": batch.execution_date,
        "debtor_name": batch.debtor_name,
        "debtor_iban": batch.debtor_iban,
        "debtor_bic": batch.debtor_bic,
        "total": batch.total,
        "count": batch.count,
        "spend_ids": list(batch.items.order_by("id").values_list("spend_id", flat=True)),
        "created_by_id": batch.created_by_id,
        "created_at": batch.created_at,
        "closed_by_id": closure.closed_by_id if closure else None,
        "closed_at": closure.closed_at if closure else None,
        "reason": closure.reason if closure else "",
    }


def _batch(request, batch_id):
    return tenancy.get_for_user_or_404(queries.visible_batches(request.user), request.user, pk=batch_id)


@router.get(
    "/payments/batches", response=list[BatchOut], summary="Exported payment batches (admin), newest first"
)
def list_batches(request, status: str | None = None):
    qs = queries.visible_batches(request.user)
    if status == "exported":
        qs = qs.open()
    elif status:
        qs = qs.filter(closure__outcome=status)
    return [_batch_out(b) for b in qs[:200]]


@router.post(
    "/payments/batches",
    response={201: BatchOut},
    summary="Record a batch of every approved bank transfer not in an open batch (admin; Idempotency-Key)",
)
def create_batch(request, payload: BatchIn):
    from maatwerk.accounts.models import Municipality

    # Only municipalities the caller administers exist for them; anything else answers 404.
    admin_of = Municipality.objects.filter(pk__in=tenancy.municipality_ids(request.user, [Role.ADMIN]))
    if payload.municipality_id is not None:
        municipality = tenancy.get_for_user_or_404(admin_of, request.user, pk=payload.municipality_id)
    else:
        choices = list(admin_of[:2])
        if not choices:
            raise Http404
        if len(choices) > 1:
            raise ValidationError(
                {"municipality_id": _("You administer more than one municipality: choose one.")}
            )
        municipality = choices[0]
    batch = services.export_payment_batch(
        by=request.user,
        municipality=municipality,
        debtor_name=payload.debtor_name,
        debtor_iban=payload.debtor_iban,
        debtor_bic=payload.debtor_bic,
        execution_date=payload.execution_date,
        idempotency_key=_key(request),
    )
    return Status(201, _batch_out(batch))


@router.get("/payments/batches/{batch_id}", response=BatchOut, summary="One payment batch (admin)")
def get_batch(request, batch_id: int):
    # Ids, totals and the municipality's own account only, but logged like the batch page.
    batch = _batch(request, batch_id)
    queries.log_spends(request.user, [], purpose="api payment batch", request=request, extra=[batch])
    return _batch_out(batch)


@router.get(
    "/payments/batches/{batch_id}/sepa.xml",
    response={200: None, 422: Error},
    summary="The batch's SEPA file, pain.001.001.03, checked against the schema (admin)",
)
def batch_sepa(request, batch_id: int):
    batch = _batch(request, batch_id)
    spends = queries.exported_batch_spends(
        request.user, batch, purpose="api payment batch file", request=request
    )
    try:
        data = exports.batch_pain_001(batch, spends)
    except exports.SepaFileInvalid:
        raise HttpError(422, str(exports.NOT_OFFERED)) from None
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
    return response


@router.post(
    "/payments/batches/{batch_id}/mark-paid",
    response=BatchOut,
    summary="Mark every request of the batch paid, all or nothing (Idempotency-Key header supported)",
)
def mark_batch_paid(request, batch_id: int):
    batch = _batch(request, batch_id)
    return _batch_out(services.mark_batch_paid(batch, by=request.user, idempotency_key=_key(request)))


@router.post(
    "/payments/batches/{batch_id}/withdraw",
    response=BatchOut,
    summary="Withdraw a batch the bank did not carry out, with a reason; its requests can be exported again",
)
def withdraw_batch(request, batch_id: int, payload: ReasonIn):
    batch = _batch(request, batch_id)
    return _batch_out(services.withdraw_batch(batch, by=request.user, reason=payload.reason))


@router.get(
    "/payments/export.csv", response={200: None, 403: Error}, summary="Approved bank transfers as CSV (admin)"
)
def payments_csv(request):
    if not tenancy.has_role(request.user, Role.ADMIN):
        raise HttpError(403, _("Only an administrator may export payments."))
    spends = queries.payment_batch(request.user, request=request)
    return HttpResponse(exports.payments_csv(spends), content_type="text/csv; charset=utf-8")
