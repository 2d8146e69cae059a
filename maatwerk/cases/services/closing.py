"""Closing a case (outcome, client feedback, worker reflection) and the follow-ups at 3 and 12 months."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from maatwerk.validation import (
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
)

from .. import lib, signals
from ..models import (
    Case,
    Feedback,
    FollowUp,
    Outcome,
    Reflection,
    Status,
    Tone,
)
from . import voices
from .case import set_status
from .common import UPDATE, log_case, raise_errors, require_team

OUTCOME_TEXTS = ("housing_change", "income_change", "work_change", "debts_change")
REFLECTION_TEXTS = ("doubts", "dilemmas", "learning_points", "needs")


@transaction.atomic
def close_case(case: Case, *, by, outcome: Mapping, feedback: Mapping, reflection: Mapping) -> Case:
    """Outcome, client feedback and worker reflection; plans the follow-ups at 3 and 12 months.

    Field names in errors: goal_reached, *_change, grade, quote, quote_consent, quote_tone, quote_themes,
    doubts, dilemmas, learning_points, needs, tone, share_consent, reflection_themes. The client grade is
    optional (not every client answers). The client's quote (with consent) and the reflection (with the
    worker's consent) become voices for the stories (`voices.create_closing_voices`).
    """
    require_team(by, case.team_id)
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
    shared = voices.parse_closing_voices(case, feedback, reflection, errors)
    raise_errors(errors)

    today = timezone.localdate()
    Outcome.objects.update_or_create(
        case=case, defaults={"goal_reached": goal_reached, "recorded_by": by, **outcome_texts}
    )
    if grade is not None:
        Feedback.objects.update_or_create(
            case=case, defaults={"grade": grade, "quote": quote, "quote_consent": consent, "tone": quote_tone}
        )
    Reflection.objects.update_or_create(
        case=case,
        defaults={"author": by, "tone": tone, "share_consent": shared["share_consent"], **reflection_texts},
    )
    voices.create_closing_voices(
        case,
        by=by,
        quote=quote,
        quote_consent=consent,
        quote_tone=quote_tone,
        reflection_texts=reflection_texts,
        tone=tone,
        parsed=shared,
    )
    for kind, months in ((FollowUp.Kind.THREE_MONTHS, 3), (FollowUp.Kind.TWELVE_MONTHS, 12)):
        FollowUp.objects.update_or_create(
            case=case, kind=kind, defaults={"due_on": lib.add_months(today, months), "done_on": None}
        )
    set_status(case, Status.CLOSED, by=by)
    case.closed_on = today
    case.next_followup_due = lib.add_months(today, 3)
    case.save(update_fields=["status", "closed_on", "next_followup_due", "last_activity_at"])
    log_case(by, case, case, action=UPDATE, purpose="close case")
    # zaken (the export to Open Zaak) listens; sent once the closing is committed.
    signals.send_on_commit(signals.case_closed, Case, case_id=case.pk)
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
    require_team(by, case.team_id)
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
    raise_errors(errors)
    followup.back_in_trouble, followup.kept_home, followup.kept_job = trouble, home, job
    followup.notes, followup.done_on, followup.recorded_by = notes, done_on, by
    followup.save()
    if case.status == Status.CLOSED:
        set_status(case, Status.AFTERCARE, by=by)
    case.last_activity_at = timezone.now()
    case.next_followup_due = (
        case.followups.filter(done_on__isnull=True)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    case.save(update_fields=["status", "last_activity_at", "next_followup_due"])
    log_case(by, case, followup, action=UPDATE, purpose=f"follow-up {followup.kind}")
    return followup
