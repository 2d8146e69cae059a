"""Business cases and value triangles: one function per verb (after Zulip's `zerver/actions`).

Each changing function takes the acting user as keyword-only ``by``, runs in one transaction and writes an
AccessLog row. The figures come from :func:`evaluation.evaluate` (read-only, shared with the editor preview
and the API), so a saved version holds what the preview showed.

Engine errors (:class:`engine.PlanError`, with ``.field``) pass through unchanged: the editor puts them on
the offending form field and the API answers 422 naming the field.

Imports: engine <- evaluation <- presentation <- editor, pdf <- services <- views, api (the PDF module is
imported inside :func:`export_plan_pdf`, as WeasyPrint is heavy, but it is still this module's dependency).
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.cases.models import Case
from maatwerk.validation import parse_text

from . import engine
from .evaluation import evaluate, rendement_snapshot
from .models import BusinessCase, BusinessCaseVersion, ValueTriangle, Verdict

CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
EXPORT = AccessLog.Action.EXPORT


def _require_team(by, case: Case) -> None:
    if case.team_id not in tenancy.team_ids(by):
        raise PermissionDenied(
            _("Only workers and team leads of the case's team may change its business case.")
        )


def _log(by, case: Case, obj, *, action, purpose: str, request=None) -> None:
    log_access(
        by,
        obj,
        action=action,
        purpose=purpose,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
        request=request,
    )


# --- versions -------------------------------------------------------------------------------------------


@transaction.atomic
def save_version(
    case: Case,
    *,
    by,
    plan: Any,
    hourly_rate: Decimal | None = None,
    inputs: Mapping | None = None,
    note: str = "",
) -> BusinessCaseVersion:
    """Compute ``plan`` for ``case`` and store it as the next version (1, 2, 3 …). Never changes a version."""
    _require_team(by, case)
    evaluation = evaluate(case, plan, hourly_rate=hourly_rate)
    business_case, _created = BusinessCase.objects.get_or_create(case=case)
    # Lock the business case so two saves at once cannot both take the same next number.
    business_case = BusinessCase.objects.select_for_update().get(pk=business_case.pk)
    number = (business_case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    result = evaluation.result
    expected = result["expected"]
    version = BusinessCaseVersion.objects.create(
        business_case=business_case,
        number=number,
        plan=evaluation.plan,
        result=result,
        inputs=dict(inputs or {}),
        sources=evaluation.sources,
        hours=evaluation.hours,
        hourly_rate=evaluation.hourly_rate,
        investment=engine.to_decimal(expected["investment"]),
        expected_net=engine.to_decimal(expected["net"]),
        roi=engine.to_decimal(expected["roi"], 4) if expected["roi"] is not None else None,
        p_net_positive=engine.to_decimal(result["simulation"]["p_net_positive"], 4),
        note=(note or "").strip()[:300],
        created_by=by,
    )
    _log(by, case, version, action=CREATE, purpose=f"business case version {number}")
    return version


def may_freeze(user, case: Case) -> bool:
    """Freezing records that a decision rests on a version: the case's team (a worker approving within
    mandate, a team lead above it) or the municipality's legality checker."""
    return case.team_id in tenancy.team_ids(user) or case.municipality_id in tenancy.municipality_ids(
        user, {Role.LEGAL_CHECKER}
    )


@transaction.atomic
def freeze_version(version: BusinessCaseVersion, *, by, reason: str) -> BusinessCaseVersion:
    """Freeze ``version``: a decision (a spend approval) rests on it. Freezing twice keeps the first."""
    case = version.business_case.case
    if not may_freeze(by, case):
        raise PermissionDenied(_("You may not freeze this business case."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this version is frozen, for example the spend request.")})
    version = BusinessCaseVersion.objects.select_for_update().get(pk=version.pk)
    if version.frozen:
        return version
    version.frozen_at = timezone.now()
    version.frozen_by = by
    version.frozen_reason = reason[:300]
    version.save(update_fields=["frozen_at", "frozen_by", "frozen_reason"])
    _log(by, case, version, action=UPDATE, purpose=f"freeze business case version {version.number}")
    return version


def latest_version(case: Case) -> BusinessCaseVersion | None:
    return (
        BusinessCaseVersion.objects.filter(business_case__case=case)
        .select_related("created_by", "frozen_by")
        .order_by("-number")
        .first()
    )


# --- value triangle -------------------------------------------------------------------------------------


@transaction.atomic
def record_triangle(
    case: Case,
    *,
    by,
    engagement: str,
    legitimacy: str,
    judgement: str,
    verdict: str,
    legal_basis: str = "",
) -> ValueTriangle:
    """Record the value triangle as a new row; the return corner is taken from the latest version."""
    _require_team(by, case)
    errors: dict = {}
    values = {}
    for name, value in (("engagement", engagement), ("legitimacy", legitimacy), ("judgement", judgement)):
        values[name] = parse_text(value, name, errors, required=True)
    legal_basis = parse_text(legal_basis, "legal_basis", errors, max_length=200)
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose one of the options.")
    if errors:
        raise ValidationError(errors)
    version = latest_version(case)
    triangle = ValueTriangle.objects.create(
        case=case,
        legal_basis=legal_basis,
        verdict=verdict,
        version=version,
        version_number=version.number if version else None,
        rendement=rendement_snapshot(version),
        created_by=by,
        **values,
    )
    _log(by, case, triangle, action=CREATE, purpose="value triangle")
    return triangle


def latest_triangle(case: Case) -> ValueTriangle | None:
    return (
        ValueTriangle.objects.filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .first()
    )


# --- export ---------------------------------------------------------------------------------------------


@transaction.atomic
def export_plan_pdf(case: Case, *, by, request=None) -> bytes:
    """The support plan with its business case and value triangle as a PDF; logged as an export."""
    from .pdf import render_plan_pdf  # WeasyPrint loads Pango: only when a PDF is actually made

    if case.team_id not in tenancy.team_ids(by):
        raise PermissionDenied
    pdf = render_plan_pdf(case, latest_version(case), latest_triangle(case))
    _log(by, case, case, action=EXPORT, purpose="support plan PDF", request=request)
    return pdf
