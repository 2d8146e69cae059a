"""The case and its status: opened (at intake, with its household), its situation, its status moves."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Team
from maatwerk.validation import (
    column_length,
    parse_date,
    parse_picklist,
    parse_text,
)

from .. import signals
from ..models import (
    STATUS_ORDER,
    Agency,
    Case,
    Household,
    LifeDomain,
    Status,
    StatusChange,
)
from .common import CREATE, UPDATE, log_case, raise_errors, require_team
from .households import create_household


def situation_fields(data: Mapping, errors: dict) -> dict:
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
    require_team(by, household.team_id)
    errors: dict = {}
    fields = situation_fields(situation, errors)
    if opened_on is not None:
        opened_on = parse_date(opened_on, "opened_on", errors, latest=timezone.localdate())
    raise_errors(errors)
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
    log_case(by, case, case, action=CREATE, purpose="open case")
    return case


@transaction.atomic
def start_case(*, by, team: Team, name: str, persons: Iterable[Mapping] = (), **situation) -> Case:
    """Intake in one step: a new household with its persons and a case for it. Validates all first."""
    errors: dict = {}
    situation_fields(situation, errors)
    try:
        household = create_household(by=by, team=team, name=name, persons=persons)
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    raise_errors(errors)
    return open_case(household, by=by, **situation)


@transaction.atomic
def update_situation(case: Case, *, by, **situation) -> Case:
    """The vastloper, life domains, agencies and the household's own goal."""
    require_team(by, case.team_id)
    errors: dict = {}
    fields = situation_fields(situation, errors)
    raise_errors(errors)
    for name, value in fields.items():
        setattr(case, name, value)
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "last_activity_at"])
    log_case(by, case, case, action=UPDATE, purpose="update situation")
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


def set_status(case: Case, to: Status, *, by, reason: str = "") -> None:
    change = StatusChange.objects.create(
        case=case, from_status=case.status, to_status=to, reason=reason, by=by
    )
    # zaken (the export to Open Zaak) listens; sent once the change is committed.
    signals.send_on_commit(
        signals.status_changed, StatusChange, case_id=case.pk, status_change_id=change.pk, to_status=str(to)
    )
    case.status = to
    case.last_activity_at = timezone.now()


@transaction.atomic
def move_case(case: Case, *, by, to: str, reason: str = "") -> Case:
    """Forward one step, or back any number of steps with a reason. Closing has its own service."""
    require_team(by, case.team_id)
    # Lock the row, so two workers moving the same case at once cannot both pass the check.
    case = Case.objects.select_for_update().get(pk=case.pk)
    errors: dict = {}
    reason = parse_text(reason, "reason", errors)
    if to not in Status.values:
        errors["to"] = _("Choose one of the options.")
    raise_errors(errors)
    raise_errors(check_transition(case.status, to, reason))
    to = Status(to)
    update_fields = ["status", "last_activity_at"]
    if STATUS_ORDER.index(to) < STATUS_ORDER.index(Status.CLOSED) <= case.status_index:
        # Reopened: the follow-ups that were planned for the closed case no longer apply.
        case.followups.filter(done_on__isnull=True).delete()
        case.closed_on = None
        case.next_followup_due = None
        update_fields += ["closed_on", "next_followup_due"]
    set_status(case, to, by=by, reason=reason)
    case.save(update_fields=update_fields)
    log_case(by, case, case, action=UPDATE, purpose=f"status {to}")
    return case
