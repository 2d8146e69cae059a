"""Budget pages: views parse, call one service, render (after healthchecks' hc/front/views.py)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role
from maatwerk.cases.queries import visible_cases
from maatwerk.forms import add_service_errors

from . import exports, ladder_views, queries, rules, services
from .forms import (
    AllocateForm,
    BudgetForm,
    LegalityCheckForm,
    MarkBatchPaidForm,
    ReasonForm,
    SepaExportForm,
    SpendRequestForm,
    new_key,
)
from .models import LegalBasis, SpendStatus

OVERVIEW_ROLES = (Role.TEAM_LEAD, Role.ADMIN)


def _require(user, *roles):
    if not tenancy.has_role(user, *roles):
        raise PermissionDenied


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _to_form(form, exc: ValidationError) -> None:
    """A service's errors on a budgets form; a reused idempotency key gets the form's own words."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    if "idempotency_key" in errors and "idempotency_key" in form.fields:
        # The page's key was used for a request with other content: the form was sent, then changed (back
        # in the browser) and sent again. Say so in the form's words, and give the page a fresh key so
        # that sending it once more makes the new request.
        errors = {k: v for k, v in errors.items() if k != "idempotency_key"}
        form.add_error(None, _("This form was already sent with other content. Check it and send it again."))
        form.data = form.data.copy()
        form.data["idempotency_key"] = new_key()
    add_service_errors(form, ValidationError(errors))


