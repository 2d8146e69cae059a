"""Business-case editor, version history, value triangle and the plan PDF. Views parse, call one service,
render; every case is fetched through tenancy (another team's case answers 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.catalogue import services as catalogue
from maatwerk.catalogue.models import CostItem
from maatwerk.forms import add_service_errors

from . import editor as ed
from . import engine, queries, services
from . import evaluation as ev
from .forms import AgreementFormSet, TriangleForm
from .presentation import ROUTE_LABELS, flows_with_sources, summary, version_problem

SEARCH_LIMIT = 15


def _case(request, case_id: int, purpose: str, *, log: bool = True):
    case = queries.get_case_or_404(request.user, case_id)
    if log:
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


def _initial_state(case, version) -> tuple[dict, dict]:
    rate = ev.default_hourly_rate()
    if version is None:
        return ed.default_params(rate), {route: [] for route in ed.ROUTES}
    inputs = version.inputs or {}
    if inputs.get("params") and inputs.get("rows") is not None:
        params = dict(inputs["params"], note="")
        return params, inputs["rows"]
    try:
        params = ed.params_from_plan(version.plan, version.hourly_rate, bias_applied=False)
        return params, ed.rows_from_plan(version.plan)
    except (TypeError, AttributeError, KeyError, ValueError, ArithmeticError):
        # A stored plan that is not even shaped like one (see version_problem): start afresh;
        # the page says that the version must be corrected.
        return ed.default_params(rate), {route: [] for route in ed.ROUTES}


def _evaluate(case, editor: ed.Editor):
    """Validate the forms and compute; errors end up on the forms. Returns the evaluation or None."""
    if not editor.is_valid():
        return None
    plan, rate = editor.plan()
    try:
        return ev.evaluate(case, plan, hourly_rate=rate)
    except engine.PlanError as exc:
        editor.apply_plan_error(exc)
        return None


def _search(case, q: str) -> list[dict]:
    q = (q or "").strip()
    if not q:
        return []
    items = list(CostItem.objects.active().search(q)[:SEARCH_LIMIT])
    prices = catalogue.prices_for(items, case.municipality_id)
    return [{"item": item, "price": prices[item.code]} for item in items]


def _results_context(evaluation, editor: ed.Editor | None = None) -> dict:
    return {
        "evaluation": evaluation,
        "s": summary(evaluation.result) if evaluation else None,
        "errors": editor.errors() if (editor is not None and evaluation is None) else [],
        "hourly_rate_source": ev.HOURLY_RATE_SOURCE,
    }


def _editor_page(request, case, editor: ed.Editor, evaluation, *, q: str = "", status: int = 200):
    business_case = getattr(case, "business_case", None)
    versions = list(business_case.versions.select_related("created_by", "frozen_by")) if business_case else []
    for version in versions:
        version.problem = version_problem(version)
    context = {
        "title": _("Business case %(ref)s") % {"ref": case.reference},
        "case": case,
        "editor": editor,
        "routes": [(route, ROUTE_LABELS[route], editor.formsets[route]) for route in ed.ROUTES],
        "versions": versions,
        "latest": versions[0] if versions else None,
        "q": q,
        "search_results": _search(case, q),
        "hours": ev.case_hours(case),
        **_results_context(evaluation, editor),
    }
    return render(request, "businesscases/editor.html", context, status=status)


def _unbound(params: dict, rows: dict) -> ed.Editor:
    """An editor for a state that was only rearranged (row added or removed): no errors shown yet."""
    editor = ed.Editor(ed.form_data(params, rows))
    editor.is_valid()
    for form in [editor.params, *[f for fs in editor.formsets.values() for f in fs.forms]]:
        form._errors = {}  # noqa: SLF001 — keep the typed values, hide errors until the user calculates
    return editor


@login_required
def editor_view(request, case_id: int):
    case = _case(request, case_id, "business case editor", log=request.method == "GET")
    if request.method == "GET":
        params, rows = _initial_state(case, services.latest_version(case))
        editor = ed.Editor(ed.form_data(params, rows))
        evaluation = _evaluate(case, editor)
        return _editor_page(request, case, editor, evaluation)

    data = request.POST
    q = data.get("q", "")
    add, remove, action = data.get("add"), data.get("remove"), data.get("action", "calculate")
    if add or remove or action == "search":
        params, rows = ed.params_from_data(data), ed.rows_from_data(data)
        if add:
            route, _sep, code = add.partition(":")
            if route in ed.ROUTES and len(rows[route]) < ed.MAX_ROWS:
                item = CostItem.objects.active().filter(code=code).first() if code else None
                if item is not None:
                    rows[route].append(
                        ed.row_from_item(item, catalogue.current_amount(item, case.municipality_id))
                    )
                else:
                    rows[route].append(ed.blank_row())
        if remove:
            route, _sep, index = remove.rpartition("-")
            if route in ed.ROUTES and index.isdigit() and int(index) < len(rows[route]):
                del rows[route][int(index)]
        editor = _unbound(params, rows)
        evaluation = None
        full = ed.Editor(ed.form_data(params, rows))
        evaluation = _evaluate(case, full)
        return _editor_page(request, case, editor, evaluation, q=q)

    editor = ed.Editor(data)
    evaluation = _evaluate(case, editor)
    if evaluation is None:
        return _editor_page(request, case, editor, None, q=q, status=400)
    if action == "save":
        plan, rate = editor.plan()
        try:
            version = services.save_version(
                case,
                by=request.user,
                plan=plan,
                hourly_rate=rate,
                inputs=editor.inputs(),
                note=editor.params.cleaned_data.get("note", ""),
            )
        except engine.PlanError as exc:
            editor.apply_plan_error(exc)
            return _editor_page(request, case, editor, None, q=q, status=400)
        messages.success(request, _("Version %(n)d of the business case is saved.") % {"n": version.number})
        return redirect("businesscases:editor", case_id=case.pk)
    return _editor_page(request, case, editor, evaluation, q=q)


@login_required
@require_POST
def preview(request, case_id: int):
    """The live recalculation (htmx): the results partial for the posted editor state."""
    case = _case(request, case_id, "business case preview", log=False)
    editor = ed.Editor(request.POST)
    evaluation = _evaluate(case, editor)
    return render(
        request, "businesscases/_results.html", {"case": case, **_results_context(evaluation, editor)}
    )


@login_required
@require_GET
def catalogue_search(request, case_id: int):
    case = _case(request, case_id, "business case catalogue search", log=False)
    q = request.GET.get("q", "")
    return render(
        request, "businesscases/_search.html", {"case": case, "q": q, "search_results": _search(case, q)}
    )


@login_required
def version_detail(request, case_id: int, number: int):
    case = _case(request, case_id, "business case version")
    version = tenancy.get_for_user_or_404(
        queries.versions_for(request.user), request.user, business_case__case=case, number=number
    )
    problem = version_problem(version)
    return render(
        request,
        "businesscases/version.html",
        {
            "title": _("Business case %(ref)s, version %(n)d") % {"ref": case.reference, "n": version.number},
            "case": case,
            "version": version,
            "problem": problem,
            "flows": [] if problem else flows_with_sources(version),
            "s": None if problem else summary(version.result),
            "hourly_rate_source": ev.HOURLY_RATE_SOURCE,
        },
    )


@login_required
def triangle_view(request, case_id: int):
    case = _case(request, case_id, "value triangle", log=request.method == "GET")
    latest = services.latest_triangle(case)
    version = services.latest_version(case)
    if request.method == "POST":
        form = TriangleForm(request.POST)
        if form.is_valid():
            try:
                services.record_triangle(case, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The value triangle is saved."))
                return redirect("businesscases:triangle", case_id=case.pk)
    else:
        initial = {}
        if latest is not None:
            initial = {
                f: getattr(latest, f)
                for f in ("engagement", "legitimacy", "legal_basis", "judgement", "verdict")
            }
        form = TriangleForm(initial=initial)
    history = list(queries.triangles_for(request.user).filter(case=case)[:20])
    return render(
        request,
        "businesscases/triangle.html",
        {
            "title": _("Value triangle %(ref)s") % {"ref": case.reference},
            "case": case,
            "form": form,
            "latest": latest,
            "history": history,
            "version": version,
            "rendement": ev.rendement_snapshot(version),
        },
        status=400 if form.errors else 200,
    )


def _agreement_rows(formset) -> tuple[list[dict], list]:
    """The rows to save (filled in, not marked for removal) and the form each came from."""
    rows, forms = [], []
    for form in formset.forms:
        if form.cleaned_data.get("remove") or form.is_blank():
            continue
        rows.append({k: form.cleaned_data.get(k) for k in ("who", "what", "due_date")})
        forms.append(form)
    return rows, forms


@login_required
def agreements_view(request, case_id: int):
    """The support plan's agreements (who does what by when), printed in the plan PDF."""
    case = _case(request, case_id, "support plan agreements", log=request.method == "GET")
    current = services.agreements(case)
    if request.method == "POST":
        formset = AgreementFormSet(request.POST, prefix="a")
        if formset.is_valid():
            rows, forms = _agreement_rows(formset)
            try:
                services.save_agreements(case, by=request.user, rows=rows)
            except ValidationError as exc:
                for key, messages_ in exc.message_dict.items():
                    index, _sep, field = key.partition(".")
                    target = forms[int(index)] if index.isdigit() and int(index) < len(forms) else None
                    for message in messages_:
                        if target is not None and field in target.fields:
                            target.add_error(field, message)
                        else:
                            formset.non_form_errors().append(message)
            else:
                messages.success(request, _("The agreements are saved."))
                return redirect("businesscases:agreements", case_id=case.pk)
    else:
        formset = AgreementFormSet(
            prefix="a", initial=[{"who": a.who, "what": a.what, "due_date": a.due_date} for a in current]
        )
    has_errors = formset.is_bound and (
        any(f.errors for f in formset.forms) or bool(formset.non_form_errors())
    )
    return render(
        request,
        "businesscases/agreements.html",
        {
            "title": _("Agreements of the support plan %(ref)s") % {"ref": case.reference},
            "case": case,
            "formset": formset,
            "has_errors": has_errors,
        },
        status=400 if has_errors else 200,
    )


@login_required
@require_GET
def plan_pdf(request, case_id: int):
    case = _case(request, case_id, "support plan PDF", log=False)  # the export itself is logged
    pdf = services.export_plan_pdf(case, by=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ondersteuningsplan-{case.reference}.pdf"'
    return response


def editor_url(case) -> str:
    return reverse("businesscases:editor", kwargs={"case_id": case.pk})
