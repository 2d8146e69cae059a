import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from maatwerk.accounts.models import AccessLog
from maatwerk.cases import lib, services
from maatwerk.cases.models import (
    Case,
    DomainScore,
    FollowUp,
    Household,
    LifeDomain,
    Moment,
    Person,
    Status,
    StatusChange,
    TimeEntry,
    Tone,
)

from .factories import case_in, household_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_start_case_creates_household_person_and_case_in_team(world):
    case = household_case(world)
    assert case.team == world.team_a and case.municipality == world.eindhoven
    assert case.household.team == world.team_a and case.household.municipality == world.eindhoven
    assert case.status == Status.INTAKE
    assert case.lead_worker == world.alice
    assert set(case.domain_list) == {LifeDomain.FINANCES, LifeDomain.HOUSING}
    assert case.household.persons.get().bsn == "111222333"


def test_invalid_bsn_is_refused_in_dutch_and_nothing_saved(world):
    with pytest.raises(ValidationError) as exc:
        services.start_case(
            by=world.alice,
            team=world.team_a,
            name="Bakker",
            vastloper="x",
            persons=[{"first_name": "A", "last_name": "B", "bsn": "123456789", "role": "applicant"}],
        )
    assert "elfproef" in exc.value.message_dict["bsn"][0]
    assert not Household.objects.exists() and not Case.objects.exists() and not Person.objects.exists()


def test_bsn_is_optional(world):
    household = services.create_household(
        by=world.alice,
        team=world.team_a,
        name="Pinas",
        persons=[{"first_name": "Kofi", "last_name": "Pinas", "role": "child"}],
    )
    assert household.persons.get().bsn == ""


def test_worker_cannot_create_household_in_other_team(world):
    with pytest.raises(PermissionDenied):
        services.create_household(by=world.alice, team=world.team_b, name="X")


def test_policy_cannot_change_cases(world):
    case = household_case(world)
    with pytest.raises(PermissionDenied):
        services.add_note(case, by=world.erin, text="nee")


def test_moves_forward_one_step_and_records_change(world):
    case = household_case(world)
    services.move_case(case, by=world.alice, to=Status.ANALYSIS)
    change = StatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.by) == (Status.INTAKE, Status.ANALYSIS, world.alice)


def test_skipping_a_step_is_refused_with_dutch_message(world):
    case = household_case(world)
    with pytest.raises(ValidationError) as exc:
        services.move_case(case, by=world.alice, to=Status.PLAN)
    assert exc.value.message_dict["to"] == [
        "Een casus gaat één stap tegelijk vooruit: na intake komt analyse, niet plan."
    ]
    assert Case.objects.get(pk=case.pk).status == Status.INTAKE
    assert not StatusChange.objects.exists()


def test_going_back_needs_a_reason(world):
    case = case_in(world, Status.PLAN)
    with pytest.raises(ValidationError) as exc:
        services.move_case(case, by=world.alice, to=Status.ANALYSIS)
    assert "reden" in exc.value.message_dict["reason"][0]
    services.move_case(case, by=world.alice, to=Status.ANALYSIS, reason="Nieuwe schuld ontdekt")
    assert StatusChange.objects.filter(case=case).last().reason == "Nieuwe schuld ontdekt"


def test_closing_goes_through_the_closing_service(world):
    case = case_in(world, Status.EXECUTION)
    with pytest.raises(ValidationError) as exc:
        services.move_case(case, by=world.alice, to=Status.CLOSED)
    assert "afsluitformulier" in exc.value.message_dict["to"][0]


def test_edit_note_keeps_earlier_text(world):
    case = household_case(world)
    note = services.add_note(case, by=world.alice, text="Eerste versie")
    services.edit_note(note, by=world.dave, text="Tweede versie")
    note.refresh_from_db()
    assert note.text == "Tweede versie" and note.edited_at
    revision = note.revisions.get()
    assert (revision.text, revision.replaced_by) == ("Eerste versie", world.dave)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-2", "meer dan 0"),
        ("0", "meer dan 0"),
        ("24.5", "maximaal 24"),
        ("abc", "aantal uren"),
        ("1.234", "decimalen"),
    ],
)
def test_bad_hours_are_refused(world, hours, message):
    case = household_case(world)
    with pytest.raises(ValidationError) as exc:
        services.register_time(case, by=world.alice, hours=hours, activity="household")
    assert message in exc.value.message_dict["hours"][0]
    assert not TimeEntry.objects.exists()


def test_register_time_stores_decimal_hours_per_worker(world):
    case = household_case(world)
    entry = services.register_time(case, by=world.alice, hours="1.25", activity="agencies")
    assert entry.hours == Decimal("1.25") and entry.worker == world.alice


