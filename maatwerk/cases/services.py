"""Every change to a case file, one function per verb (after Zulip's `zerver/actions`).

Each function takes the acting user as keyword-only `by`, runs in one transaction, validates everything
before it writes anything (a `ValidationError` with a {field: message} dict, nothing half-saved) and
writes an AccessLog row. Views and the API fetch objects through `tenancy` first; the team check here is
a second line of defence, not the permission system.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import SECRET_NEW, SECRET_OLD, log_access
from maatwerk.accounts.models import AccessLog, Team
from maatwerk.validation import (
    EARLIEST_BIRTH_YEAR,
    MAX_PARTICIPANTS,
    MAX_PERSONS,
    column_length,
    parse_bsn,
    parse_choice,
    parse_date,
    parse_int,
    parse_picklist,
    parse_text,
)

from . import lib
from .models import (
    STATUS_ORDER,
    Agency,
    Case,
    DomainScore,
    Feedback,
    FollowUp,
    Household,
    LifeDomain,
    MdtConsultation,
    MdtParticipant,
    Moment,
    Note,
    NoteRevision,
    Outcome,
    Person,
    PersonRevision,
    Reflection,
    Status,
    StatusChange,
    TimeEntry,
    Tone,
)

CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
MAX_HOURS = Decimal(24)


# --- helpers -------------------------------------------------------------------------------------------


def _require_team(by, team_id: int) -> None:
    if team_id not in tenancy.team_ids(by):
        raise PermissionDenied(_("Only workers and team leads of the case's team may change it."))


def _log(by, obj, *, action, purpose: str, household_id: int, municipality_id: int) -> None:
    log_access(
        by, obj, action=action, purpose=purpose, household_id=household_id, municipality_id=municipality_id
    )


def _log_case(by, case: Case, obj, *, action, purpose: str) -> None:
    _log(
        by,
        obj,
        action=action,
        purpose=purpose,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
    )


def _touch(case: Case) -> None:
    case.last_activity_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(last_activity_at=case.last_activity_at)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _person_fields(data: Mapping, errors: dict, prefix: str = "") -> dict:
    this_year = timezone.localdate().year
    return {
        "first_name": parse_text(
            data.get("first_name"),
            f"{prefix}first_name",
            errors,
            required=True,
            max_length=column_length(Person, "first_name"),
        ),
        "last_name": parse_text(
            data.get("last_name"),
            f"{prefix}last_name",
            errors,
            required=True,
            max_length=column_length(Person, "last_name"),
        ),
        "bsn": parse_bsn(data.get("bsn"), errors, f"{prefix}bsn"),
        "birth_year": parse_int(
            data.get("birth_year"),
            f"{prefix}birth_year",
            errors,
            EARLIEST_BIRTH_YEAR,
            this_year,
            required=False,
        ),
        "role": parse_choice(data.get("role"), Person.HouseholdRole, f"{prefix}role", errors),
    }


# --- households and persons -----------------------------------------------------------------------------


@transaction.atomic
def create_household(*, by, team: Team, name: str, persons: Iterable[Mapping] = ()) -> Household:
    _require_team(by, team.pk)
    errors: dict = {}
    name = parse_text(name, "name", errors, required=True, max_length=column_length(Household, "name"))
    persons = list(persons)
    cleaned = []
    if len(persons) > MAX_PERSONS:
        errors["persons"] = _("A household has at most %(n)d persons.") % {"n": MAX_PERSONS}
    else:
        cleaned = [_person_fields(p, errors) for p in persons]
    _raise(errors)
    household = Household.objects.create(
        municipality_id=team.municipality_id, team=team, name=name, search_key=name.lower()
    )
    for fields in cleaned:
        Person.objects.create(household=household, **fields)
    _log(
        by,
        household,
        action=CREATE,
        purpose="create household",
        household_id=household.pk,
        municipality_id=household.municipality_id,
    )
    return household


@transaction.atomic
def add_person(household: Household, *, by, **data) -> Person:
    _require_team(by, household.team_id)
    # Lock the household, so two additions at once cannot both pass the count.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    errors: dict = {}
    fields = _person_fields(data, errors)
    if household.persons.count() >= MAX_PERSONS:
        errors["__all__"] = _("A household has at most %(n)d persons.") % {"n": MAX_PERSONS}
    _raise(errors)
    person = Person.objects.create(household=household, **fields)
    _log(
        by,
        person,
        action=CREATE,
        purpose="add person",
        household_id=household.pk,
        municipality_id=household.municipality_id,
    )
    return person


PERSON_FIELDS = ("first_name", "last_name", "bsn", "birth_year", "role")


def _audit_change(field: str, old, new) -> list:
    """[old, new] as the audit log keeps it: a BSN only as markers (administrators read the log)."""
    if field == "bsn":
        return [SECRET_OLD if old else "", SECRET_NEW if new else ""]
    return [old, new]


@transaction.atomic
def correct_person(person: Person, *, by, reason: str, **data) -> PersonRevision:
    """Correct a person's data (all of `PERSON_FIELDS` as on the intake); the earlier values are kept in
    an append-only PersonRevision, and the change is in the audit log (the BSN only as a marker)."""
    household = person.household
    _require_team(by, household.team_id)
    # Lock the person, so two corrections at once each see what the other saved.
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors: dict = {}
    fields = _person_fields(data, errors)
    reason = parse_text(reason, "reason", errors, required=True)
    _raise(errors)
    changed = {f: (str(v) if f == "role" else v) for f, v in fields.items() if getattr(person, f) != v}
    _raise({} if changed else {"__all__": _("Nothing was changed.")})
    before = {f: getattr(person, f) for f in changed}
    for name, value in changed.items():
        setattr(person, name, value)
    person.save(update_fields=list(changed))
    revision = PersonRevision.objects.create(
        person=person, before=before, after=changed, reason=reason, changed_by=by
    )
    log_access(
        by,
        person,
        action=UPDATE,
        purpose="correct person",
        household_id=household.pk,
        municipality_id=household.municipality_id,
        changes={f: _audit_change(f, before[f], v) for f, v in changed.items()},
    )
    return revision


# --- the case and its status ----------------------------------------------------------------------------


def _situation(data: Mapping, errors: dict) -> dict:
    return {
        "vastloper": parse_text(data.get("vastloper"), "vastloper", errors),
        "domains": parse_picklist(data.get("domains"), LifeDomain, "domains", errors),
        "agencies": parse_picklist(data.get("agencies"), Agency, "agencies", errors),
        "other_agency": parse_text(
            data.get("other_agency"), "other_agency", errors, max_length=column_length(Case, "other_agency")
        ),
        "goal": parse_text(data.get("goal"), "goal", errors),
    }


@transaction.atomic
def open_case(household: Household, *, by, lead_worker=None, opened_on=None, **situation) -> Case:
    _require_team(by, household.team_id)
    errors: dict = {}
    fields = _situation(situation, errors)
    if opened_on is not None:
        opened_on = parse_date(opened_on, "opened_on", errors, latest=timezone.localdate())
    _raise(errors)
    if lead_worker is None and tenancy.has_role(by, "worker"):
        lead_worker = by
    case = Case.objects.create(
        municipality_id=household.municipality_id,
        team_id=household.team_id,
        household=household,
        lead_worker=lead_worker,
        opened_on=opened_on or timezone.localdate(),
        **fields,
    )
    _log_case(by, case, case, action=CREATE, purpose="open case")
    return case


@transaction.atomic
def start_case(*, by, team: Team, name: str, persons: Iterable[Mapping] = (), **situation) -> Case:
    """Intake in one step: a new household with its persons and a case for it. Validates all first."""
    errors: dict = {}
    _situation(situation, errors)
    try:
        household = create_household(by=by, team=team, name=name, persons=persons)
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    _raise(errors)
    return open_case(household, by=by, **situation)


@transaction.atomic
def update_situation(case: Case, *, by, **situation) -> Case:
    """The vastloper, life domains, agencies and the household's own goal."""
    _require_team(by, case.team_id)
    errors: dict = {}
    fields = _situation(situation, errors)
    _raise(errors)
    for name, value in fields.items():
        setattr(case, name, value)
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "last_activity_at"])
    _log_case(by, case, case, action=UPDATE, purpose="update situation")
    return case


