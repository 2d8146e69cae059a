"""Every change to the barrier register goes through here (after Zulip's `zerver/actions`).

Each function takes the acting user as keyword-only `by`, validates everything before it writes anything
(a `ValidationError` with a {field: Dutch message} dict, nothing half-saved), runs in one transaction and
writes an AccessLog row. Views and the API fetch objects through `queries`/`tenancy` first; the checks on
`by` here are a second line of defence.

Barriers must stay free of personal data, because policy and the national programme read them: texts
with a BSN, an address, a phone number, a name and the like are refused, each field with a message that
says what was found (`privacy.check_texts`; what it finds and why it does without deduce is said there).
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role, Team
from maatwerk.cases import lib as case_lib
from maatwerk.cases.models import Agency, Case
from maatwerk.validation import parse_choice as _choice
from maatwerk.validation import parse_date, parse_money, parse_picklist
from maatwerk.validation import parse_text as _text

from . import privacy
from .grouping import provision_key
from .models import (
    CLOSED_STATUSES,
    LOCAL_LEVELS,
    Barrier,
    BarrierGroup,
    BarrierStatus,
    BarrierType,
    CaseLink,
    Decision,
    Escalation,
    Level,
)
from .queries import ACT_ROLES, MERGE_ROLES, REGISTERING_ROLES

CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
INPUT_FIELDS = frozenset(
    {
        "type",
        "title",
        "agencies",
        "other_agency",
        "legal_provision",
        "description",
        "risk",
        "risk_date",
        "solution_asked",
    }
)
TEXT_FIELDS = ("title", "description", "risk", "solution_asked", "legal_provision", "other_agency")


# --- helpers -------------------------------------------------------------------------------------------


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _agencies(values, errors: dict) -> int:
    return parse_picklist(values, Agency, "agencies", errors)


def _amount(value, field: str, errors: dict) -> Decimal | None:
    """A cost at stake: 0 up to the one maximum for money (maatwerk.lib.money), whole cents."""
    if value in (None, ""):
        return None
    return parse_money(value, field, errors, below=_("The cost at stake cannot be negative."))


def _require_act(by, barrier: Barrier) -> None:
    if barrier.municipality_id not in tenancy.municipality_ids(by, ACT_ROLES):
        raise PermissionDenied(_("Only people working in the barrier's municipality may change it."))


def _require_case_team(by, case: Case) -> None:
    if case.team_id not in tenancy.team_ids(by):
        raise PermissionDenied(_("Only workers and team leads of the case's team may link it."))


def _log(by, obj, *, action, purpose: str, municipality_id: int, household_id: int | None = None) -> None:
    log_access(
        by, obj, action=action, purpose=purpose, municipality_id=municipality_id, household_id=household_id
    )


def check_no_personal_data(
    texts: Mapping[str, str], cases: Iterable[Case], errors: dict, *, by=None, team_id: int | None = None
) -> None:
    """Refuse personal data in the texts: the light check of `privacy` (patterns, titled names, the names
    of the linked households and persons, and the household names of `by`'s teams and `team_id`)."""
    teams = {team_id, *(tenancy.team_ids(by) if by is not None else ())}
    privacy.check_texts(texts, cases=cases, team_ids=teams, errors=errors)


def _barrier_fields(data: Mapping, errors: dict) -> dict:
    fields = {
        "type": _choice(data.get("type"), BarrierType, "type", errors),
        "title": _text(data.get("title"), "title", errors, required=True, max_length=200),
        "agencies": _agencies(data.get("agencies"), errors),
        "other_agency": _text(data.get("other_agency"), "other_agency", errors, max_length=120),
        "legal_provision": _text(data.get("legal_provision"), "legal_provision", errors, max_length=200),
        "description": _text(data.get("description"), "description", errors, required=True),
        "risk": _text(data.get("risk"), "risk", errors),
        "risk_date": parse_date(data.get("risk_date"), "risk_date", errors, required=False),
        "solution_asked": _text(data.get("solution_asked"), "solution_asked", errors),
    }
    if not fields["agencies"] and not fields["other_agency"] and "agencies" not in errors:
        errors["agencies"] = _("Name at least one agency involved.")
    fields["provision_key"] = provision_key(fields["legal_provision"])
    return fields


def _home(by, team: Team | None) -> tuple[int, int | None]:
    """(municipality id, team id) a barrier registered on its own belongs to."""
    ms = [m for m in tenancy.memberships(by) if m.role in REGISTERING_ROLES]
    if team is not None:
        if team.pk not in tenancy.team_ids(by):
            raise PermissionDenied(_("You can only register barriers for your own team."))
        return team.municipality_id, team.pk
    for m in ms:
        if m.team_id:
            return m.municipality_id, m.team_id
    for m in ms:
        if m.municipality_id:
            return m.municipality_id, None
    raise PermissionDenied(_("Only workers, team leads and legality checkers register barriers."))


# --- registering and linking ----------------------------------------------------------------------------


@transaction.atomic
def register_barrier(
    *, by, case: Case | None = None, cost_at_stake=None, team: Team | None = None, **data
) -> Barrier:
    """Register a barrier, on its own or from a case (then the case is linked at once)."""
    unknown = set(data) - INPUT_FIELDS
    if unknown:
        raise TypeError(f"register_barrier() got unexpected fields: {sorted(unknown)}")
    if case is not None:
        _require_case_team(by, case)
        municipality_id, team_id = case.municipality_id, case.team_id
    else:
        municipality_id, team_id = _home(by, team)
    errors: dict = {}
    fields = _barrier_fields(data, errors)
    cost = _amount(cost_at_stake, "cost_at_stake", errors)
    check_no_personal_data(
        {f: fields[f] for f in TEXT_FIELDS}, [case] if case else [], errors, by=by, team_id=team_id
    )
    _raise(errors)
    now = timezone.now()
    barrier = Barrier.objects.create(
        municipality_id=municipality_id, team_id=team_id, owner=by, created_at=now, updated_at=now, **fields
    )
    _log(by, barrier, action=CREATE, purpose="register barrier", municipality_id=municipality_id)
    if case is not None:
        _create_link(barrier, case, by=by, cost=cost)
    return barrier


def _create_link(barrier: Barrier, case: Case, *, by, cost: Decimal | None) -> CaseLink:
    link = CaseLink.objects.create(barrier=barrier, case=case, cost_at_stake=cost, linked_by=by)
    _log(
        by,
        link,
        action=CREATE,
        purpose="link case to barrier",
        municipality_id=case.municipality_id,
        household_id=case.household_id,
    )
    return link


@transaction.atomic
def link_case(barrier: Barrier, case: Case, *, by, cost_at_stake=None) -> CaseLink:
    """Link one more case the barrier hurts; `cost_at_stake` is that case's business-case figure."""
    _require_case_team(by, case)
    errors: dict = {}
    if case.municipality_id != barrier.municipality_id:
        errors["case"] = _(
            "Only cases of the barrier's municipality can be linked; register the barrier "
            "in your own municipality, it will be grouped with this one."
        )
    elif CaseLink.objects.filter(barrier=barrier, case=case).exists():
        errors["case"] = _("This case is already linked to the barrier.")
    cost = _amount(cost_at_stake, "cost_at_stake", errors)
    if "case" not in errors:
        texts = {f: getattr(barrier, f) for f in TEXT_FIELDS}
        found: dict = {}
        check_no_personal_data(texts, [case], found)
        if found:
            errors["case"] = _(
                "The barrier's texts contain personal data (a name of this household, say); correct "
                "the barrier first."
            )
    _raise(errors)
    link = _create_link(barrier, case, by=by, cost=cost)
    Barrier.objects.filter(pk=barrier.pk).update(updated_at=timezone.now())
    return link


# --- correcting what was registered ---------------------------------------------------------------------


def check_editable(barrier: Barrier) -> dict:
    """The errors for correcting the barrier ({} when allowed): a closed barrier stays as it was answered."""
    if barrier.is_closed:
        return {NON_FIELD_ERRORS: _("The barrier is closed; its description can no longer be changed.")}
    return {}


def current_input(barrier: Barrier) -> dict:
    """The barrier's descriptive fields as registration takes them (agencies as a list, not a bitmask)."""
    values = {field: getattr(barrier, field) for field in INPUT_FIELDS}
    values["agencies"] = case_lib.from_mask(barrier.agencies)
    return values


@transaction.atomic
def update_barrier(barrier: Barrier, *, by, **changes) -> Barrier:
    """Correct the descriptive fields given in `changes` (a partial update; the other fields stay).

    Status, escalations, answers and closing have their own services and are refused here. Who may
    correct a barrier is who may escalate and close it (`_require_act`). The audit row names the fields
    that changed, never their content. Nothing changed, nothing written.
    """
    _require_act(by, barrier)
    # Lock the row: two corrections at once must not each write over fields the other just changed.
    barrier = Barrier.objects.select_for_update().get(pk=barrier.pk)
    _raise(check_editable(barrier))
    errors: dict = {
        field: _("This field cannot be changed here.") for field in sorted(set(changes) - INPUT_FIELDS)
    }
    fields = _barrier_fields({**current_input(barrier), **changes}, errors)
    changed = [f for f in sorted(INPUT_FIELDS) if f in changes and fields[f] != getattr(barrier, f)]
    # Texts are checked against every household linked to the barrier, whichever team it belongs to.
    linked = [link.case for link in barrier.links.select_related("case__household")]
    check_no_personal_data(
        {f: fields[f] for f in TEXT_FIELDS if f in changed}, linked, errors, by=by, team_id=barrier.team_id
    )
    _raise(errors)
    if not changed:
        return barrier
    for field in changed:
        setattr(barrier, field, fields[field])
    barrier.provision_key = fields["provision_key"]
    barrier.updated_at = timezone.now()
    barrier.save(update_fields=[*changed, "provision_key", "updated_at"])
    _log(
        by,
        barrier,
        action=UPDATE,
        purpose=f"update barrier: {', '.join(changed)}",
        municipality_id=barrier.municipality_id,
    )
    return barrier


# --- the escalation ladder ------------------------------------------------------------------------------


def check_escalation(barrier: Barrier, level: str, *, reason: str = "", today=None) -> dict:
    """The errors for escalating to `level` ({} when allowed), the one rule for services, views and API.
    Going national needs a recorded local attempt (team or municipality) and a regional one first; every
    next step needs an answer at the current one or a reason (`check_next_step`)."""
    if barrier.is_closed:
        return {"level": _("The barrier is closed; it cannot be escalated.")}
    if level == Level.NATIONAL:
        levels = set(barrier.escalations.values_list("level", flat=True))
        missing = []
        if not levels & set(LOCAL_LEVELS):
            missing.append(str(_("local (team or municipality)")))
        if Level.REGION not in levels:
            missing.append(str(_("regional")))
        if missing:
            return {
                "level": _(
                    "Escalating nationally is only possible after local and regional attempts are "
                    "recorded. Missing: %(missing)s."
                )
                % {"missing": ", ".join(missing)}
            }
    return check_next_step(barrier, reason=reason, today=today)


def current_step(barrier: Barrier) -> Escalation | None:
    """The step the barrier stands at: the latest escalation."""
    return barrier.escalations.order_by("-escalated_at", "-id").first()


def check_next_step(barrier: Barrier, *, reason: str = "", today=None) -> dict:
    """A next step needs an answer at the current one, or a reason to go on without it.

    Escalating is asking someone who can decide and waiting for their answer within the term that was set;
    three levels recorded in a minute without an answer at any of them is not a ladder that was climbed.
    So: no answer yet and the term still running needs a written `reason` (an acute risk, say); once the
    term has passed, "no answer within the term" is the reason and is recorded by itself.
    """
    step = current_step(barrier)
    today = today or timezone.localdate()
    if step is None or step.is_answered or step.is_overdue(today) or reason:
        return {}
    return {
        "reason": _(
            "The step to %(to)s, level %(level)s, has no answer yet and its term runs until %(date)s. "
            "Record the answer first, or give the reason why escalating further cannot wait."
        )
        % {
            "to": step.to,
            "level": step.get_level_display(),
            "date": formats.date_format(step.due_date, "j F Y"),
        }
    }


def automatic_reason(barrier: Barrier, *, today=None) -> str:
    """The reason recorded for a next step without a written one: the current step's term has passed."""
    step = current_step(barrier)
    if step is None or step.is_answered or not step.is_overdue(today):
        return ""
    return _("No answer from %(to)s within the term (until %(date)s).") % {
        "to": step.to,
        "date": formats.date_format(step.due_date, "j F Y"),
    }


@transaction.atomic
def escalate_barrier(
    barrier: Barrier, *, by, level: str, to: str, due_date, question: str = "", reason: str = ""
) -> Escalation:
    _require_act(by, barrier)
    # Lock the barrier so that two people escalating at once both see each other's steps.
    barrier = Barrier.objects.select_for_update().get(pk=barrier.pk)
    errors: dict = {}
    level = _choice(level, Level, "level", errors)
    to = _text(to, "to", errors, required=True, max_length=200)
    # No two-year limit: the agency asked sets the answer term, and a change of law can take longer.
    due = parse_date(due_date, "due_date", errors, required=True, latest=datetime.date.max)
    if due and due < timezone.localdate():
        errors["due_date"] = _("The due date cannot be in the past.")
    question = _text(question, "question", errors)
    reason = _text(reason, "reason", errors)
    linked = [link.case for link in barrier.links.select_related("case__household")]
    check_no_personal_data(
        {"to": to, "question": question, "reason": reason}, linked, errors, by=by, team_id=barrier.team_id
    )
    if level and "level" not in errors and "reason" not in errors:
        errors.update(check_escalation(barrier, level, reason=reason))
    _raise(errors)
    escalation = Escalation.objects.create(
        barrier=barrier,
        level=level,
        owner=by,
        to=to,
        question=question,
        reason=reason or automatic_reason(barrier),
        due_date=due,
    )
    barrier.status = BarrierStatus.ESCALATED
    barrier.updated_at = timezone.now()
    barrier.save(update_fields=["status", "updated_at"])
    _log(
        by,
        escalation,
        action=CREATE,
        purpose=f"escalate barrier to {level}",
        municipality_id=barrier.municipality_id,
    )
    return escalation


@transaction.atomic
def record_answer(escalation: Escalation, *, by, answer: str, decision: str) -> Escalation:
    barrier = escalation.barrier
    _require_act(by, barrier)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    errors: dict = {}
    if escalation.is_answered:
        errors["answer"] = _("This escalation already has an answer.")
    if barrier.is_closed:
        errors["answer"] = _("The barrier is closed.")
    answer = _text(answer, "answer", errors, required=True)
    decision = _choice(decision, Decision, "decision", errors)
    linked = [link.case for link in barrier.links.select_related("case__household")]
    check_no_personal_data({"answer": answer}, linked, errors, by=by, team_id=barrier.team_id)
    _raise(errors)
    escalation.answer = answer
    escalation.decision = decision
    escalation.answered_at = timezone.now()
    escalation.answered_by = by
    escalation.save(update_fields=["answer", "decision", "answered_at", "answered_by"])
    # Answered, unless other steps of the ladder are still waiting for theirs.
    waiting = barrier.escalations.filter(answered_at__isnull=True).exists()
    Barrier.objects.filter(pk=barrier.pk).update(
        status=BarrierStatus.ESCALATED if waiting else BarrierStatus.ANSWERED, updated_at=timezone.now()
    )
    _log(
        by,
        escalation,
        action=UPDATE,
        purpose="record escalation answer",
        municipality_id=barrier.municipality_id,
    )
    return escalation


# --- closing: never without an answer -------------------------------------------------------------------


@transaction.atomic
def close_barrier(barrier: Barrier, *, by, status: str, reason: str = "") -> Barrier:
    _require_act(by, barrier)
    barrier = Barrier.objects.select_for_update().get(pk=barrier.pk)
    errors: dict = {}
    if status not in CLOSED_STATUSES:
        errors["status"] = _("Choose one of the options.")
    reason = _text(reason, "reason", errors)
    if barrier.is_closed:
        errors["status"] = _("The barrier is already closed.")
    elif not barrier.escalations.filter(answered_at__isnull=False).exists():
        # Rust niet: a barrier is closed only after someone answered it.
        errors["status"] = _(
            "A barrier cannot be closed without a recorded answer. Escalate it and record the answer first."
        )
    if status == BarrierStatus.REJECTED and not reason and "reason" not in errors:
        errors["reason"] = _("Give the reason for the rejection.")
    linked = [link.case for link in barrier.links.select_related("case__household")]
    check_no_personal_data({"reason": reason}, linked, errors, by=by, team_id=barrier.team_id)
    _raise(errors)
    barrier.status = status
    barrier.close_reason = reason
    barrier.closed_at = barrier.updated_at = timezone.now()
    barrier.closed_by = by
    barrier.save(update_fields=["status", "close_reason", "closed_at", "closed_by", "updated_at"])
    _log(
        by, barrier, action=UPDATE, purpose=f"close barrier {status}", municipality_id=barrier.municipality_id
    )
    return barrier


# --- structural signal ----------------------------------------------------------------------------------


def check_grouping(by, barriers: Iterable[Barrier]) -> None:
    """Raise PermissionDenied unless `by` may put `barriers` in one group: the one rule for merging,
    renaming (a merge with a title) and removing groups (the younger groups of a merge), in the pages,
    the API and `merge_into_group`.

    The national programme groups across municipalities. Policy groups only its own municipality's
    barriers, and only into groups that hold nothing else: a merge renames the oldest group among the
    barriers, deletes the others and moves all their barriers, so a group that also holds another
    municipality's barrier is the programme's, whoever's barrier is in it.
    """
    if tenancy.has_role(by, Role.PROGRAMME):
        return
    barriers = list(barriers)
    own = tenancy.municipality_ids(by, MERGE_ROLES - {Role.PROGRAMME})
    if not own or any(b.municipality_id not in own for b in barriers):
        raise PermissionDenied(
            _("Only the national programme, or policy within its municipality, merges barriers.")
        )
    group_ids = {b.group_id for b in barriers if b.group_id}
    if Barrier.objects.filter(group__in=group_ids).exclude(municipality__in=own).exists():
        raise PermissionDenied(
            _(
                "One of these barriers is in a structural group that also holds barriers of other "
                "municipalities; only the national programme changes that group."
            )
        )


@transaction.atomic
def merge_into_group(barriers: Iterable[Barrier], *, by, title: str = "") -> BarrierGroup:
    """Put barriers in one structural group. Existing groups among them are merged into the oldest one.
    Who may is `check_grouping`."""
    given = list(barriers)
    # Read the barriers and lock their groups: every merge that changes a group locks it, so a concurrent
    # one cannot add another municipality's barrier to it between the check and the move.
    fresh = Barrier.objects.select_related("group").in_bulk([b.pk for b in given])
    barriers = [fresh[b.pk] for b in given if b.pk in fresh]
    list(BarrierGroup.objects.select_for_update().filter(pk__in={b.group_id for b in barriers}))
    check_grouping(by, barriers)
    errors: dict = {}
    if len({b.pk for b in barriers}) < 2:
        errors["barriers"] = _("Choose at least two barriers to merge.")
    title = _text(title, "title", errors, max_length=200)
    # The group's title is shown nationally; without one it takes the first barrier's.
    privacy.check_texts(
        {"title": title or (barriers[0].title if barriers else "")},
        cases=Case.objects.filter(barrier_links__barrier__in=barriers),
        team_ids={b.team_id for b in barriers},
        errors=errors,
    )
    _raise(errors)
    groups = sorted({b.group for b in barriers if b.group_id}, key=lambda g: (g.created_at, g.pk))
    if groups:
        group = groups[0]
        if title:
            group.title = title
            group.save(update_fields=["title"])
        Barrier.objects.filter(group__in=groups[1:]).update(group=group)
        BarrierGroup.objects.filter(pk__in=[g.pk for g in groups[1:]]).delete()
    else:
        group = BarrierGroup.objects.create(title=title or barriers[0].title, created_by=by)
    Barrier.objects.filter(pk__in=[b.pk for b in barriers]).update(group=group)
    for b in given:
        b.group = group
    log_access(
        by, group, action=UPDATE, purpose=f"merge {len(barriers)} barriers into group", municipality_id=None
    )
    return group