def test_scores_are_optional_and_replace_per_moment(world):
    case = household_case(world)
    services.record_scores(case, by=world.alice, moment=Moment.INTAKE, scores={1: 2, 4: "", 6: None})
    services.record_scores(case, by=world.alice, moment=Moment.INTAKE, scores={1: 3, 4: 1})
    assert dict(DomainScore.objects.values_list("domain", "score")) == {1: 3, 4: 1}
    # Moving on never needs scores.
    services.move_case(case, by=world.alice, to=Status.ANALYSIS)


def test_score_out_of_range_is_refused(world):
    case = household_case(world)
    with pytest.raises(ValidationError) as exc:
        services.record_scores(case, by=world.alice, moment=Moment.INTAKE, scores={1: 6})
    assert "domain_1" in exc.value.message_dict
    assert not DomainScore.objects.exists()


def test_mdt_needs_participants_with_role_and_organisation(world):
    case = household_case(world)
    with pytest.raises(ValidationError) as exc:
        services.record_mdt(
            case,
            by=world.alice,
            question="Auto voor werk?",
            held_on="2026-03-01",
            participants=[{"role": "budgetcoach", "organisation": ""}],
        )
    assert "participants" in exc.value.message_dict
    mdt = services.record_mdt(
        case,
        by=world.alice,
        question="Auto voor werk?",
        held_on="2026-03-01",
        participants=[{"role": "klantmanager", "organisation": "Werk en Inkomen"}],
        advice="Lening",
        decision="Akkoord",
    )
    assert mdt.participants.get().organisation == "Werk en Inkomen"


@time_machine.travel(datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC), tick=False)
def test_close_case_plans_followups_at_3_and_12_months(world):
    case = case_in(world, Status.CLOSED)
    assert case.status == Status.CLOSED and case.closed_on == datetime.date(2026, 1, 31)
    due = dict(FollowUp.objects.filter(case=case).values_list("kind", "due_on"))
    assert due == {"3m": datetime.date(2026, 4, 30), "12m": datetime.date(2027, 1, 31)}
    assert case.next_followup_due == datetime.date(2026, 4, 30)
    assert case.feedback.grade == 9 and not case.feedback.quote_consent and not case.voices.exists()
    assert case.reflection.tone == Tone.POSITIVE


def test_grade_11_is_refused_and_case_stays_open(world):
    case = case_in(world, Status.EXECUTION)
    with pytest.raises(ValidationError) as exc:
        services.close_case(
            case,
            by=world.alice,
            outcome={"goal_reached": "yes"},
            feedback={"grade": 11},
            reflection={"tone": "mixed"},
        )
    assert exc.value.message_dict["grade"] == ["Vul een getal van 1 tot en met 10 in."]
    case.refresh_from_db()
    assert case.status == Status.EXECUTION
    assert not FollowUp.objects.exists()


def test_closing_before_execution_is_refused(world):
    case = household_case(world)
    with pytest.raises(ValidationError) as exc:
        services.close_case(
            case, by=world.alice, outcome={"goal_reached": "yes"}, feedback={}, reflection={"tone": "mixed"}
        )
    assert "status" in exc.value.message_dict


def test_first_followup_moves_case_to_aftercare(world):
    case = case_in(world, Status.AFTERCARE)
    assert case.status == Status.AFTERCARE
    done = case.followups.get(kind="3m")
    assert done.done_on and done.back_in_trouble is False and done.kept_home is True and done.kept_job is None
    assert case.next_followup_due == case.followups.get(kind="12m").due_on


def test_reopening_a_closed_case_drops_open_followups(world):
    case = case_in(world, Status.CLOSED)
    services.move_case(case, by=world.alice, to=Status.EXECUTION, reason="Nieuwe aanmaning CJIB")
    case.refresh_from_db()
    assert case.closed_on is None and case.next_followup_due is None
    assert not case.followups.exists()


def test_every_change_writes_access_log(world):
    case = household_case(world)
    note = services.add_note(case, by=world.alice, text="x")
    services.register_time(case, by=world.alice, hours=1, activity="mdt")
    rows = AccessLog.objects.filter(user=world.alice, household_id=case.household_id)
    assert {r.action for r in rows} == {AccessLog.Action.CREATE}
    assert rows.filter(object_type="cases.note", object_id=str(note.pk)).exists()
    assert rows.count() == 4  # household, case, note, time entry


def test_bitmask_roundtrip():
    assert lib.from_mask(lib.to_mask([1, 4, 13])) == [1, 4, 13]


def test_synthetic_bsn_passes_the_11_check():
    import random

    from stdnum.nl import bsn

    rng = random.Random(3)
    assert all(bsn.is_valid(lib.synthetic_bsn(rng)) for _ in range(200))


def test_add_months_clips_to_month_end():
    assert lib.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
