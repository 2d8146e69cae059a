"""Voices: recording them (at closing, or from a conversation), de-identifying them in the task worker,
the recorder's check, and withdrawing consent. See `maatwerk.cases.models.voices` for the life of a voice.

Who may change a voice (`may_manage`): for a team's voice the workers and team leads of that team; for a
voice recorded at municipal level (no team) the policy users of its municipality. Everybody else reads
voices only through the stories (maatwerk.insights), as `shared_text`.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_tasks import task

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import Role, Team
from maatwerk.lib.anonymize import anonymize
from maatwerk.validation import (
    MAX_TEXT,
    check_personal_data,
    column_length,
    parse_choice,
    parse_date,
    parse_ids,
    parse_int,
    parse_text,
)

from ..models import Case, Conversation, Feedback, Household, RespondentGroup, Theme, Tone, Voice
from .common import CREATE, UPDATE, raise_errors

# At most this many people of one group at one conversation (a large evaluation meeting).
MAX_PARTICIPANTS = 500
# The reflection's texts and the kind of voice each becomes.
REFLECTION_KINDS = {
    "doubts": Voice.Kind.DOUBT,
    "dilemmas": Voice.Kind.DILEMMA,
    "learning_points": Voice.Kind.LEARNING_POINT,
    "needs": Voice.Kind.NEED,
}


# --- who, and which names ---------------------------------------------------------------------------------


def may_manage(user, voice: Voice) -> bool:
    if voice.team_id:
        return voice.team_id in tenancy.team_ids(user)
    return voice.municipality_id in tenancy.municipality_ids(user, {Role.POLICY})


def voices_for(user) -> QuerySet:
    """The voices the user may manage (`may_manage`, as one query): their teams' voices, and the
    municipal ones (no team) of the municipalities where they work in policy."""
    return Voice.objects.filter(
        Q(team__in=tenancy.team_ids(user))
        | Q(team__isnull=True, municipality__in=tenancy.municipality_ids(user, {Role.POLICY}))
    )


def may_record_in(user, conversation: Conversation) -> bool:
    if conversation.team_id:
        return conversation.team_id in tenancy.team_ids(user, {Role.TEAM_LEAD})
    return conversation.municipality_id in tenancy.municipality_ids(user, {Role.POLICY})


def conversations_for(user) -> QuerySet:
    """The conversations the user may record in (`may_record_in`, as one query)."""
    return Conversation.objects.filter(
        Q(team__in=tenancy.team_ids(user, {Role.TEAM_LEAD}))
        | Q(team__isnull=True, municipality__in=tenancy.municipality_ids(user, {Role.POLICY}))
    )


def may_record_conversations(user) -> bool:
    return bool(tenancy.team_ids(user, {Role.TEAM_LEAD}) or tenancy.municipality_ids(user, {Role.POLICY}))


def _require_manage(user, voice: Voice) -> None:
    if not may_manage(user, voice):
        raise PermissionDenied(
            _("Only the team of this voice, or policy for a municipal one, may change it.")
        )


def household_names(household_id: int) -> list[str]:
    """The household's name and its persons' first and last names: what the anonymiser must catch however
    the quote spells them."""
    rows = Household.objects.filter(pk=household_id).values_list(
        "name", "persons__first_name", "persons__last_name"
    )
    return sorted({name for row in rows for name in row if name})


def _names(voice: Voice) -> list[str]:
    return household_names(voice.case.household_id) if voice.case_id else []


def _log(by, voice: Voice, *, action, purpose: str) -> None:
    log_access(
        by,
        voice,
        action=action,
        purpose=purpose,
        household_id=voice.case.household_id if voice.case_id else None,
        municipality_id=voice.municipality_id,
    )


# --- parsing --------------------------------------------------------------------------------------------


def parse_themes(values, field: str, errors: dict) -> list[Theme]:
    """One or more active themes."""
    ids = parse_ids(values, field, errors)
    if field in errors:
        return []
    themes = list(Theme.objects.filter(pk__in=ids, active=True))
    if len(themes) != len(ids):
        errors[field] = _("Choose from the list.")
    elif not themes:
        errors[field] = _("Choose at least one theme.")
    return themes


# --- the task's part --------------------------------------------------------------------------------------


def deidentify(voice_ids: Iterable[int]) -> int:
    """The anonymiser's pass over the PENDING voices among `voice_ids` (what the task worker runs): the
    recorded text becomes the suggestion to check (REVIEW); a checked and corrected text gets a last pass
    and is SHARED. Returns how many voices it handled. Each voice is written in its own short transaction,
    so the anonymiser's work on one voice does not hold the database."""
    done = 0
    for voice in Voice.objects.filter(pk__in=list(voice_ids), state=Voice.State.PENDING).select_related(
        "case"
    ):
        source = voice.draft_text or voice.text
        result = anonymize(source, names=_names(voice))
        with transaction.atomic():
            # Withdrawn, corrected again or changed meanwhile: the newer state wins.
            changed = Voice.objects.filter(
                pk=voice.pk, state=Voice.State.PENDING, draft_text=voice.draft_text, withdrawn_at__isnull=True
            ).update(
                shared_text=result,
                draft_text="",
                state=Voice.State.SHARED if voice.draft_text and voice.consent else Voice.State.REVIEW,
            )
            if changed:
                _log(None, voice, action=UPDATE, purpose="voice de-identified")
                done += 1
    return done


