from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Team, User
from maatwerk.validation import parse_choice, parse_int

from .. import hub, lib, queries, services
from ..forms import IntakeForm, MoveForm, NoteForm, SituationForm, TimeForm
from ..models import STATUS_ORDER, LifeDomain, Moment, Voice
from .common import form_page, get_case, run_service, to_case


def score_chart(scores) -> dict:
    """Before (intake) against after (the latest later moment) per domain, as SVG geometry."""
    by_moment: dict[str, dict[int, int]] = defaultdict(dict)
    for s in scores:
        by_moment[s.moment][s.domain] = s.score
    after_moment = next(
        (m for m in (Moment.FOLLOWUP_12, Moment.FOLLOWUP_3, Moment.CLOSE) if by_moment.get(m)), None
    )
    before, after = by_moment.get(Moment.INTAKE, {}), by_moment.get(after_moment, {}) if after_moment else {}
    rows = []
    for i, domain in enumerate(d for d in LifeDomain if d.value in before or d.value in after):
        y = i * 30
        rows.append(
            {
                "label": domain.label,
                "y": y,
                "text_y": y + 17,
                "before": before.get(domain.value),
                "after": after.get(domain.value),
                "before_w": before.get(domain.value, 0) * 50,
                "after_w": after.get(domain.value, 0) * 50,
                "after_y": y + 13,
            }
        )
    return {
        "rows": rows,
        "height": len(rows) * 30,
        "after_label": Moment(after_moment).label if after_moment else "",
        "moments": {m: by_moment.get(m, {}) for m in Moment.values},
    }


# The timeline shows this many events, and "show more" this many more each time, up to the last page:
# every provider fetches at most page × TIMELINE_STEP + 1 rows, however long the file.
TIMELINE_STEP = 25
TIME_ROWS = 50
TIMELINE_PAGES = 40


def timeline_context(request, case) -> tuple[dict, dict]:
    """The filtered timeline for the case page, and the errors of its GET parameters ({} when valid)."""
    choices = hub.timeline_kinds()
    errors: dict = {}
    kinds = []
    for value in request.GET.getlist("kind")[: len(choices.values) + 1]:
        kind = parse_choice(value, choices, "kind", errors, required=False)
        if kind:
            kinds.append(kind)
    page = parse_int(request.GET.get("page"), "page", errors, 1, TIMELINE_PAGES, required=False) or 1
    messages = [
        _("%(field)s: %(error)s") % {"field": label, "error": errors[name]}
        for name, label in (("kind", _("Kind of event")), ("page", _("Page")))
        if name in errors
    ]
    events, more = (
        ([], False) if errors else hub.timeline(case, request.user, kinds=kinds, limit=page * TIMELINE_STEP)
    )
    more_query = request.GET.copy()
    more_query["page"] = page + 1
    return {
        "timeline": events,
        "timeline_more": more and page < TIMELINE_PAGES,
        "timeline_more_query": more_query.urlencode(),
        "timeline_kinds": [(c.value, c.label, c.value in kinds) for c in choices],
        "timeline_filtered": bool(kinds),
        "timeline_errors": messages,
    }, errors


def voice_counts(case) -> dict:
    """How many voices the case has, and how many wait for the worker's check (one query)."""
    live = Q(withdrawn_at__isnull=True)
    return case.voices.aggregate(
        total=Count("id"),
        to_check=Count("id", filter=live & Q(state=Voice.State.REVIEW)),
        pending=Count("id", filter=live & Q(state=Voice.State.PENDING)),
    )


