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
from maatwerk.validation import column_length, parse_date, parse_text

from . import engine
from .evaluation import evaluate, rendement_snapshot, weakest_grade
from .models import NET_QUANTILES, BusinessCase, BusinessCaseVersion, PlanAgreement, ValueTriangle, Verdict

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
    # The dashboards' view of the uncertainty (insights): the net as quantiles and moments, and the
    # weakest grade the plan leans on.
    net = engine.net_summary(evaluation.draws, NET_QUANTILES)
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
        net_draws=net["net_draws"],
        net_var=net["net_var"],
        net_m3=net["net_m3"],
        weakest_grade=weakest_grade(evaluation.sources),
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
def freeze_version(
    version: BusinessCaseVersion, *, by, reason: str, decision_maker: bool = False
) -> BusinessCaseVersion:
    """Freeze ``version``: a decision (a spend approval) rests on it. Freezing twice keeps the first.

    ``decision_maker``: the caller has established that ``by`` takes the decision that rests on this
    version (the budgets service, after checking the approver's mandate). A manager of the social domain
    who approves from a higher rung of the mandate ladder is not in the case's team, yet their approval
    freezes the version it rests on.
    """
    case = version.business_case.case
    if not decision_maker and not may_freeze(by, case):
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


# --- agreements of the support plan ---------------------------------------------------------------------

MAX_AGREEMENTS = 30


def agreements(case: Case) -> list[PlanAgreement]:
    return list(PlanAgreement.objects.filter(case=case).order_by("order", "id"))


def _agreement_line(a) -> str:
    return f"{a['who']}: {a['what']} ({a['due_date']})"


@transaction.atomic
def save_agreements(case: Case, *, by, rows) -> list[PlanAgreement]:
    """Replace the case's agreements with `rows` (dicts of who, what, due_date), in that order.

    Errors are keyed "<index>.<field>" (0-based), so a form can put each on its row; nothing is saved
    unless every row is valid. One audit row holds the list before and after.
    """
    _require_team(by, case)
    # Lock the case, so two people saving the list at once cannot interleave their rows.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    rows = list(rows)
    errors: dict = {}
    if len(rows) > MAX_AGREEMENTS:
        raise ValidationError({"__all__": _("A plan has at most %(n)d agreements.") % {"n": MAX_AGREEMENTS}})
    cleaned = []
    for i, row in enumerate(rows):
        who = parse_text(
            row.get("who"), f"{i}.who", errors, required=True, max_length=column_length(PlanAgreement, "who")
        )
        what = parse_text(
            row.get("what"),
            f"{i}.what",
            errors,
            required=True,
            max_length=column_length(PlanAgreement, "what"),
        )
        due = parse_date(row.get("due_date"), f"{i}.due_date", errors, latest=None)
        cleaned.append({"who": who, "what": what, "due_date": due})
    if errors:
        raise ValidationError(errors)
    before = [
        _agreement_line({"who": a.who, "what": a.what, "due_date": a.due_date}) for a in agreements(case)
    ]
    PlanAgreement.objects.filter(case=case).delete()
    saved = PlanAgreement.objects.bulk_create(
        [PlanAgreement(case=case, order=i, created_by=by, **row) for i, row in enumerate(cleaned)]
    )
    log_access(
        by,
        case,
        action=UPDATE,
        purpose="support plan agreements",
        household_id=case.household_id,
        municipality_id=case.municipality_id,
        changes={"agreements": [before, [_agreement_line(r) for r in cleaned]]},
    )
    return saved


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