@login_required
def overview(request):
    _require(request.user, *OVERVIEW_ROLES)
    budgets = list(queries.visible_budgets(request.user).filter(period_end__gte=timezone.localdate()))
    rows = [{"budget": b, "b": b.balances()} for b in budgets]
    is_admin = tenancy.has_role(request.user, Role.ADMIN)
    waiting = queries.waiting_for(request.user)
    to_pay = list(queries.awaiting_payment(request.user)[:200]) if is_admin else []
    queries.log_spends(request.user, [*waiting, *to_pay], purpose="budget overview", request=request)
    context = {
        "title": _("Budget"),
        "rows": rows,
        "waiting": waiting,
        "to_pay": to_pay,
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
    may_allocate = rules.is_admin_of(budget.municipality_id, request.user)
    entries = list(
        queries.visible_entries(request.user, budget)
        .select_related("spend", "spend__case", "created_by", "reverses")
        .order_by("-id")[:200]
    )
    # The ledger names the spend requests of the households it booked for (and their reasons).
    queries.log_spends(
        request.user, [e.spend for e in entries if e.spend_id], purpose="budget ledger", request=request
    )
    context = {
        "title": str(budget),
        "budget": budget,
        "b": budget.balances(),
        "entries": entries,
        "form": form if may_allocate else None,
        # A team lead looking at a budget of the whole municipality: totals of all, bookings of own teams.
        "own_bookings_only": not may_allocate and budget.team_id is None,
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
    case = tenancy.get_for_user_or_404(visible_cases(request.user), request.user, pk=case_id)
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
        # The first channel is the rule-free maatwerkbudget: its legal basis, not a Participatiewet article.
        initial = {"idempotency_key": new_key(), "legal_basis": LegalBasis.RULE_FREE}
        form = SpendRequestForm(case=case, initial=initial)
        status = 200
    # Shows the case reference only: no household data is read here. The ladder says who approves what.
    context = {
        "title": _("Request money"),
        "form": form,
        "case": case,
        "ladders": ladder_views.ladders(case.municipality),
    }
    return render(request, "budgets/spend_form.html", context, status=status)


def _spend_context(request, spend, **forms):
    """Which forms the page offers follows from `rules`, the same functions the services refuse with."""
    user = request.user
    is_admin = spend.municipality_id in tenancy.municipality_ids(user, [Role.ADMIN])
    requested = spend.status == SpendStatus.REQUESTED
    approved = spend.status == SpendStatus.APPROVED
    refusal = rules.approval_refusal(spend, user) if requested else None
    may_reject = requested and rules.rejection_refusal(spend, user) is None
    open_batch = queries.open_batch_of(spend) if approved else None
    # An administrator who may not pay this one (they requested or approved it) is told why.
    pay_refusal = rules.payment_refusal(spend, user) if approved else None
    return {
        "title": spend.reference,
        "spend": spend,
        "next_step": rules.next_step(spend),
        "checks": spend.legality_checks.select_related("checked_by"),
        "refusal": refusal,
        "can_approve": requested and refusal is None,
        "can_reject": may_reject,
        "can_decide": requested and (refusal is None or may_reject),
        "can_check": requested and rules.check_refusal(spend, user) is None,
        # A spend in an exported batch may already be at the bank: the batch is withdrawn first.
        "can_cancel": spend.status in (SpendStatus.REQUESTED, SpendStatus.APPROVED)
        and open_batch is None
        and rules.cancel_refusal(spend, user) is None,
        "can_pay": approved and pay_refusal is None,
        "pay_refusal": pay_refusal if approved and is_admin else None,
        "open_batch": open_batch,
        "is_admin": is_admin,
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


def _spend_page(request, spend, status=200, **forms):
    """The spend page, also when an action on it failed: each showing of its payee is a read."""
    queries.log_spends(request.user, [spend], purpose="view spend request", request=request)
    return render(
        request, "budgets/spend_detail.html", _spend_context(request, spend, **forms), status=status
    )


@login_required
def spend_detail(request, pk: int):
    return _spend_page(request, _spend(request, pk))


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
            # Only an approved request had money committed to give back.
            had_commitment = spend.status == SpendStatus.APPROVED
            verb(spend, by=user, reason=form.cleaned_data["reason"])
            done = {
                "reject": _("Rejected."),
                "cancel": _("Cancelled; the money is released.") if had_commitment else _("Cancelled."),
                "reverse": _("Payment reversed."),
            }[action]
    except ValidationError as exc:
        spend.refresh_from_db()
        forms["errors"] = _errors(exc)
        return _spend_page(request, spend, status=422, **forms)
    except PermissionDenied as exc:
        # The service's refusal ("four eyes", "above your mandate") on the spend page the user came from,
        # so they see why and what the request needs; the status still says it was refused.
        spend.refresh_from_db()
        forms["errors"] = [str(exc) or _("Your role does not give access to this.")]
        return _spend_page(request, spend, status=403, **forms)
    messages.success(request, done)
    return redirect("budgets:spend", pk=spend.pk)


@login_required
def checks(request):
    _require(request.user, Role.LEGAL_CHECKER)
    pending = list(queries.awaiting_check(request.user).order_by("requested_at")[:200])
    for spend in pending:
        spend.latest = services.latest_check(spend)
    queries.log_spends(request.user, pending, purpose="legality checks list", request=request)
    return render(request, "budgets/checks.html", {"title": _("Legality checks"), "pending": pending})


def _payments_page(request, form, status=200):
    awaiting = queries.awaiting_payment(request.user).order_by("decided_at")
    batches = queries.visible_batches(request.user)
    spends = list(queries.not_in_open_batch(awaiting))
    # The batches list shows message ids, totals and the municipality's own account: no household data.
    queries.log_spends(request.user, spends, purpose="payments list", request=request)
    context = {
        "title": _("Payments"),
        "spends": spends,
        "held": queries.in_open_batch(awaiting).count(),
        "open_batches": list(batches.open()),
        "closed_batches": list(batches.filter(closure__isnull=False)[:50]),
        "form": form,
    }
    return render(request, "budgets/payments.html", context, status=status)


@login_required
def payments(request):
    _require(request.user, Role.ADMIN)
    form = SepaExportForm(
        user=request.user,
        initial={
            "execution_date": timezone.localdate() + datetime.timedelta(days=1),
            "idempotency_key": new_key(),
        },
    )
    return _payments_page(request, form)


@login_required
@require_POST
def batch_create(request):
    """Record the batch of approved transfers, then show it: its page offers the SEPA file."""
    _require(request.user, Role.ADMIN)
    form = SepaExportForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.export_payment_batch(
                by=request.user,
                municipality=data["municipality"],
                debtor_name=data["debtor_name"],
                debtor_iban=data["debtor_iban"],
                debtor_bic=data["debtor_bic"],
                execution_date=data["execution_date"],
                idempotency_key=data["idempotency_key"] or None,
            )
        except ValidationError as exc:
            _to_form(form, exc)
        except PermissionDenied as exc:
            # Everything left to export was requested or approved by this administrator: say so here.
            form.add_error(None, str(exc))
            return _payments_page(request, form, status=403)
        else:
            messages.success(
                request,
                ngettext(
                    "Payment batch %(id)s recorded with %(n)d transfer. Download the SEPA file below.",
                    "Payment batch %(id)s recorded with %(n)d transfers. Download the SEPA file below.",
                    batch.count,
                )
                % {"id": batch.message_id, "n": batch.count},
            )
            return redirect("budgets:batch", pk=batch.pk)
    return _payments_page(request, form, status=422)


def _batch(request, pk):
    return tenancy.get_for_user_or_404(queries.visible_batches(request.user), request.user, pk=pk)


def _batch_page(request, batch, *, pay_form=None, withdraw_form=None, errors=(), status=200):
    spends = list(queries.batch_spends(batch))
    queries.log_spends(request.user, spends, purpose="view payment batch", request=request, extra=[batch])
    context = {
        "title": _("Payment batch %(id)s") % {"id": batch.message_id},
        "batch": batch,
        "spends": spends,
        "pay_form": pay_form or MarkBatchPaidForm(initial={"idempotency_key": new_key()}),
        "withdraw_form": withdraw_form or ReasonForm(prefix="withdraw"),
        "action_errors": list(errors),
    }
    return render(request, "budgets/batch_detail.html", context, status=status)


@login_required
def batch_detail(request, pk: int):
    return _batch_page(request, _batch(request, pk))


@login_required
def batch_sepa(request, pk: int):
    batch = _batch(request, pk)
    spends = queries.exported_batch_spends(request.user, batch, purpose="payment batch file", request=request)
    try:
        data = exports.batch_pain_001(batch, spends)
    except exports.SepaFileInvalid:
        # Never a file the bank would refuse; 409: the batch's state, not the request, is at fault.
        return _batch_page(request, batch, errors=[exports.NOT_OFFERED], status=409)
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
    return response


@login_required
def batch_csv(request, pk: int):
    batch = _batch(request, pk)
    spends = queries.exported_batch_spends(request.user, batch, purpose="payment batch csv", request=request)
    response = HttpResponse(exports.payments_csv(spends), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.csv"'
    return response


@login_required
@require_POST
def batch_pay(request, pk: int):
    batch = _batch(request, pk)
    form = MarkBatchPaidForm(request.POST)
    if not form.is_valid():
        return _batch_page(request, batch, pay_form=form, status=422)
    try:
        services.mark_batch_paid(
            batch, by=request.user, idempotency_key=form.cleaned_data["idempotency_key"] or None
        )
    except ValidationError as exc:
        return _batch_page(request, _batch(request, pk), errors=_errors(exc), status=422)
    messages.success(
        request,
        ngettext(
            "Batch marked as paid: %(n)d request paid.",
            "Batch marked as paid: %(n)d requests paid.",
            batch.count,
        )
        % {"n": batch.count},
    )
    return redirect("budgets:batch", pk=batch.pk)


@login_required
@require_POST
def batch_withdraw(request, pk: int):
    batch = _batch(request, pk)
    form = ReasonForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        return _batch_page(request, batch, withdraw_form=form, status=422)
    try:
        services.withdraw_batch(batch, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _batch_page(request, _batch(request, pk), errors=_errors(exc), status=422)
    messages.success(request, _("Batch withdrawn; its approved requests can be exported again."))
    return redirect("budgets:batch", pk=batch.pk)


@login_required
def export_csv(request):
    _require(request.user, Role.ADMIN)
    spends = queries.payment_batch(request.user, request=request)
    response = HttpResponse(exports.payments_csv(spends), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="betalingen-{timezone.localdate():%Y%m%d}.csv"'
    return response