@task()
def deidentify_voices(voice_ids: list[int]) -> dict:
    """The task (run by `manage.py db_worker`; at once in the tests)."""
    return {"voices": deidentify(voice_ids)}


def _queue(voice_ids: list[int]) -> None:
    # Queued inside the caller's transaction: with the database backend the task row commits together with
    # the voices (or not at all), so the worker never looks for a voice that is not there.
    if voice_ids:
        deidentify_voices.enqueue(voice_ids)


# --- at closing -----------------------------------------------------------------------------------------


def parse_closing_voices(case: Case, feedback: Mapping, reflection: Mapping, errors: dict) -> dict:
    """The parts of the closing form that make voices: the themes of the client's quote and of the
    reflection, and the worker's consent. Field names: quote_themes, reflection_themes, share_consent."""
    parsed = {
        "quote_themes": [],
        "reflection_themes": [],
        "share_consent": bool(reflection.get("share_consent")),
    }
    if (feedback.get("quote") or "").strip() and feedback.get("quote_consent"):
        parsed["quote_themes"] = parse_themes(feedback.get("quote_themes"), "quote_themes", errors)
        if not feedback.get("quote_tone"):
            errors.setdefault("quote_tone", _("Choose the tone of the quote: it is shared, so it needs one."))
    shares = parsed["share_consent"] and any(
        (reflection.get(name) or "").strip() for name in REFLECTION_KINDS
    )
    if shares:
        parsed["reflection_themes"] = parse_themes(reflection.get("themes"), "reflection_themes", errors)
    return parsed


def create_closing_voices(
    case: Case,
    *,
    by,
    quote: str,
    quote_consent: bool,
    quote_tone: str,
    reflection_texts: Mapping,
    tone: str,
    parsed: Mapping,
) -> list[Voice]:
    """The voices of a closing (after `parse_closing_voices` passed): the client's quote when they
    consented, each reflection text when the worker did. A case closed again replaces its closing voices."""
    Voice.objects.filter(case=case, conversation__isnull=True).delete()
    today = timezone.localdate()
    common = {
        "municipality_id": case.municipality_id,
        "team_id": case.team_id,
        "case": case,
        "said_on": today,
    }
    made = []
    if quote and quote_consent:
        voice = Voice.objects.create(
            group=RespondentGroup.CLIENT,
            respondent=f"household:{case.household_id}",
            kind=Voice.Kind.QUOTE,
            text=quote,
            tone=quote_tone,
            consent=True,
            recorded_by=by,
            **common,
        )
        voice.themes.set(parsed["quote_themes"])
        made.append(voice)
    if parsed["share_consent"]:
        for name, kind in REFLECTION_KINDS.items():
            if reflection_texts.get(name):
                voice = Voice.objects.create(
                    group=RespondentGroup.WORKER,
                    respondent=f"user:{by.pk}",
                    kind=kind,
                    text=reflection_texts[name],
                    tone=tone,
                    consent=True,
                    recorded_by=by,
                    **common,
                )
                voice.themes.set(parsed["reflection_themes"])
                made.append(voice)
    for voice in made:
        _log(by, voice, action=CREATE, purpose="voice recorded at closing")
    _queue([v.pk for v in made])
    return made


