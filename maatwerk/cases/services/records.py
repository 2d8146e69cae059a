"""What is recorded on an open case: notes, time, domain scores and MDT consultations."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.validation import (
    MAX_PARTICIPANTS,
    column_length,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
)

from ..models import (
    Case,
    DomainScore,
    LifeDomain,
    MdtConsultation,
    MdtParticipant,
    Moment,
    Note,
    NoteRevision,
    TimeEntry,
)
from .common import CREATE, MAX_HOURS, UPDATE, log_case, raise_errors, require_team, touch


@transaction.atomic
def add_note(case: Case, *, by, text: str) -> Note:
    require_team(by, case.team_id)
    errors: dict = {}
    text = parse_text(text, "text", errors, required=True)
    raise_errors(errors)
    note = Note.objects.create(case=case, author=by, text=text)
    touch(case)
    log_case(by, case, note, action=CREATE, purpose="add note")
    return note


@transaction.atomic
def edit_note(note: Note, *, by, text: str) -> Note:
    """Replace the text; the earlier text stays in the note's revision history."""
    case = note.case
    require_team(by, case.team_id)
    errors: dict = {}
    text = parse_text(text, "text", errors, required=True)
    raise_errors(errors)
    if text == note.text:
        return note
    NoteRevision.objects.create(note=note, text=note.text, replaced_by=by)
    note.text = text
    note.edited_at = timezone.now()
    note.save(update_fields=["text", "edited_at"])
    touch(case)
    log_case(by, case, note, action=UPDATE, purpose="edit note")
    return note


def clean_hours(value, errors: dict, field: str = "hours") -> Decimal | None:
    if value in (None, ""):
        errors[field] = _("This field is required.")
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number of hours, for example 1,5.")
        return None
    if not hours.is_finite() or hours <= 0:
        errors[field] = _("Hours must be more than 0.")
    elif hours > MAX_HOURS:
        errors[field] = _("At most 24 hours per entry.")
    elif hours != hours.quantize(Decimal("0.01")):
        errors[field] = _("Use at most two decimals.")
    else:
        return hours
    return None


@transaction.atomic
def register_time(case: Case, *, by, hours, activity: str, day=None, description: str = "") -> TimeEntry:
    require_team(by, case.team_id)
    errors: dict = {}
    hours = clean_hours(hours, errors)
    activity = parse_choice(activity, TimeEntry.Activity, "activity", errors)
    day = parse_date(day, "day", errors, required=False) or timezone.localdate()
    if day > timezone.localdate():
        errors["day"] = _("Time cannot be registered for a day in the future.")
    description = parse_text(
        description, "description", errors, max_length=column_length(TimeEntry, "description")
    )
    raise_errors(errors)
    entry = TimeEntry.objects.create(
        case=case, worker=by, hours=hours, activity=activity, day=day, description=description
    )
    touch(case)
    log_case(by, case, entry, action=CREATE, purpose="register time")
    return entry


@transaction.atomic
def record_scores(case: Case, *, by, moment: str, scores: Mapping) -> list[DomainScore]:
    """Set the scores of one moment; a domain left empty has no score. Scores never gate a step."""
    require_team(by, case.team_id)
    errors: dict = {}
    moment = parse_choice(moment, Moment, "moment", errors)
    cleaned: dict[int, int] = {}
    for key, value in scores.items():
        try:
            domain = LifeDomain(int(key))
        except (TypeError, ValueError):
            errors[f"domain_{key}"] = _("Unknown life domain.")
            continue
        score = parse_int(value, f"domain_{domain.value}", errors, 1, 5, required=False)
        if score is not None:
            cleaned[domain.value] = score
    raise_errors(errors)
    DomainScore.objects.filter(case=case, moment=moment).delete()
    rows = DomainScore.objects.bulk_create(
        [DomainScore(case=case, moment=moment, domain=d, score=s, recorded_by=by) for d, s in cleaned.items()]
    )
    touch(case)
    log_case(by, case, case, action=UPDATE, purpose=f"domain scores {moment}")
    return rows


@transaction.atomic
def record_mdt(
    case: Case,
    *,
    by,
    question: str,
    held_on,
    participants: Iterable[Mapping],
    advice: str = "",
    decision: str = "",
) -> MdtConsultation:
    require_team(by, case.team_id)
    errors: dict = {}
    question = parse_text(question, "question", errors, required=True)
    held_on = parse_date(held_on, "held_on", errors)
    rows = []
    for p in participants:
        role = parse_text(
            p.get("role"), "participants", errors, max_length=column_length(MdtParticipant, "role")
        )
        organisation = parse_text(
            p.get("organisation"),
            "participants",
            errors,
            max_length=column_length(MdtParticipant, "organisation"),
        )
        if role or organisation:
            if not (role and organisation):
                errors["participants"] = _("Give both the role and the organisation of each participant.")
            rows.append((role, organisation))
    if len(rows) > MAX_PARTICIPANTS:
        errors["participants"] = _("Name at most %(n)d participants.") % {"n": MAX_PARTICIPANTS}
    if not rows and "participants" not in errors:
        errors["participants"] = _("Name at least one participant (role and organisation).")
    advice, decision = parse_text(advice, "advice", errors), parse_text(decision, "decision", errors)
    raise_errors(errors)
    consultation = MdtConsultation.objects.create(
        case=case, requested_by=by, question=question, held_on=held_on, advice=advice, decision=decision
    )
    MdtParticipant.objects.bulk_create(
        [MdtParticipant(consultation=consultation, role=r, organisation=o) for r, o in rows]
    )
    touch(case)
    log_case(by, case, consultation, action=CREATE, purpose="MDT consultation")
    return consultation
