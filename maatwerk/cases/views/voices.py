"""The voices of a case and of a conversation: what the team recorded, the anonymiser's suggestion to check,
what others see, and consent withdrawal. Reading and changing a voice is for those who may manage it
(`services.may_manage`: the voice's team, or policy for a municipal voice); everybody else gets 404.

A PENDING voice (the task worker is de-identifying it) polls its own fragment with htmx until it is
ready; a voice being checked is never polled, so nothing replaces what the recorder is typing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role, Team
from maatwerk.forms import add_service_errors
from maatwerk.validation import parse_page

from .. import queries, services
from ..forms import ConversationForm, ConversationVoiceForm, ReviewVoiceForm
from ..models import RespondentGroup, Theme, Voice
from .common import get_case, page_error, run_service

# --- scope -------------------------------------------------------------------------------------------------


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("withdrawn_by").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order", "name"))
    )


def _log_read(request, obj, *, purpose: str, household_id=None) -> None:
    """What was said is case data like a note: its read is logged (the case page's read for its voices,
    the conversation's, or the one voice's)."""
    queries.log_read(
        request.user,
        obj,
        household_id=household_id,
        municipality_id=obj.municipality_id,
        purpose=purpose,
        request=request,
    )


# --- the voice's rows, for both pages ---------------------------------------------------------------------


def voice_rows(voices, forms: dict | None = None) -> list[dict]:
    """Each voice with the check form it needs (only in REVIEW and not withdrawn); `forms` holds a posted
    form with its errors by voice id."""
    forms = forms or {}
    rows = []
    for voice in voices:
        form, errors = None, []
        if voice.state == Voice.State.REVIEW and not voice.withdrawn_at:
            form = forms.get(voice.pk) or ReviewVoiceForm(
                prefix=f"voice-{voice.pk}", initial={"shared_text": voice.shared_text}
            )
        elif voice.pk in forms:
            # A check posted from a stale page (withdrawn or sent again meanwhile): its error, without a form.
            errors = forms[voice.pk].errors.get("shared_text", [])
        rows.append({"voice": voice, "form": form, "errors": errors, "pending": _pending(voice)})
    return rows


def _pending(voice) -> bool:
    return voice.state == Voice.State.PENDING and not voice.withdrawn_at


def _home(voice) -> str:
    """The page the voice is shown on: its case's voices, or its conversation."""
    if voice.case_id:
        return redirect("cases:voices", pk=voice.case_id)
    return redirect("cases:conversation", pk=voice.conversation_id)


# --- the case's voices -----------------------------------------------------------------------------------


def _case_voices_page(request, case, *, forms=None, status=200):
    # get_case logged the read of the case (and so of its voices).
    voices = list(_with_details(case.voices.order_by("id")))
    rows = voice_rows(voices, forms)
    return render(
        request,
        "cases/voices.html",
        {
            "title": _("Voices"),
            "case": case,
            "rows": rows,
            "to_check": sum(1 for r in rows if r["form"] is not None),
            "pending": any(r["pending"] for r in rows),
        },
        status=status,
    )


@login_required
@require_GET
def case_voices(request, pk: int):
    case = get_case(request, pk, "case voices")
    return _case_voices_page(request, case)


# --- one voice: its fragment (polled while pending), the check, withdrawal --------------------------------


def _voice(request, pk: int) -> Voice:
    return tenancy.get_for_user_or_404(
        _with_details(services.voices_for(request.user)).select_related("case"), request.user, pk=pk
    )


@login_required
@require_GET
def voice_fragment(request, pk: int):
    """One voice as its page shows it: what htmx polls while the anonymiser works. Without htmx, the page."""
    voice = _voice(request, pk)
    if not request.headers.get("HX-Request"):
        return _home(voice)
    _log_read(
        request, voice, purpose="voice", household_id=voice.case.household_id if voice.case_id else None
    )
    response = render(request, "cases/includes/voice.html", {"row": voice_rows([voice])[0]})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page_with_form(request, voice, form):
    """The voice's page again, with the posted check form and its errors (400, nothing saved)."""
    if voice.case_id:
        case = get_case(request, voice.case_id, "case voices")
        return _case_voices_page(request, case, forms={voice.pk: form}, status=400)
    return _conversation_page(request, voice.conversation, review_forms={voice.pk: form}, status=400)


