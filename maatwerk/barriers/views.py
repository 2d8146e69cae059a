"""Barrier register pages: parse, call one service, render (after healthchecks' hc/front/views.py).

Policy and the national programme see barriers with counts and sums of the linked cases only; linked
cases themselves (reference and household) are shown only to workers and team leads of the case's team.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.cases.queries import log_list_read, visible_cases
from maatwerk.lib.money import format_eur
from maatwerk.validation import parse_ids

from . import exports, privacy, queries, services
from .forms import AnswerForm, BarrierForm, CloseForm, EscalateForm, LinkForm
from .grouping import SignalRow, suggest_groups
from .models import OPEN_STATUSES, Barrier, BarrierStatus, BarrierType, Escalation

LIST_ROLES = queries.REGISTER_ROLES


def eur(value) -> str:
    return format_eur(value or 0, get_language() or "nl", decimals=0)


def _require(user, roles) -> None:
    if not tenancy.has_role(user, *roles):
        raise PermissionDenied


def _barrier(request, pk) -> Barrier:
    return tenancy.get_for_user_or_404(queries.visible_barriers(request.user), request.user, pk=pk)


def _may_act(user, barrier: Barrier) -> bool:
    return barrier.municipality_id in tenancy.municipality_ids(user, queries.ACT_ROLES)


def _own_cases(user):
    """Cases of the user's own team(s), for registering from a case and linking."""
    return visible_cases(user).select_related("household").order_by("-last_activity_at", "-id")


@login_required
def barrier_list(request):
    if queries.is_national(request.user) and not tenancy.has_role(request.user, *LIST_ROLES):
        return redirect("barriers:national")
    _require(request.user, LIST_ROLES)
    barriers = queries.visible_barriers(request.user)
    status = request.GET.get("status", "")
    try:
        barriers = queries.filter_status(barriers, status)
    except ValueError:
        status = ""  # an unknown status (an old bookmark) shows the whole register
    # The type: the stories' learning points link here per theme (Theme.barrier_type).
    barrier_type = queries.known_type(request.GET.get("type", ""))
    barriers = queries.filter_type(barriers, barrier_type)
    # A page number past the end shows the last page, and one that is not a number the first.
    page = queries.RegisterPaginator(barriers).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    overdue = list(queries.overdue_for(request.user))
    privacy.screen(request.user, rows, overdue, fields=privacy.LIST_TEXTS)
    for b in rows:
        b.cost_display = eur(b.cost_at_stake)
    # Page links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "barriers/list.html",
        {
            "title": _("Barriers"),
            "barriers": rows,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "ellipsis": Paginator.ELLIPSIS,
            "page_link": "?" + (f"{query.urlencode()}&" if query else "") + "page=",
            "overdue": overdue,
            "status": status,
            "status_choices": [(queries.OPEN_ALL, _("not closed")), *BarrierStatus.choices],
            "barrier_type": barrier_type,
            "type_choices": BarrierType.choices,
            "can_register": tenancy.has_role(request.user, *queries.REGISTERING_ROLES),
        },
    )


@login_required
def national(request):
    _require(request.user, {"programme"})
    barrier_type = queries.known_type(request.GET.get("type", ""))
    barriers = list(queries.filter_type(queries.visible_barriers(request.user), barrier_type))
    privacy.screen(request.user, barriers, fields=privacy.NATIONAL_TEXTS)
    rows = queries.national_rows(barriers)
    for row in rows:
        row.cost_display = eur(row.cost_at_stake)
    by_id = {b.pk: b for b in barriers}
    suggestions = suggest_groups(
        SignalRow(b.pk, b.type, b.agencies, b.provision_key, b.municipality_id, b.team_id, b.group_id)
        for b in barriers
        if b.status in OPEN_STATUSES or b.group_id
    )
    return render(
        request,
        "barriers/national.html",
        {
            "title": _("National barrier register"),
            "rows": rows,
            "suggestions": [[by_id[i] for i in ids] for ids in suggestions],
            "barriers": barriers,
            "barrier_type": barrier_type,
            "type_choices": BarrierType.choices,
        },
    )