# --- from a conversation ----------------------------------------------------------------------------------


def _conversation_scope(by, team_id, errors: dict) -> tuple[int | None, int | None]:
    """(municipality, team) of a new conversation: a team the user leads, or (team None) a municipality
    where the user works in policy."""
    if team_id:
        team = Team.objects.filter(pk=team_id, pk__in=tenancy.team_ids(by, {Role.TEAM_LEAD})).first()
        if team is None:
            errors["team"] = _("Choose a team you lead.")
            return None, None
        return team.municipality_id, team.pk
    municipalities = sorted(tenancy.municipality_ids(by, {Role.POLICY}))
    if not municipalities:
        raise PermissionDenied(_("Team leads and policy record conversations."))
    return municipalities[0], None


@transaction.atomic
def record_conversation(*, by, team_id=None, kind, held_on, context, participants: Mapping) -> Conversation:
    """An interview or meeting, and how many people of each group took part. Field names: team, kind,
    held_on, context, and the group codes (client, worker, team_lead, policy, partner)."""
    if not may_record_conversations(by):
        raise PermissionDenied(_("Team leads and policy record conversations."))
    errors: dict = {}
    municipality_id, team = _conversation_scope(by, team_id, errors)
    kind = parse_choice(kind, Conversation.Kind, "kind", errors)
    held_on = parse_date(held_on, "held_on", errors)
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    context = parse_text(context, "context", errors, required=True, max_length=2_000)
    check_personal_data(
        context,
        "context",
        capfirst(_("context")),
        errors,
        _("Describe the role or the situation, not the person."),
    )
    counts = {
        group: parse_int(participants.get(group), group, errors, 0, MAX_PARTICIPANTS, required=False) or 0
        for group in RespondentGroup.values
    }
    if not any(counts.values()) and not any(g in errors for g in counts):
        errors[RespondentGroup.CLIENT] = _("Give the number of participants of at least one group.")
    raise_errors(errors)
    conversation = Conversation.objects.create(
        municipality_id=municipality_id,
        team_id=team,
        kind=kind,
        held_on=held_on,
        context=context,
        recorded_by=by,
        **{Conversation.GROUP_FIELDS[g]: n for g, n in counts.items()},
    )
    log_access(by, conversation, action=CREATE, purpose="conversation recorded")
    return conversation