def check_transition(current: str, to: str, reason: str) -> dict:
    """The errors for moving from `current` to `to` ({} when allowed). Pure, so forms can show it early."""
    current, to = Status(current), Status(to)
    here, there = STATUS_ORDER.index(current), STATUS_ORDER.index(to)
    if there == here:
        return {"to": _("The case already has the status %(status)s.") % {"status": to.label}}
    if there > here + 1:
        return {
            "to": _("A case moves forward one step at a time: after %(current)s comes %(next)s, not %(to)s.")
            % {"current": current.label, "next": STATUS_ORDER[here + 1].label, "to": to.label}
        }
    if there < here and not reason.strip():
        return {"reason": _("Give a reason for moving the case back to %(to)s.") % {"to": to.label}}
    if to == Status.CLOSED and there > here:
        return {"to": _("Close the case with the closing form: outcome, client feedback and reflection.")}
    return {}


def _set_status(case: Case, to: Status, *, by, reason: str = "") -> None:
    StatusChange.objects.create(case=case, from_status=case.status, to_status=to, reason=reason, by=by)
    case.status = to
    case.last_activity_at = timezone.now()


@transaction.atomic
def move_case(case: Case, *, by, to: str, reason: str = "") -> Case:
    """Forward one step, or back any number of steps with a reason. Closing has its own service."""
    _require_team(by, case.team_id)
    # Lock the row, so two workers moving the same case at once cannot both pass the check.
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    reason = parse_text(reason, "reason", errors)
    if to not in Status.values:
        errors["to"] = _("Choose one of the options.")
    _raise(errors)
    _raise(check_transition(case.status, to, reason))
    to = Status(to)
    update_fields = ["status", "last_activity_at"]
    if STATUS_ORDER.index(to) < STATUS_ORDER.index(Status.CLOSED) <= case.status_index:
        # Reopened: the follow-ups that were planned for the closed case no longer apply.
        case.followups.filter(done_on__isnull=True).delete()
        case.closed_on = None
        case.next_followup_due = None
        update_fields += ["closed_on", "next_followup_due"]
    _set_status(case, to, by=by, reason=reason)
    case.save(update_fields=update_fields)
    _log_case(by, case, case, action=UPDATE, purpose=f"status {to}")
    return case


