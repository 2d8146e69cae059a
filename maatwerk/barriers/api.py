"""Barrier register API: the same visibility and services as the pages.

Linked cases appear as counts and sums; a case reference is given only to the case's own team.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.api.base import Error
from maatwerk.cases.models import Case
from maatwerk.cases.queries import page_of, visible_cases
from maatwerk.lib.money import round_money
from maatwerk.validation import MAX_ID, MAX_IDS, MAX_PAGE

from . import privacy, queries, services
from .models import Barrier, Escalation

router = Router(tags=["barriers"])


class EscalationOut(Schema):
    id: int
    level: str
    to: str
    question: str
    reason: str
    escalated_at: datetime.datetime
    due_date: datetime.date
    overdue: bool
    answer: str
    decision: str
    answered_at: datetime.datetime | None


class LinkOut(Schema):
    case_id: int
    case_reference: str
    cost_at_stake: Decimal | None


class BarrierOut(Schema):
    id: int
    reference: str
    municipality: str
    team: str | None
    type: str
    title: str
    agencies: list[int]
    other_agency: str
    legal_provision: str
    description: str
    risk: str
    risk_date: datetime.date | None
    solution_asked: str
    status: str
    close_reason: str
    group_id: int | None
    created_at: datetime.datetime
    households_hit: int
    cases_linked: int
    cost_at_stake: Decimal
    withheld: list[str] = Field(
        [],
        description="Fields whose personal data is shown as [verwijderd] (outside the registering team); "
        "`escalation_<field>` for an escalation's, `group_title` for the group's title.",
    )


class BarrierDetailOut(BarrierOut):
    escalations: list[EscalationOut]
    own_links: list[LinkOut]


class BarrierPage(Schema):
    items: list[BarrierOut]
    page: int
    has_next: bool = Field(..., description="Pages are not counted (no COUNT over large sets).")


class BarrierFilters(Schema):
    status: str = Field(
        "", description="A status, or `open_all` for every status that is not closed; empty for all."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(queries.PER_PAGE, ge=1, le=100)


class NationalRowOut(Schema):
    group_id: int | None
    barrier_ids: list[int]
    title: str
    type: str
    legal_provision: str
    municipalities: list[str]
    households_hit: int
    cost_at_stake: Decimal
    age_days: int
    statuses: dict[str, int]


class BarrierIn(Schema):
    type: str
    title: str
    agencies: list[int] = []
    other_agency: str = ""
    legal_provision: str = ""
    description: str
    risk: str = ""
    risk_date: datetime.date | None = None
    solution_asked: str = ""
    case_id: int | None = None
    cost_at_stake: Decimal | None = None


class BarrierPatch(BaseModel):
    """Only the fields sent are changed; `null` empties an optional field."""

    # Fields not listed are passed on to the service, which answers in Dutch that e.g. `status` is not
    # changed here (it has its own endpoints), rather than ignoring them. A plain pydantic model, because
    # ninja's Schema reads the input through attribute access and loses extra fields.
    model_config = ConfigDict(extra="allow")

    type: str | None = None
    title: str | None = None
    agencies: list[int] | None = None
    other_agency: str | None = None
    legal_provision: str | None = None
    description: str | None = None
    risk: str | None = None
    risk_date: datetime.date | None = None
    solution_asked: str | None = None


class LinkIn(Schema):
    case_id: int
    cost_at_stake: Decimal | None = None


class EscalationIn(Schema):
    level: str
    to: str
    due_date: datetime.date
    question: str = ""
    reason: str = Field(
        "",
        description="why escalating further cannot wait; required while the current step is unanswered "
        "and its term has not passed",
    )


class AnswerIn(Schema):
    answer: str
    decision: str


class CloseIn(Schema):
    status: str
    reason: str = ""


class MergeIn(Schema):
    barrier_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., max_length=MAX_IDS)
    title: str = ""


def _out(b: Barrier) -> dict:
    return {
        "id": b.pk,
        "reference": b.reference,
        "municipality": b.municipality.name,
        "team": b.team.name if b.team_id else None,
        "type": b.type,
        "title": b.title,
        "agencies": [int(a) for a in b.agency_list],
        "other_agency": b.other_agency,
        "legal_provision": b.legal_provision,
        "description": b.description,
        "risk": b.risk,
        "risk_date": b.risk_date,
        "solution_asked": b.solution_asked,
        "status": b.status,
        "close_reason": b.close_reason,
        "group_id": b.group_id,
        "created_at": b.created_at,
        "households_hit": b.households_hit,
        "cases_linked": b.cases_linked,
        "cost_at_stake": round_money(b.cost_at_stake or 0),
        "withheld": getattr(b, "withheld", []),
    }


def _escalation_out(e: Escalation) -> dict:
    return {
        "id": e.pk,
        "level": e.level,
        "to": e.to,
        "question": e.question,
        "reason": e.reason,
        "escalated_at": e.escalated_at,
        "due_date": e.due_date,
        "overdue": e.is_overdue(),
        "answer": e.answer,
        "decision": e.decision,
        "answered_at": e.answered_at,
    }


def _row_out(row: queries.GroupRow) -> dict:
    return {
        "group_id": row.group_id,
        "barrier_ids": row.barrier_ids,
        "title": row.title,
        "type": row.type_label,
        "legal_provision": row.provision,
        "municipalities": sorted(row.municipalities),
        "households_hit": row.households_hit,
        "cost_at_stake": round_money(row.cost_at_stake),
        "age_days": row.age_days,
        "statuses": row.statuses,
    }


def _visible(request):
    if not (queries.is_national(request.user) or tenancy.has_role(request.user, *queries.REGISTER_ROLES)):
        raise HttpError(403, _("Your role does not give access to this."))
    return queries.with_figures(queries.visible_barriers(request.user))


def _get(request, barrier_id: int) -> Barrier:
    return tenancy.get_for_user_or_404(_visible(request), request.user, pk=barrier_id)


def _acting(request, barrier_id: int) -> Barrier:
    barrier = _get(request, barrier_id)
    if barrier.municipality_id not in tenancy.municipality_ids(request.user, queries.ACT_ROLES):
        raise HttpError(403, _("Your role does not give access to this."))
    return barrier


def _own_case(request, case_id: int) -> Case:
    return tenancy.get_for_user_or_404(
        visible_cases(request.user).select_related("household"), request.user, pk=case_id
    )


def _detail(request, barrier_id: int) -> dict:
    barrier = _get(request, barrier_id)
    escalations = list(barrier.escalations.all())
    privacy.screen(request.user, [barrier], escalations)
    out = _out(barrier)
    out["escalations"] = [_escalation_out(e) for e in escalations]
    out["own_links"] = [
        {"case_id": link.case_id, "case_reference": link.case.reference, "cost_at_stake": link.cost}
        for link in queries.own_links(request.user, barrier)
    ]
    log_access(request.user, barrier, action=AccessLog.Action.READ, purpose="api barrier", request=request)
    return out


@router.get(
    "",
    response={200: BarrierPage, 403: Error},
    summary="The barrier register you may see, newest first, paginated",
)
def list_barriers(request, filters: Query[BarrierFilters]):
    qs = _visible(request)
    try:
        qs = queries.filter_status(qs, filters.status)
    except ValueError:
        raise ValidationError({"status": _("Choose one of the options.")}) from None
    items, has_next = page_of(qs, filters.page, filters.per_page)
    privacy.screen(request.user, items)
    return {"items": [_out(b) for b in items], "page": filters.page, "has_next": has_next}


@router.get(
    "/national",
    response={200: list[NationalRowOut], 403: Error},
    summary="National register (programme only)",
)
def national(request):
    if not queries.is_national(request.user):
        raise HttpError(403, _("Your role does not give access to this."))
    barriers = list(queries.visible_barriers(request.user))
    privacy.screen(request.user, barriers, fields=privacy.NATIONAL_TEXTS)
    return [_row_out(row) for row in queries.national_rows(barriers)]


@router.get(
    "/{int:barrier_id}",
    response={200: BarrierDetailOut, 403: Error},
    summary="One barrier (404 outside your register)",
)
def get_barrier(request, barrier_id: int):
    return _detail(request, barrier_id)


@router.post("", response={201: BarrierDetailOut}, summary="Register a barrier, optionally from a case")
def register(request, payload: BarrierIn):
    data = payload.dict()
    case_id = data.pop("case_id")
    cost = data.pop("cost_at_stake")
    case = _own_case(request, case_id) if case_id else None
    barrier = services.register_barrier(by=request.user, case=case, cost_at_stake=cost, **data)
    return Status(201, _detail(request, barrier.pk))


@router.patch(
    "/{int:barrier_id}", response=BarrierDetailOut, summary="Correct the description (not after closing)"
)
def update(request, barrier_id: int, payload: BarrierPatch):
    barrier = _acting(request, barrier_id)
    services.update_barrier(barrier, by=request.user, **payload.model_dump(exclude_unset=True))
    return _detail(request, barrier.pk)


@router.post("/{int:barrier_id}/links", response={201: BarrierDetailOut}, summary="Link a case of your team")
def link(request, barrier_id: int, payload: LinkIn):
    barrier = _get(request, barrier_id)
    case = _own_case(request, payload.case_id)
    services.link_case(barrier, case, by=request.user, cost_at_stake=payload.cost_at_stake)
    return Status(201, _detail(request, barrier.pk))


@router.post("/{int:barrier_id}/escalations", response={201: EscalationOut}, summary="Escalate one level")
def escalate(request, barrier_id: int, payload: EscalationIn):
    barrier = _acting(request, barrier_id)
    escalation = services.escalate_barrier(barrier, by=request.user, **payload.dict())
    privacy.screen(request.user, [], [escalation])
    return Status(201, _escalation_out(escalation))


@router.post("/escalations/{int:escalation_id}/answer", response=EscalationOut, summary="Record the answer")
def answer(request, escalation_id: int, payload: AnswerIn):
    escalation = tenancy.get_for_user_or_404(
        Escalation.objects.filter(barrier__in=queries.visible_barriers(request.user)),
        request.user,
        pk=escalation_id,
    )
    _acting(request, escalation.barrier_id)
    escalation = services.record_answer(escalation, by=request.user, **payload.dict())
    privacy.screen(request.user, [], [escalation])
    return _escalation_out(escalation)


@router.post("/{int:barrier_id}/close", response=BarrierDetailOut, summary="Close (only after an answer)")
def close(request, barrier_id: int, payload: CloseIn):
    barrier = _acting(request, barrier_id)
    services.close_barrier(barrier, by=request.user, **payload.dict())
    return _detail(request, barrier.pk)


@router.post("/groups", response={201: NationalRowOut}, summary="Merge barriers into a structural signal")
def merge(request, payload: MergeIn):
    barriers = list(queries.visible_barriers(request.user).filter(pk__in=payload.barrier_ids))
    if len(barriers) != len(set(payload.barrier_ids)):
        raise HttpError(404, _("Not found, or not visible for you."))
    group = services.merge_into_group(barriers, by=request.user, title=payload.title)
    members = list(queries.visible_barriers(request.user).filter(group=group))
    privacy.screen(request.user, members, fields=privacy.NATIONAL_TEXTS)
    row = queries.national_rows(members)[0]
    return Status(201, _row_out(row))