@login_required
@require_POST
def merge(request):
    _require(request.user, queries.MERGE_ROLES)
    errors: dict = {}
    ids = parse_ids(request.POST.getlist("barrier"), "barrier", errors)
    if errors:
        # A tampered id (not a number, beyond 64 bits): the register again, with the error, as a 400.
        messages.error(request, _("Barriers to merge: %(error)s") % {"error": errors["barrier"]})
        response = (national if queries.is_national(request.user) else barrier_list)(request)
        response.status_code = 400
        return response
    barriers = list(queries.visible_barriers(request.user).filter(pk__in=ids))
    try:
        group = services.merge_into_group(barriers, by=request.user, title=request.POST.get("title", ""))
    except ValidationError as exc:
        for message_list in exc.message_dict.values():
            for message in message_list:
                messages.error(request, message)
    else:
        messages.success(request, _("Merged into structural signal %(ref)s.") % {"ref": group.reference})
    return redirect("barriers:national" if queries.is_national(request.user) else "barriers:list")


@login_required
def barrier_new(request):
    _require(request.user, queries.REGISTERING_ROLES)
    cases = list(_own_cases(request.user)[:200])
    initial = {}
    case_param = request.GET.get("case")
    if case_param:
        case = tenancy.get_for_user_or_404(_own_cases(request.user), request.user, pk=case_param)
        if case not in cases:
            cases.insert(0, case)
        initial["case"] = str(case.pk)
    form = BarrierForm(request.POST or None, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        case_id = data.pop("case", "")
        cost = data.pop("cost_at_stake", None)
        case = (
            tenancy.get_for_user_or_404(_own_cases(request.user), request.user, pk=case_id)
            if case_id
            else None
        )
        try:
            barrier = services.register_barrier(by=request.user, case=case, cost_at_stake=cost, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Barrier %(ref)s registered.") % {"ref": barrier.reference})
            return redirect("barriers:detail", barrier.pk)
    log_list_read(request.user, cases, purpose="barrier case choices", request=request)  # household names
    return render(
        request,
        "barriers/form_page.html",
        {"title": _("Register a barrier"), "form": form, "submit": _("Register")},
    )


@login_required
def barrier_detail(request, pk):
    barrier = _barrier(request, pk)
    figures = queries.with_figures(Barrier.objects.filter(pk=barrier.pk)).values(
        "households_hit", "cases_linked", "cost_at_stake"
    )[0]
    own_links = list(queries.own_links(request.user, barrier)) if tenancy.team_ids(request.user) else []
    for link in own_links:
        link.cost_display = eur(link.cost) if link.cost is not None else "—"
    log_access(request.user, barrier, action=AccessLog.Action.READ, purpose="barrier detail", request=request)
    log_list_read(
        request.user, [lk.case for lk in own_links], purpose="barrier linked cases", request=request
    )
    escalations = list(barrier.escalations.select_related("owner", "answered_by"))
    privacy.screen(request.user, [barrier], escalations)
    may_act = _may_act(request.user, barrier)
    return render(
        request,
        "barriers/detail.html",
        {
            "title": f"{barrier.reference} {barrier.title}",
            "barrier": barrier,
            "households_hit": figures["households_hit"],
            "cases_linked": figures["cases_linked"],
            "cost_display": eur(figures["cost_at_stake"]),
            "own_links": own_links,
            "escalations": escalations,
            "may_act": may_act and not barrier.is_closed,
            "may_link": bool(tenancy.team_ids(request.user))
            and barrier.municipality_id
            in {m.municipality_id for m in tenancy.memberships(request.user) if m.team_id},
        },
    )


def _shown(request, barrier: Barrier) -> Barrier:
    """A copy of the barrier for display, masked for those outside its team; the services get the
    original (they check its stored texts, and must see them as they are)."""
    shown = copy.copy(barrier)
    privacy.screen(request.user, [shown])  # all texts: the edit form starts from them
    return shown


def _form_page(request, barrier, form, *, title, submit, service):
    if request.method == "POST" and form.is_valid():
        try:
            service(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("barriers:detail", barrier.pk)
    return render(
        request,
        "barriers/form_page.html",
        {"title": title, "form": form, "submit": submit, "barrier": _shown(request, barrier)},
    )


def _acting_barrier(request, pk) -> Barrier:
    barrier = _barrier(request, pk)
    if not _may_act(request.user, barrier):
        raise PermissionDenied
    return barrier


@login_required
def link(request, pk):
    barrier = _barrier(request, pk)
    linked = set(barrier.links.values_list("case_id", flat=True))
    cases = [
        c
        for c in _own_cases(request.user).filter(municipality=barrier.municipality_id)[:200]
        if c.pk not in linked
    ]
    if not tenancy.team_ids(request.user):
        raise PermissionDenied
    form = LinkForm(request.POST or None, cases=cases)
    if request.method == "GET":  # the choices show household names
        log_list_read(request.user, cases, purpose="barrier case choices", request=request)

    def run(data):
        case = tenancy.get_for_user_or_404(_own_cases(request.user), request.user, pk=data["case"])
        services.link_case(barrier, case, by=request.user, cost_at_stake=data["cost_at_stake"])

    return _form_page(request, barrier, form, title=_("Link a case"), submit=_("Link"), service=run)


@login_required
def edit(request, pk):
    barrier = _acting_barrier(request, pk)
    closed = services.check_editable(barrier)
    if closed:
        for message in closed.values():
            messages.error(request, message)
        return redirect("barriers:detail", barrier.pk)
    # Outside the owning team the form starts from the masked texts: saving them removes what the check
    # finds, and no policy user reads the household's data this way.
    initial = services.current_input(_shown(request, barrier))
    initial["agencies"] = [str(a) for a in initial["agencies"]]
    form = BarrierForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        barrier,
        form,
        title=_("Edit the barrier"),
        submit=_("Save"),
        service=lambda data: services.update_barrier(barrier, by=request.user, **data),
    )


@login_required
def escalate(request, pk):
    barrier = _acting_barrier(request, pk)
    form = EscalateForm(request.POST or None)
    return _form_page(
        request,
        barrier,
        form,
        title=_("Escalate"),
        submit=_("Escalate"),
        service=lambda data: services.escalate_barrier(barrier, by=request.user, **data),
    )


@login_required
def answer(request, pk):
    escalation = tenancy.get_for_user_or_404(
        Escalation.objects.filter(barrier__in=queries.visible_barriers(request.user)), request.user, pk=pk
    )
    barrier = _acting_barrier(request, escalation.barrier_id)
    form = AnswerForm(request.POST or None)
    return _form_page(
        request,
        barrier,
        form,
        title=_("Record the answer"),
        submit=_("Save"),
        service=lambda data: services.record_answer(escalation, by=request.user, **data),
    )


@login_required
def close(request, pk):
    barrier = _acting_barrier(request, pk)
    form = CloseForm(request.POST or None)
    return _form_page(
        request,
        barrier,
        form,
        title=_("Close the barrier"),
        submit=pgettext("barrier", "Close"),
        service=lambda data: services.close_barrier(barrier, by=request.user, **data),
    )


@login_required
def export(request, fmt):
    if fmt not in exports.EXPORTERS:
        raise Http404
    if not (queries.is_national(request.user) or tenancy.has_role(request.user, *LIST_ROLES)):
        raise PermissionDenied
    barriers = list(queries.with_figures(queries.visible_barriers(request.user)))
    privacy.screen(request.user, barriers, fields=privacy.NATIONAL_TEXTS)
    log_access(
        request.user,
        action=AccessLog.Action.EXPORT,
        purpose=f"barrier register export {fmt}",
        object_type="barriers.barrier",
        object_id="register",
        request=request,
    )
    return exports.EXPORTERS[fmt](barriers)
