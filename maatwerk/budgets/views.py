"""Budget pages: views parse, call one service, render (after healthchecks' hc/front/views.py)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.cases.models import Case

from . import exports, queries, services
from .forms import (
    AllocateForm,
    BudgetForm,
    LegalityCheckForm,
    ReasonForm,
    SepaExportForm,
    SpendRequestForm,
    new_key,
)
from .models import SpendStatus

OVERVIEW_ROLES = (Role.TEAM_LEAD, Role.ADMIN)


def _require(user, *roles):
    if not tenancy.has_role(user, *roles):
        raise PermissionDenied


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _to_form(form, exc: ValidationError) -> None:
    for field, msgs in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


@login_required
def overview(request):
    _require(request.user, *OVERVIEW_ROLES)
    budgets = list(queries.visible_budgets(request.user).filter(period_end__gte=timezone.localdate()))
    rows = [{"budget": b, "b": b.balances()} for b in budgets]
    is_admin = tenancy.has_role(request.user, Role.ADMIN)
    context = {
        "title": _("Budget"),
        "rows": rows,
        "waiting": queries.waiting_for(request.user),
        "to_pay": list(queries.awaiting_payment(request.user)[:200]) if is_admin else [],
        "is_admin": is_admin,
        "budget_form": BudgetForm(user=request.user) if is_admin else None,
    }
    return render(request, "budgets/overview.html", context)


@login_required
@require_POST
def budget_create(request):
    _require(request.user, Role.ADMIN)
    form = BudgetForm(request.POST, user=request.user)
    if form.is_valid():
        team = form.cleaned_data["team"]
        try:
            budget = services.create_budget(
                by=request.user,
                municipality=team.municipality if team else form.municipality,
                team=team,
                channel=form.cleaned_data["channel"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("Budget created."))
            return redirect("budgets:budget", pk=budget.pk)
    return render(request, "budgets/budget_form.html", {"title": _("New budget"), "form": form}, status=422)


@login_required
def budget_detail(request, pk: int):
    budget = tenancy.get_for_user_or_404(queries.visible_budgets(request.user), request.user, pk=pk)
    return _budget_page(request, budget, AllocateForm())


def _budget_page(request, budget, form, status=200):
    may_allocate = budget.municipality_id in tenancy.municipality_ids(request.user, [Role.ADMIN])
    context = {
        "title": str(budget),
        "budget": budget,
        "b": budget.balances(),
        "entries": budget.entries.select_related("spend", "created_by", "reverses").order_by("-id")[:200],
        "form": form if may_allocate else None,
    }
    return render(request, "budgets/budget_detail.html", context, status=status)


@login_required
@require_POST
def allocate(request, pk: int):
    budget = tenancy.get_for_user_or_404(queries.visible_budgets(request.user), request.user, pk=pk)
    form = AllocateForm(request.POST)
    if form.is_valid():
        try:
            services.allocate(budget, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, _("Budget allocated."))
            return redirect("budgets:budget", pk=budget.pk)
    return _budget_page(request, budget, form, status=422)


@login_required
def spend_new(request, case_id: int):
    case = tenancy.get_for_user_or_404(
        tenancy.scope(Case.objects.all(), request.user), request.user, pk=case_id
    )
    if request.method == "POST":
        form = SpendRequestForm(request.POST, case=case)
        if form.is_valid():
            data = dict(form.cleaned_data)
            key = data.pop("idempotency_key") or None
            try:
                spend = services.request_spend(by=request.user, case=case, idempotency_key=key, **data)
            except ValidationError as exc:
                _to_form(form, exc)
            else:
                messages.success(request, _("Spend request %(ref)s submitted.") % {"ref": spend.reference})
                return redirect("budgets:spend", pk=spend.pk)
        status = 422
    else:
        form = SpendRequestForm(case=case, initial={"idempotency_key": new_key()})
        status = 200
    context = {"title": _("Request money"), "form": form, "case": case}
    return render(request, "budgets/spend_form.html", context, status=status)


def _spend_context(request, spend, **forms):
    user = request.user
    is_admin = spend.municipality_id in tenancy.municipality_ids(user, [Role.ADMIN])
    is_checker = spend.municipality_id in tenancy.municipality_ids(user, [Role.LEGAL_CHECKER])
    is_lead = spend.team_id in tenancy.team_ids(user, [Role.TEAM_LEAD])
    requested = spend.status == SpendStatus.REQUESTED
    refusal = services.approval_refusal(spend, user) if requested else None
    return {
        "title": spend.reference,
        "spend": spend,
        "checks": spend.legality_checks.select_related("checked_by"),
        "refusal": refusal,
        "can_decide": requested
        and spend.requested_by_id != user.pk
        and (spend.team_id in tenancy.team_ids(user) or is_checker or refusal is None),
        "can_check": requested and is_checker,
        "can_cancel": spend.status in (SpendStatus.REQUESTED, SpendStatus.APPROVED)
        and (spend.requested_by_id == user.pk or is_lead or is_admin),
        "can_pay": spend.status == SpendStatus.APPROVED and (is_admin or is_lead),
        "can_reverse": spend.status == SpendStatus.PAID and is_admin,
        "key": new_key(),
        "reject_form": forms.get("reject") or ReasonForm(prefix="reject"),
        "cancel_form": forms.get("cancel") or ReasonForm(prefix="cancel"),
        "reverse_form": forms.get("reverse") or ReasonForm(prefix="reverse"),
        "check_form": forms.get("check") or LegalityCheckForm(prefix="check"),
        "action_errors": forms.get("errors", []),
    }


def _spend(request, pk):
    return tenancy.get_for_user_or_404(queries.visible_spends(request.user), request.user, pk=pk)


@login_required
def spend_detail(request, pk: int):
    spend = _spend(request, pk)
    log_access(
        request.user,
        spend,
        action=AccessLog.Action.READ,
        purpose="view spend request",
        household_id=spend.case.household_id,
        request=request,
    )
    return render(request, "budgets/spend_detail.html", _spend_context(request, spend))


ACTIONS = {"approve", "reject", "cancel", "pay", "reverse", "check"}


@login_required
@require_POST
def spend_action(request, pk: int, action: str):
    spend = _spend(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    user = request.user
    key = (request.POST.get("idempotency_key") or "")[:100] or None
    forms = {}
    try:
        if action == "approve":
            services.approve_spend(spend, by=user, idempotency_key=key)
            done = _("Approved.")
        elif action == "pay":
            services.pay_spend(spend, by=user, idempotency_key=key)
            done = _("Marked as paid.")
        elif action == "check":
            form = forms["check"] = LegalityCheckForm(request.POST, prefix="check")
            if not form.is_valid():
                raise ValidationError(_("Correct the errors in the form."))
            services.record_legality_check(spend, by=user, **form.cleaned_data)
            done = _("Legality check recorded.")
        else:
            form = forms[action] = ReasonForm(request.POST, prefix=action)
            if not form.is_valid():
                raise ValidationError(_("Give a reason."))
            verb = {
                "reject": services.reject_spend,
                "cancel": services.cancel_spend,
                "reverse": services.reverse_payment,
            }[action]
            verb(spend, by=user, reason=form.cleaned_data["reason"])
            done = {
                "reject": _("Rejected."),
                "cancel": _("Cancelled; the money is released."),
                "reverse": _("Payment reversed."),
            }[action]
    except ValidationError as exc:
        spend.refresh_from_db()
        forms["errors"] = _errors(exc)
        return render(
            request, "budgets/spend_detail.html", _spend_context(request, spend, **forms), status=422
        )
    messages.success(request, done)
    return redirect("budgets:spend", pk=spend.pk)


@login_required
def checks(request):
    _require(request.user, Role.LEGAL_CHECKER)
    pending = list(queries.awaiting_check(request.user).order_by("requested_at")[:200])
    for spend in pending:
        spend.latest = services.latest_check(spend)
    return render(request, "budgets/checks.html", {"title": _("Legality checks"), "pending": pending})


@login_required
def payments(request):
    _require(request.user, Role.ADMIN)
    spends = list(queries.awaiting_payment(request.user).order_by("decided_at"))
    form = SepaExportForm(initial={"execution_date": timezone.localdate() + datetime.timedelta(days=1)})
    context = {"title": _("Payments"), "spends": spends, "form": form}
    return render(request, "budgets/payments.html", context)


@login_required
def export_sepa(request):
    _require(request.user, Role.ADMIN)
    form = SepaExportForm(request.GET)
    if not form.is_valid():
        spends = list(queries.awaiting_payment(request.user).order_by("decided_at"))
        return render(
            request,
            "budgets/payments.html",
            {"title": _("Payments"), "spends": spends, "form": form},
            status=422,
        )
    spends = queries.payment_batch(request.user, request=request)
    message_id = f"MW-{timezone.now():%Y%m%d%H%M%S}-{request.user.pk}"
    data = exports.pain_001(
        spends,
        debtor=exports.Debtor(
            form.cleaned_data["debtor_name"],
            form.cleaned_data["debtor_iban"],
            form.cleaned_data["debtor_bic"],
        ),
        execution_date=form.cleaned_data["execution_date"],
        message_id=message_id,
    )
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{message_id}.xml"'
    return response


@login_required
def export_csv(request):
    _require(request.user, Role.ADMIN)
    spends = queries.payment_batch(request.user, request=request)
    response = HttpResponse(exports.payments_csv(spends), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="betalingen-{timezone.localdate():%Y%m%d}.csv"'
    return response