@transaction.atomic
def record_voice(
    conversation: Conversation,
    *,
    by,
    group,
    participant,
    role="",
    kind=Voice.Kind.QUOTE,
    text,
    tone,
    themes,
    consent,
) -> Voice:
    """A quote from a conversation: who (group, the participant's number within that group, a role, never a
    name), what, its tone and themes. Only with consent. Field names: group, participant, role, kind, text,
    tone, themes, consent."""
    if not may_record_in(by, conversation):
        raise PermissionDenied(_("Only who recorded the conversation's team or municipality may add to it."))
    errors: dict = {}
    group = parse_choice(group, RespondentGroup, "group", errors)
    number = parse_int(participant, "participant", errors, 1, MAX_PARTICIPANTS, required=True)
    if group and number and number > conversation.participants(group):
        errors["participant"] = _("This conversation had %(n)d participants of this group.") % {
            "n": conversation.participants(group)
        }
    role = parse_text(role, "role", errors, max_length=column_length(Voice, "role"))
    check_personal_data(
        role, "role", capfirst(_("role")), errors, _("Describe the role or the situation, not the person.")
    )
    kind = parse_choice(kind or Voice.Kind.QUOTE, Voice.Kind, "kind", errors)
    text = parse_text(text, "text", errors, required=True, max_length=MAX_TEXT)
    tone = parse_choice(tone, Tone, "tone", errors)
    themes = parse_themes(themes, "themes", errors)
    if not consent:
        errors["consent"] = _("Record a quote only when the person agreed to its use.")
    raise_errors(errors)
    voice = Voice.objects.create(
        municipality_id=conversation.municipality_id,
        team_id=conversation.team_id,
        conversation=conversation,
        group=group,
        role=role,
        respondent=f"conversation:{conversation.pk}:{group}:{number}",
        kind=kind,
        text=text,
        tone=tone,
        said_on=conversation.held_on,
        consent=True,
        recorded_by=by,
    )
    voice.themes.set(themes)
    _log(by, voice, action=CREATE, purpose="voice recorded from a conversation")
    _queue([voice.pk])
    return voice


# --- the check, and withdrawal --------------------------------------------------------------------------


@transaction.atomic
def review_voice(voice: Voice, *, by, shared_text) -> Voice:
    """The recorder's check of what others will see. Unchanged, the suggestion is shared as it is; a
    correction (say "[PERSOON-2]" written as "haar zoon", or a detail taken out) is refused when it holds
    a name of the household or a pattern the light check finds, and otherwise goes through the anonymiser
    once more before it is shared. Field name: shared_text."""
    # Locked against a withdrawal or a second check at the same moment (the task writes with a conditional
    # UPDATE). Only the voice's row: PostgreSQL cannot lock the nullable side of the join to its case.
    voice = Voice.objects.select_for_update(of=("self",)).select_related("case").get(pk=voice.pk)
    _require_manage(by, voice)
    errors: dict = {}
    if voice.withdrawn_at:
        errors["shared_text"] = _("Consent for this voice was withdrawn.")
    elif voice.state == Voice.State.PENDING:
        errors["shared_text"] = _("The voice is still being de-identified; try again in a moment.")
    text = parse_text(shared_text, "shared_text", errors, required=True, max_length=MAX_TEXT)
    names = _names(voice)
    check_personal_data(
        text,
        "shared_text",
        capfirst(_("text as others see it")),
        errors,
        _("Replace it with a description, such as 'her son'."),
        names,
    )
    raise_errors(errors)
    if text == voice.shared_text:
        voice.state = Voice.State.SHARED
        voice.save(update_fields=["state"])
    else:
        voice.draft_text, voice.state = text, Voice.State.PENDING
        voice.save(update_fields=["draft_text", "state"])
        _queue([voice.pk])
    _log(by, voice, action=UPDATE, purpose="voice checked")
    return voice


@transaction.atomic
def withdraw_consent(voice: Voice, *, by) -> Voice:
    """Takes the voice out of every view and export at once (every reader asks `Voice.objects.shared()`),
    and drops its de-identified copies. What was said stays in the case file, marked as not to be used."""
    voice = Voice.objects.select_for_update().get(pk=voice.pk)
    _require_manage(by, voice)
    if voice.withdrawn_at:
        return voice
    voice.withdrawn_at, voice.withdrawn_by = timezone.now(), by
    voice.shared_text = voice.draft_text = ""
    voice.save(update_fields=["withdrawn_at", "withdrawn_by", "shared_text", "draft_text"])
    if voice.case_id and voice.group == RespondentGroup.CLIENT:
        Feedback.objects.filter(case_id=voice.case_id).update(quote_consent=False)
    _log(by, voice, action=UPDATE, purpose="consent withdrawn")
    return voice
