"""Business-case API: compute a plan (pure), versions of a case's business case, freezing, value triangle.

Same scoping as the web interface: a case outside your teams answers 404. An invalid plan answers 422 with
``field`` naming the offending value as the engine reports it (e.g. ``regular_route[0].probability``) and
``message`` saying it in plain Dutch ("Reguliere route, regel 1, kans: moet tussen 0 en 1 liggen.").
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.api.base import Error
from maatwerk.lib.money import MAX_HOURLY_RATE

from . import engine, queries, services
from .models import Verdict
from .presentation import plan_error_text

router = Router(tags=["businesscases"])

PLAN_SCHEMA = {
    "type": "object",
    "description": "A plan as described in DESIGN.md, 'Business-case engine (contract)'.",
    "example": {
        "horizon_months": 36,
        "discount_rate": 0.0225,
        "investments": [{"label": "Kinderopvang", "amount": 6500, "month": 0, "payer": "gemeente"}],
        "regular_route": [
            {
                "label": "Bijstand",
                "amount": 1283.83,
                "per": "month",
                "start_month": 2,
                "months": 12,
                "probability": 0.9,
                "payer": "gemeente",
                "cost_code": "PW_NORM_ALL_2024H1",
            }
        ],
        "maatwerk_route": [],
    },
}


class PlanErrorOut(Schema):
    detail: str
    field: str = Field(description="Path of the offending value in the plan, e.g. investments[1].amount")
    message: str = Field(description="The error in plain Dutch, naming the field in words")
    errors: dict[str, list[str]]


class VersionIn(Schema):
    plan: dict[str, Any] = Field(
        description="The plan (engine contract). Absent optimism_bias: the default by the weakest confidence "
        "grade of the catalogue items used; absent discount_rate: 2.25 %. Hours registered on the case are "
        "added as the investment 'Inzet wijkteam'."
    )
    hourly_rate: Decimal | None = Field(None, ge=0, le=MAX_HOURLY_RATE, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=300)


class VersionOut(Schema):
    number: int
    created_at: datetime
    created_by: str
    note: str
    investment: Decimal
    expected_net: Decimal
    roi: Decimal | None
    p_net_positive: Decimal
    hours: Decimal
    hourly_rate: Decimal
    frozen: bool
    frozen_at: datetime | None
    frozen_reason: str


class VersionDetailOut(VersionOut):
    plan: dict[str, Any]
    result: dict[str, Any]
    sources: dict[str, Any]


class FreezeIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class TriangleIn(Schema):
    engagement: str
    legitimacy: str
    legal_basis: str = Field("", max_length=200)
    judgement: str
    verdict: Verdict


class TriangleOut(Schema):
    id: int
    engagement: str
    legitimacy: str
    legal_basis: str
    judgement: str
    verdict: str
    version_number: int | None
    rendement: dict[str, Any]
    created_by: str
    created_at: datetime


def _plan_error(exc: engine.PlanError) -> dict:
    return {
        "detail": _("The plan is not valid."),
        "field": exc.field,
        "message": plan_error_text(exc),
        "errors": {exc.field: [exc.message]},
    }


def _case(request, case_id: int, purpose: str):
    case = queries.get_case_or_404(request.user, case_id)
    log_access(
        request.user,
        case,
        action=AccessLog.Action.READ,
        purpose=purpose,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
        request=request,
    )
    return case


def _version_out(v, *, detail: bool = False) -> dict:
    out = {
        "number": v.number,
        "created_at": v.created_at,
        "created_by": v.created_by.get_username(),
        "note": v.note,
        "investment": v.investment,
        "expected_net": v.expected_net,
        "roi": v.roi,
        "p_net_positive": v.p_net_positive,
        "hours": v.hours,
        "hourly_rate": v.hourly_rate,
        "frozen": v.frozen,
        "frozen_at": v.frozen_at,
        "frozen_reason": v.frozen_reason,
    }
    if detail:
        out.update(plan=v.plan, result=v.result, sources=v.sources)
    return out


def _triangle_out(t) -> dict:
    return {
        "id": t.pk,
        "engagement": t.engagement,
        "legitimacy": t.legitimacy,
        "legal_basis": t.legal_basis,
        "judgement": t.judgement,
        "verdict": t.verdict,
        "version_number": t.version_number,
        "rendement": t.rendement,
        "created_by": t.created_by.get_username(),
        "created_at": t.created_at,
    }


@router.post(
    "/businesscases/compute",
    response={200: dict[str, Any], 422: PlanErrorOut | Error},
    summary="Compute a plan (pure: nothing is stored)",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": PLAN_SCHEMA}}, "required": True}
    },
)
def compute(request):
    try:
        return Status(200, engine.compute(engine.parse_json(request.body or b"null")))
    except engine.PlanError as exc:
        return Status(422, _plan_error(exc))


@router.get(
    "/businesscases/cases/{case_id}/versions", response=list[VersionOut], summary="Versions, newest first"
)
def list_versions(request, case_id: int):
    case = _case(request, case_id, "business case versions (API)")
    return [_version_out(v) for v in queries.versions_for(request.user).filter(business_case__case=case)]


@router.post(
    "/businesscases/cases/{case_id}/versions",
    response={201: VersionDetailOut, 422: PlanErrorOut | Error},
    summary="Compute a plan for the case and save it as the next version",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": VersionIn.model_json_schema()}},
            "required": True,
        }
    },
)
def create_version(request, case_id: int):
    case = queries.get_case_or_404(request.user, case_id)
    # The body is parsed here, not by django-ninja: the plan is free-form JSON, and the engine's parser
    # refuses NaN, Infinity and nesting that would end in a RecursionError with an error naming `plan`.
    try:
        data = engine.parse_json(request.body or b"null")
    except engine.PlanError as exc:
        return Status(422, _plan_error(exc))
    try:
        payload = VersionIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False)) from None
    try:
        version = services.save_version(
            case, by=request.user, plan=payload.plan, hourly_rate=payload.hourly_rate, note=payload.note
        )
    except engine.PlanError as exc:
        return Status(422, _plan_error(exc))
    return Status(201, _version_out(version, detail=True))


def _version(request, case, number: int):
    return tenancy.get_for_user_or_404(
        queries.versions_for(request.user), request.user, business_case__case=case, number=number
    )


@router.get(
    "/businesscases/cases/{case_id}/versions/{number}",
    response=VersionDetailOut,
    summary="One version with its plan, result and sources",
)
def get_version(request, case_id: int, number: int):
    case = _case(request, case_id, "business case version (API)")
    return _version_out(_version(request, case, number), detail=True)


@router.post(
    "/businesscases/cases/{case_id}/versions/{number}/freeze",
    response=VersionOut,
    summary="Freeze a version (team lead): a decision rests on it, so it can no longer change",
)
def freeze(request, case_id: int, number: int, payload: FreezeIn):
    case = queries.get_case_or_404(request.user, case_id)
    version = _version(request, case, number)
    # Freezing by hand is the team lead's call; the budget flow freezes through the service when it approves.
    if case.team_id not in tenancy.team_ids(request.user, {Role.TEAM_LEAD}):
        raise HttpError(403, _("Only the team lead freezes a version by hand."))
    return _version_out(services.freeze_version(version, by=request.user, reason=payload.reason))


@router.get(
    "/businesscases/cases/{case_id}/triangle",
    response=TriangleOut | None,
    summary="The latest value triangle of the case (null if none yet)",
)
def get_triangle(request, case_id: int):
    case = _case(request, case_id, "value triangle (API)")
    triangle = queries.triangles_for(request.user).filter(case=case).first()
    return _triangle_out(triangle) if triangle else None


@router.post(
    "/businesscases/cases/{case_id}/triangle",
    response={201: TriangleOut},
    summary="Record a new value triangle; the return corner comes from the latest business-case version",
)
def create_triangle(request, case_id: int, payload: TriangleIn):
    case = queries.get_case_or_404(request.user, case_id)
    data = payload.dict()
    data["verdict"] = str(payload.verdict.value)
    triangle = services.record_triangle(case, by=request.user, **data)
    return Status(201, _triangle_out(triangle))