@login_required
@require_POST
def review_voice(request, pk: int):
    voice = _voice(request, pk)
    form = ReviewVoiceForm(request.POST, prefix=f"voice-{voice.pk}")
    if form.is_valid():
        try:
            updated = services.review_voice(
                voice, by=request.user, shared_text=form.cleaned_data["shared_text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if updated.state == Voice.State.SHARED:
                messages.success(request, _("Checked and shared."))
            else:
                messages.success(
                    request,
                    _("Checked; your correction goes through the anonymiser once more, then it is shared."),
                )
            return _home(voice)
    return _page_with_form(request, voice, form)


@login_required
@require_POST
def withdraw_voice(request, pk: int):
    voice = _voice(request, pk)
    services.withdraw_consent(voice, by=request.user)
    messages.success(request, _("Consent withdrawn: the voice is no longer shown anywhere outside the team."))
    return _home(voice)


# --- conversations ----------------------------------------------------------------------------------------


def _require_recorder(user) -> None:
    if not services.may_record_conversations(user):
        raise PermissionDenied(_("Team leads and policy record conversations."))


@login_required
@require_GET
def conversation_list(request):
    _require_recorder(request.user)
    errors: dict = {}
    page = parse_page(request.GET.get("page"), errors)
    conversations, has_next = [], False
    if not errors:
        conversations, has_next = queries.page_of(
            services.conversations_for(request.user)
            .select_related("team", "municipality")
            .order_by("-held_on", "-id"),
            page,
        )
    return render(
        request,
        "cases/conversation_list.html",
        {
            "title": _("Conversations"),
            "conversations": conversations,
            "page": page,
            "has_next": has_next,
            "page_error": page_error(errors),
        },
        status=400 if errors else 200,
    )


@login_required
def conversation_new(request):
    _require_recorder(request.user)
    teams = Team.objects.filter(pk__in=tenancy.team_ids(request.user, {Role.TEAM_LEAD})).order_by("name")
    # Bound on every POST, an empty one too: it gets the fields' errors, not the blank form again.
    form = ConversationForm(
        request.POST if request.method == "POST" else None,
        teams=teams,
        municipal=bool(tenancy.municipality_ids(request.user, {Role.POLICY})),
    )
    if request.method == "POST" and form.is_valid():
        holder = {}
        d = form.cleaned_data

        def call():
            holder["conversation"] = services.record_conversation(
                by=request.user,
                team_id=d["team"],
                kind=d["kind"],
                held_on=d["held_on"],
                context=d["context"],
                participants=form.participants(),
            )

        if run_service(request, form, call, success=_("Conversation recorded; now add what was said.")):
            return redirect("cases:conversation", pk=holder["conversation"].pk)
    return render(
        request,
        "cases/conversation_new.html",
        {"title": _("Record a conversation"), "form": form},
        status=400 if form.errors else 200,
    )


def _conversation_page(request, conversation, *, voice_form=None, review_forms=None, status=200):
    voices = list(_with_details(conversation.voices.order_by("id")))
    _log_read(request, conversation, purpose="conversation voices")
    rows = voice_rows(voices, review_forms)
    groups = [(group.label, conversation.participants(group)) for group in RespondentGroup]
    return render(
        request,
        "cases/conversation_detail.html",
        {
            "title": str(conversation),
            "conversation": conversation,
            "groups": groups,
            "rows": rows,
            "pending": any(r["pending"] for r in rows),
            "form": voice_form or ConversationVoiceForm(),
        },
        status=status,
    )


@login_required
def conversation_detail(request, pk: int):
    """The conversation, its voices, and (POST) a quote added to it."""
    conversation = tenancy.get_for_user_or_404(
        services.conversations_for(request.user).select_related("team", "municipality"), request.user, pk=pk
    )
    form = ConversationVoiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if run_service(
                request,
                form,
                lambda: services.record_voice(
                    conversation,
                    by=request.user,
                    group=d["group"],
                    participant=d["participant"],
                    role=d["role"],
                    kind=d["kind"],
                    text=d["text"],
                    tone=d["tone"],
                    themes=d["themes"],
                    consent=d["consent"],
                ),
                success=_("Quote recorded; check the de-identified version below."),
            ):
                return redirect("cases:conversation", pk=conversation.pk)
        return _conversation_page(request, conversation, voice_form=form, status=400)
    return _conversation_page(request, conversation)