# --- timeline, time, scores, MDT ------------------------------------------------------------------------


@transaction.atomic
def add_note(case: Case, *, by, text: str) -> Note:
    _require_team(by, case.team_id)
    errors: dict = {}
    text = parse_text(text, "text", errors, required=True)
    _raise(errors)
    note = Note.objects.create(case=case, author=by, text=text)
    _touch(case)
    _log_case(by, case, note, action=CREATE, purpose="add note")
    return note


@transaction.atomic
def edit_note(note: Note, *, by, text: str) -> Note:
    """Replace the text; the earlier text stays in the note's revision history."""
    case = note.case
    _require_team(by, case.team_id)
    errors: dict = {}
    text = parse_text(text, "text", errors, required=True)
    _raise(errors)
    if text == note.text:
        return note
    NoteRevision.objects.create(note=note, text=note.text, replaced_by=by)
    note.text = text
    note.edited_at = timezone.now()
    note.save(update_fields=["text", "edited_at"])
    _touch(case)
    _log_case(by, case, note, action=UPDATE, purpose="edit note")
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
    _require_team(by, case.team_id)
    errors: dict = {}
    hours = clean_hours(hours, errors)
    activity = parse_choice(activity, TimeEntry.Activity, "activity", errors)
    day = parse_date(day, "day", errors, required=False) or timezone.localdate()
    if day > timezone.localdate():
        errors["day"] = _("Time cannot be registered for a day in the future.")
    description = parse_text(
        description, "description", errors, max_length=column_length(TimeEntry, "description")
    )
    _raise(errors)
    entry = TimeEntry.objects.create(
        case=case, worker=by, hours=hours, activity=activity, day=day, description=description
    )
    _touch(case)
    _log_case(by, case, entry, action=CREATE, purpose="register time")
    return entry


@transaction.atomic
def record_scores(case: Case, *, by, moment: str, scores: Mapping) -> list[DomainScore]:
    """Set the scores of one moment; a domain left empty has no score. Scores never gate a step."""
    _require_team(by, case.team_id)
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
    _raise(errors)
    DomainScore.objects.filter(case=case, moment=moment).delete()
    rows = DomainScore.objects.bulk_create(
        [DomainScore(case=case, moment=moment, domain=d, score=s, recorded_by=by) for d, s in cleaned.items()]
    )
    _touch(case)
    _log_case(by, case, case, action=UPDATE, purpose=f"domain scores {moment}")
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
    _require_team(by, case.team_id)
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
    _raise(errors)
    consultation = MdtConsultation.objects.create(
        case=case, requested_by=by, question=question, held_on=held_on, advice=advice, decision=decision
    )
    MdtParticipant.objects.bulk_create(
        [MdtParticipant(consultation=consultation, role=r, organisation=o) for r, o in rows]
    )
    _touch(case)
    _log_case(by, case, consultation, action=CREATE, purpose="MDT consultation")
    return consultation


# --- closing and follow-up ------------------------------------------------------------------------------

OUTCOME_TEXTS = ("housing_change", "income_change", "work_change", "debts_change")
REFLECTION_TEXTS = ("doubts", "dilemmas", "learning_points")


