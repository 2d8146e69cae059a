"""Pages of the mandate ladder: the ladder itself, the approvals queue, and the hint on the request form
that says who will have to approve an amount ("Dit bedrag vraagt goedkeuring van …")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Municipality, Role
from maatwerk.cases.queries import visible_cases
from maatwerk.forms import add_service_errors
from maatwerk.validation import parse_choice, parse_money

from . import queries, rules, services
from .forms import MandateForm, ThresholdForm
from .models import Channel, LegalityCheckRule, Mandate
from .services.mandates import RUNG_ROLES

# Team leads read the ladder their requests climb; administrators keep it; legality checkers check
# "within the mandate" against it; the director of the social domain stands on it. It names civil
# servants, never a household.
LADDER_READERS = (Role.TEAM_LEAD, Role.ADMIN, Role.LEGAL_CHECKER, Role.POLICY)


def ladders(municipality: Municipality) -> list[dict]:
    """Per channel: the active rungs lowest first, then the switched-off ones (shown to administrators),
    and the threshold of the legality check."""
    thresholds = {
        r.channel: r.above_amount for r in LegalityCheckRule.objects.filter(municipality=municipality)
    }
    every = list(Mandate.objects.filter(municipality=municipality).select_related("user"))
    out = []
    for channel in Channel:
        active = rules.rungs_of(every, channel)
        inactive = [m for m in every if m.channel == channel and m not in active]
        rungs = [{"mandate": m, "counts": m in active} for m in [*active, *inactive]]
        out.append(
            {"channel": channel, "label": channel.label, "rungs": rungs, "threshold": thresholds.get(channel)}
        )
    return out


def _ladder_municipalities(user) -> list[Municipality]:
    ids = tenancy.municipality_ids(user, LADDER_READERS)
    return list(Municipality.objects.filter(pk__in=ids).order_by("name"))


def _admin_municipality(user, pk) -> Municipality:
    """The municipality `user` administers, or 404 (another municipality's ladder is not theirs to see)."""
    if not rules.is_admin_of(pk, user):
        raise Http404
    return Municipality.objects.get(pk=pk)


@login_required
@require_safe
def mandates(request):
    """The ladders of the user's municipalities; an administrator finds the links to change them."""
    user = request.user
    municipalities = _ladder_municipalities(user)
    if not municipalities:
        raise PermissionDenied
    admin_of = tenancy.municipality_ids(user, [Role.ADMIN])
    sections = [
        {"municipality": m, "ladders": ladders(m), "is_admin": m.pk in admin_of} for m in municipalities
    ]
    return render(request, "budgets/mandates.html", {"title": _("Mandates"), "sections": sections})


def _form_page(request, form, *, title: str, municipality, status: int):
    context = {"title": title, "form": form, "municipality": municipality}
    return render(request, "budgets/mandate_form.html", context, status=status)


def _mandate_initial(mandate: Mandate) -> dict:
    return {
        "channel": mandate.channel,
        "title": mandate.title,
        "role": mandate.role,
        "user": mandate.user_id,
        "max_amount": mandate.max_amount,
        "active": mandate.active,
    }


@login_required
def mandate_edit(request, municipality_id: int, pk: int | None = None):
    """Add a rung (no `pk`) or change one: the administrator of the municipality only; 404 for others."""
    municipality = _admin_municipality(request.user, municipality_id)
    mandate = None
    if pk is not None:
        mandate = Mandate.objects.filter(municipality=municipality, pk=pk).first()
        if mandate is None:
            raise Http404
    title = _("Add a rung") if mandate is None else _("Change a rung")
    if request.method != "POST":
        initial = _mandate_initial(mandate) if mandate is not None else {"active": True}
        form = MandateForm(municipality=municipality, initial=initial)
        return _form_page(request, form, title=title, municipality=municipality, status=200)
    form = MandateForm(request.POST, municipality=municipality)
    if form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("user")
        try:
            services.save_mandate(
                by=request.user,
                municipality=municipality,
                mandate=mandate,
                user_id=getattr(person, "pk", None),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mandate saved."))
            return redirect("budgets:mandates")
    return _form_page(request, form, title=title, municipality=municipality, status=422)


@login_required
def threshold_edit(request, municipality_id: int):
    """Above which amount a request needs a legality check, per channel."""
    municipality = _admin_municipality(request.user, municipality_id)
    title = _("Threshold of the legality check")
    if request.method != "POST":
        form = ThresholdForm(initial={"channel": request.GET.get("channel", Channel.MAATWERKBUDGET)})
        return _form_page(request, form, title=title, municipality=municipality, status=200)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.set_check_threshold(by=request.user, municipality=municipality, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Threshold of the legality check saved."))
            return redirect("budgets:mandates")
    return _form_page(request, form, title=title, municipality=municipality, status=422)


@login_required
@require_safe
def approvals(request):
    """The requests routed to this person's rung of the ladder, oldest first: for the roles a rung can
    name and for anyone named in a mandate."""
    user = request.user
    if (
        not tenancy.has_role(user, *RUNG_ROLES)
        and not Mandate.objects.filter(user=user, active=True).exists()
    ):
        raise PermissionDenied
    routed = queries.routed_to(user)
    waiting = [s for s in routed if rules.check_done(s)]
    coming = [s for s in routed if s not in waiting]
    queries.log_spends(user, routed, purpose="approvals queue", request=request)
    context = {"title": _("To approve"), "waiting": waiting, "coming": coming}
    return render(request, "budgets/approvals.html", context)


@login_required
@require_safe
def route_preview(request, case_id: int):
    """The hint beside the amount: who will have to approve it, and whether a legality check comes first.

    A fragment for htmx on the request form (the form also shows the whole ladder, for a browser without
    JavaScript). Reads only the case's team and municipality: no household data.
    """
    case = tenancy.get_for_user_or_404(visible_cases(request.user), request.user, pk=case_id)
    errors: dict = {}
    channel = parse_choice(request.GET.get("channel"), Channel, "channel", errors)
    raw = (request.GET.get("amount") or "").strip()
    amount = parse_money(raw, "amount", errors) if raw else None
    context = {"amount": amount, "errors": errors}
    if amount and not errors:
        context["route"] = rules.route(
            municipality_id=case.municipality_id,
            team_id=case.team_id,
            channel=channel,
            amount=amount,
            requested_by=request.user,
        )
    return render(request, "budgets/_route_preview.html", context)