def detail_context(request, case, **forms) -> dict:
    household = case.household
    timeline, _errors = timeline_context(request, case)
    followups = list(case.followups.select_related("recorded_by"))
    notes = case.notes.select_related("author").prefetch_related("revisions__replaced_by")
    # The newest entries only: a long trajectory has thousands; the totals come from the database and every
    # entry is in the timeline (filter "hours").
    time_entries = list(case.time_entries.select_related("worker")[: TIME_ROWS + 1])
    per_worker = list(case.time_entries.order_by().values("worker").annotate(total=Sum("hours")))
    workers = User.objects.in_bulk([row["worker"] for row in per_worker])
    next_index = case.status_index + 1
    return {
        "title": f"{case.reference} — {household.name}",
        "case": case,
        "household": household,
        "persons": household.persons.all(),
        "notes": notes,
        "time_entries": time_entries[:TIME_ROWS],
        "time_entries_more": len(time_entries) > TIME_ROWS,
        "hours_total": case.time_entries.aggregate(total=Sum("hours"))["total"] or Decimal(0),
        "hours_per_worker": sorted(
            ((workers[row["worker"]], row["total"]) for row in per_worker), key=lambda kv: -kv[1]
        ),
        "chart": score_chart(case.scores.all()),
        "mdts": case.mdt_consultations.prefetch_related("participants").select_related("requested_by"),
        "outcome": getattr(case, "outcome", None),
        "feedback": getattr(case, "feedback", None),
        "reflection": getattr(case, "reflection", None),
        "voice_counts": voice_counts(case),
        "followups": followups,
        "next_followup": next((f for f in followups if f.done_on is None), None),
        "panels": hub.panels(case, request.user),
        **timeline,
        "status_changes": case.status_changes.select_related("by"),
        "steps": STATUS_ORDER,
        "next_status": STATUS_ORDER[next_index] if next_index < len(STATUS_ORDER) else None,
        "move_form": forms.get("move_form")
        or MoveForm(
            initial={"to": STATUS_ORDER[next_index] if next_index < len(STATUS_ORDER) else case.status}
        ),
        "note_form": forms.get("note_form") or NoteForm(),
        "time_form": forms.get("time_form") or TimeForm(initial={"activity": "household"}),
    }


@login_required
def case_detail(request, pk: int):
    case = get_case(request, pk, "case detail")
    context = detail_context(request, case)
    return render(
        request, "cases/case_detail.html", context, status=400 if context["timeline_errors"] else 200
    )


def _detail_with_errors(request, case, **forms):
    return render(request, "cases/case_detail.html", detail_context(request, case, **forms), status=400)


@login_required
def case_new(request):
    teams = list(Team.objects.filter(pk__in=tenancy.team_ids(request.user)))
    if not teams:
        raise PermissionDenied
    team = teams[0]  # a worker works in one team; a second team would get a team choice here
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def call():
            holder["case"] = services.start_case(
                by=request.user,
                team=team,
                name=form.cleaned_data["name"],
                persons=[form.person()],
                **form.situation(),
            )

        if run_service(request, form, call, success=_("Case opened.")):
            return to_case(holder["case"])
    return render(
        request,
        "cases/case_new.html",
        {"title": _("New case"), "form": form, "team": team},
        status=400 if form.errors else 200,
    )


@login_required
def situation(request, pk: int):
    case = get_case(request, pk, "edit situation")
    initial = {
        "vastloper": case.vastloper,
        "domains": lib.from_mask(case.domains),
        "agencies": lib.from_mask(case.agencies),
        "other_agency": case.other_agency,
        "goal": case.goal,
    }
    form = SituationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.update_situation(case, by=request.user, **form.cleaned_data),
            success=_("Situation saved."),
        ):
            return to_case(case, "situation")
    return form_page(request, case, form, title=_("Situation"), status=400 if form.errors else 200)


@login_required
@require_POST
def move(request, pk: int):
    case = get_case(request, pk, "move case")
    form = MoveForm(request.POST)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.move_case(case, by=request.user, **form.cleaned_data),
        success=_("Status changed."),
    ):
        return to_case(case)
    return _detail_with_errors(request, case, move_form=form)


@login_required
@require_POST
def add_note(request, pk: int):
    case = get_case(request, pk, "add note")
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.add_note(case, by=request.user, text=form.cleaned_data["text"]),
        success=_("Note added."),
    ):
        return to_case(case, "notes")
    return _detail_with_errors(request, case, note_form=form)


@login_required
def edit_note(request, pk: int, note_pk: int):
    case = get_case(request, pk, "edit note")
    note = tenancy.get_for_user_or_404(
        queries.notes_for(request.user).filter(case=case), request.user, pk=note_pk
    )
    form = NoteForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.edit_note(note, by=request.user, text=form.cleaned_data["text"]),
            success=_("Note saved; the earlier text is kept in its history."),
        ):
            return to_case(case, "notes")
    return form_page(request, case, form, title=_("Edit note"), status=400 if form.errors else 200)


@login_required
@require_POST
def register_time(request, pk: int):
    case = get_case(request, pk, "register time")
    form = TimeForm(request.POST)
    if form.is_valid() and run_service(
        request,
        form,
        lambda: services.register_time(case, by=request.user, **form.cleaned_data),
        success=_("Time registered."),
    ):
        return to_case(case, "time")
    return _detail_with_errors(request, case, time_form=form)
