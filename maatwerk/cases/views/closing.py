from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.forms import add_service_errors
from maatwerk.validation import parse_page

from .. import queries, services
from ..forms import CloseForm, FollowUpForm, MdtForm, ScoresForm
from ..models import Moment, Status
from .common import form_page, get_case, page_error, run_service, to_case


def _status(form) -> int:
    return 400 if form.errors else 200


@login_required
def scores(request, pk: int):
    case = get_case(request, pk, "domain scores")
    default_moment = {Status.CLOSED: Moment.CLOSE, Status.AFTERCARE: Moment.FOLLOWUP_3}.get(
        case.status, Moment.INTAKE
    )
    moment = request.GET.get("moment", default_moment)
    existing = {f"domain_{s.domain}": str(s.score) for s in case.scores.filter(moment=moment)}
    form = ScoresForm(request.POST or None, initial={"moment": moment, **existing})
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.record_scores(
                case, by=request.user, moment=form.cleaned_data["moment"], scores=form.scores()
            ),
            success=_("Scores saved."),
        ):
            return to_case(case, "scores")
    return form_page(
        request,
        case,
        form,
        title=_("Life domain scores"),
        status=_status(form),
        intro=_("Scores from 1 to 5 are optional; leave a domain empty when it does not apply."),
    )


@login_required
def mdt(request, pk: int):
    case = get_case(request, pk, "MDT consultation")
    form = MdtForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_service(
            request,
            form,
            lambda: services.record_mdt(
                case,
                by=request.user,
                question=d["question"],
                held_on=d["held_on"],
                participants=form.participant_list(),
                advice=d["advice"],
                decision=d["decision"],
            ),
            success=_("MDT consultation recorded."),
        ):
            return to_case(case, "mdt")
    return form_page(request, case, form, title=_("MDT consultation"), status=_status(form))


@login_required
def close(request, pk: int):
    case = get_case(request, pk, "close case")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(case, by=request.user, **form.parts())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if case.voices.exists():
                # The quote or the reflection is to be shared: its recorder checks the de-identified version.
                messages.success(
                    request,
                    _("Case closed. Now check what others will see of the quote and your reflection."),
                )
                return redirect("cases:voices", pk=case.pk)
            messages.success(request, _("Case closed; follow-ups are planned at 3 and 12 months."))
            return to_case(case)
    return form_page(
        request,
        case,
        form,
        title=_("Close the case"),
        status=_status(form),
        intro=_("Outcome, the client's own judgement and your reflection."),
    )


@login_required
def followup(request, pk: int, followup_pk: int):
    case = get_case(request, pk, "record follow-up")
    item = tenancy.get_for_user_or_404(
        queries.followups_for(request.user).filter(case=case), request.user, pk=followup_pk
    )
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.record_followup(item, by=request.user, **form.cleaned_data),
            success=_("Follow-up recorded."),
        ):
            return to_case(case, "followup")
    return form_page(
        request,
        case,
        form,
        title=_("Follow-up %(kind)s") % {"kind": item.get_kind_display()},
        status=_status(form),
        intro=services.followup_not_open_reason(item),
    )


@login_required
def followups(request):
    all_team = request.GET.get("team") == "1"
    errors: dict = {}
    page = parse_page(request.GET.get("page"), errors)
    items, has_next = [], False
    if not errors:
        items, has_next = queries.page_of(queries.due_followups(request.user, all_team=all_team), page)
        queries.log_list_read(
            request.user, [i.case for i in items], purpose="follow-up list", request=request
        )
    return render(
        request,
        "cases/followups.html",
        {
            "title": _("Follow-ups due"),
            "items": items,
            "all_team": all_team,
            "page": page,
            "has_next": has_next,
            "query": "team=1" if all_team else "",
            "page_error": page_error(errors),
        },
        status=400 if errors else 200,
    )