@transaction.atomic
def close_case(case: Case, *, by, outcome: Mapping, feedback: Mapping, reflection: Mapping) -> Case:
    """Outcome, client feedback and worker reflection; plans the follow-ups at 3 and 12 months.

    Field names in errors: goal_reached, *_change, grade, quote, quote_consent, quote_tone, doubts,
    dilemmas, learning_points, tone. The client grade is optional (not every client answers).
    """
    _require_team(by, case.team_id)
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    if case.status != Status.EXECUTION:
        errors["status"] = _("Only a case in execution can be closed; this case is in %(status)s.") % {
            "status": Status(case.status).label
        }
    goal_reached = parse_choice(outcome.get("goal_reached"), Outcome.GoalReached, "goal_reached", errors)
    outcome_texts = {name: parse_text(outcome.get(name), name, errors) for name in OUTCOME_TEXTS}
    grade = parse_int(feedback.get("grade"), "grade", errors, 1, 10, required=False)
    quote = parse_text(feedback.get("quote"), "quote", errors)
    consent = bool(feedback.get("quote_consent"))
    quote_tone = parse_choice(feedback.get("quote_tone"), Tone, "quote_tone", errors, required=False)
    if quote and grade is None and "grade" not in errors:
        errors["grade"] = _("Record the client's grade with their quote.")
    reflection_texts = {name: parse_text(reflection.get(name), name, errors) for name in REFLECTION_TEXTS}
    tone = parse_choice(reflection.get("tone"), Tone, "tone", errors)
    _raise(errors)

    today = timezone.localdate()
    Outcome.objects.update_or_create(
        case=case, defaults={"goal_reached": goal_reached, "recorded_by": by, **outcome_texts}
    )
    if grade is not None:
        Feedback.objects.update_or_create(
            case=case, defaults={"grade": grade, "quote": quote, "quote_consent": consent, "tone": quote_tone}
        )
    Reflection.objects.update_or_create(case=case, defaults={"author": by, "tone": tone, **reflection_texts})
    for kind, months in ((FollowUp.Kind.THREE_MONTHS, 3), (FollowUp.Kind.TWELVE_MONTHS, 12)):
        FollowUp.objects.update_or_create(
            case=case, kind=kind, defaults={"due_on": lib.add_months(today, months), "done_on": None}
        )
    _set_status(case, Status.CLOSED, by=by)
    case.closed_on = today
    case.next_followup_due = lib.add_months(today, 3)
    case.save(update_fields=["status", "closed_on", "next_followup_due", "last_activity_at"])
    _log_case(by, case, case, action=UPDATE, purpose="close case")
    return case


def _tri_state(value, field: str, errors: dict) -> bool | None:
    """Yes / no / not applicable (None), from a form ("yes", "no", "") or JSON (true, false, null)."""
    if value in (None, "", "na"):
        return None
    if value in (True, "yes", "true", "1", 1):
        return True
    if value in (False, "no", "false", "0", 0):
        return False
    errors[field] = _("Choose yes, no or not applicable.")
    return None


def followup_not_open_reason(followup: FollowUp, *, on=None) -> str:
    """Why the follow-up cannot be recorded on `on` (today by default), or "" when it can: its window opens
    `models.FOLLOWUP_WINDOW` before the due date. The one rule for services, views and API."""
    if (on or timezone.localdate()) >= followup.opens_on:
        return ""
    return _("This follow-up can be recorded from %(date)s.") % {
        "date": formats.date_format(followup.opens_on, "j F Y")
    }


@transaction.atomic
def record_followup(
    followup: FollowUp, *, by, back_in_trouble, kept_home=None, kept_job=None, notes: str = "", done_on=None
) -> FollowUp:
    """Whether the household is back in trouble and kept its home and job. The first follow-up moves a
    closed case to aftercare."""
    case = Case.objects.select_for_update().get(pk=followup.case_id)
    _require_team(by, case.team_id)
    errors: dict = {}
    if case.status not in (Status.CLOSED, Status.AFTERCARE):
        errors["status"] = _("Follow-up is recorded after the case has been closed.")
    if back_in_trouble in (None, ""):
        errors["back_in_trouble"] = _("Record whether the household is back in trouble.")
    trouble = _tri_state(back_in_trouble, "back_in_trouble", errors)
    home = _tri_state(kept_home, "kept_home", errors)
    job = _tri_state(kept_job, "kept_job", errors)
    notes = parse_text(notes, "notes", errors)
    done_on = parse_date(done_on, "done_on", errors, required=False) or timezone.localdate()
    if done_on > timezone.localdate():
        errors["done_on"] = _("The date cannot be in the future.")
    elif reason := followup_not_open_reason(followup, on=done_on):
        # One check covers both a conversation dated too early and recording too early (done_on <= today).
        errors["done_on"] = reason
    _raise(errors)
    followup.back_in_trouble, followup.kept_home, followup.kept_job = trouble, home, job
    followup.notes, followup.done_on, followup.recorded_by = notes, done_on, by
    followup.save()
    if case.status == Status.CLOSED:
        _set_status(case, Status.AFTERCARE, by=by)
    case.last_activity_at = timezone.now()
    case.next_followup_due = (
        case.followups.filter(done_on__isnull=True)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    case.save(update_fields=["status", "last_activity_at", "next_followup_due"])
    _log_case(by, case, followup, action=UPDATE, purpose=f"follow-up {followup.kind}")
    return followup
