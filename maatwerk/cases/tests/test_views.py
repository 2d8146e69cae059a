import datetime

import pytest
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.cases import services
from maatwerk.cases.models import Case, Household, LifeDomain, Status, TimeEntry

from .factories import VALID_BSN, case_in, household_case

pytestmark = pytest.mark.django_db

INTAKE = {
    "name": "De Vries",
    "first_name": "Femke",
    "last_name": "de Vries",
    "bsn": VALID_BSN,
    "birth_year": "1990",
    "role": "applicant",
    "vastloper": "Kinderopvangtoeslag verrekend met belastingschuld",
    "domains": ["1", "2"],
    "agencies": ["1"],
    "goal": "Weer aan het werk kunnen",
}


def reads(user, case):
    return AccessLog.objects.filter(user=user, action=AccessLog.Action.READ, household_id=case.household_id)


def test_worker_opens_a_case_through_the_intake_form(world, client_for):
    response = client_for(world.alice).post(reverse("cases:new"), INTAKE)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.team == world.team_a and case.household.persons.get().bsn == VALID_BSN
    assert set(case.domain_list) == {LifeDomain.FINANCES, LifeDomain.WORK_EDUCATION}


def test_invalid_bsn_on_the_form_names_the_field_in_dutch_and_saves_nothing(world, client_for):
    response = client_for(world.alice).post(reverse("cases:new"), {**INTAKE, "bsn": "123456789"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "BSN: Dit is geen geldig BSN" in body
    assert not Household.objects.exists() and not Case.objects.exists()


def test_worker_sees_own_case_and_read_is_logged(world, client_for):
    case = household_case(world)
    response = client_for(world.alice).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Jansen" in body
    assert VALID_BSN not in body and "******333" in body  # masked outside the person page
    assert reads(world.alice, case).filter(object_type="cases.case").exists()


def test_team_lead_sees_team_case(world, client_for):
    case = household_case(world)
    assert client_for(world.dave).get(reverse("cases:detail", args=[case.pk])).status_code == 200


@pytest.mark.parametrize("name", ["bob", "carol", "erin", "lars", "pat", "rita", "adam"])
def test_worker_of_other_team_and_non_case_roles_get_404(world, client_for, name):
    case = household_case(world)
    user = getattr(world, name)
    assert client_for(user).get(reverse("cases:detail", args=[case.pk])).status_code == 404
    person = case.household.persons.get()
    assert client_for(user).get(reverse("cases:person", args=[person.pk])).status_code == 404
    assert client_for(user).post(reverse("cases:add_note", args=[case.pk]), {"text": "x"}).status_code == 404
    assert not case.notes.exists()


def test_person_page_shows_full_bsn_and_logs_read(world, client_for):
    case = household_case(world)
    person = case.household.persons.get()
    body = client_for(world.alice).get(reverse("cases:person", args=[person.pk])).content.decode()
    assert VALID_BSN in body
    assert reads(world.alice, case).filter(object_type="cases.person", object_id=str(person.pk)).exists()


def test_case_list_shows_only_own_team_and_logs_each_household(world, client_for):
    mine = household_case(world, name="Jansen")
    other = household_case(world, by=world.bob, team=world.team_b, name="Bakker")
    response = client_for(world.alice).get(reverse("cases:list"))
    body = response.content.decode()
    assert "Jansen" in body and "Bakker" not in body
    assert VALID_BSN not in body
    assert reads(world.alice, mine).exists() and not reads(world.alice, other).exists()


def test_case_list_filters_and_searches(world, client_for):
    household_case(world, name="Jansen", domains=[LifeDomain.HOUSING], agencies=[])
    household_case(world, name="Pinas", domains=[LifeDomain.JUSTICE], agencies=[2])
    executing = case_in(world, Status.EXECUTION, name="Öztürk")
    c = client_for(world.alice)

    def names(**params):
        body = c.get(reverse("cases:list"), params).content.decode()
        return {n for n in ("Jansen", "Pinas", "Öztürk") if n in body}

    assert names() == {"Jansen", "Pinas", "Öztürk"}
    assert names(q="pin") == {"Pinas"}
    assert names(q="öz") == {"Öztürk"}
    assert names(q=executing.reference) == {"Öztürk"}
    assert names(status="execution") == {"Öztürk"}
    assert names(domain=LifeDomain.JUSTICE.value) == {"Pinas"}
    assert names(agency=2) == {"Pinas"}
    assert names(worker=world.alice.pk) == {"Jansen", "Pinas", "Öztürk"}
    assert names(worker=world.dave.pk) == set()


def test_case_list_paginates_without_counting(world, client_for):
    for i in range(27):
        household_case(world, name=f"Huishouden {i:02d}")
    c = client_for(world.alice)
    first = c.get(reverse("cases:list")).context
    assert len(first["cases"]) == 25 and first["has_next"]
    second = c.get(reverse("cases:list"), {"page": 2}).context
    assert len(second["cases"]) == 2 and not second["has_next"]


def test_overdue_filter_and_followup_list(world, client_for, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC), tick=False)
    closed = case_in(world, Status.CLOSED, name="Visser")
    household_case(world, name="Mulder")
    time_machine.move_to(datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC), tick=False)
    c = client_for(world.alice)
    body = c.get(reverse("cases:list"), {"overdue": "on"}).content.decode()
    assert "Visser" in body and "Mulder" not in body
    page = c.get(reverse("cases:followups")).content.decode()
    assert "Visser" in page and "te laat" in page
    assert reads(world.alice, closed).filter(purpose="follow-up list").exists()
    # Bob is in another team: nothing due for him, and the team view shows nothing of team A.
    assert (
        "Visser" not in client_for(world.bob).get(reverse("cases:followups"), {"team": "1"}).content.decode()
    )


def test_negative_hours_on_the_form_are_refused_in_dutch(world, client_for):
    case = household_case(world)
    response = client_for(world.alice).post(
        reverse("cases:time", args=[case.pk]), {"hours": "-2", "activity": "household"}
    )
    assert response.status_code == 400
    assert "Uren: Uren moeten meer dan 0 zijn." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_hours_with_a_dutch_decimal_comma(world, client_for):
    case = household_case(world)
    client_for(world.alice).post(
        reverse("cases:time", args=[case.pk]), {"hours": "1,5", "activity": "travel"}
    )
    assert str(TimeEntry.objects.get().hours) == "1.50"


def test_skipped_transition_on_the_form_is_refused_in_dutch(world, client_for):
    case = household_case(world)
    response = client_for(world.alice).post(reverse("cases:move", args=[case.pk]), {"to": "plan"})
    assert response.status_code == 400
    assert "Nieuwe status: Een casus gaat één stap tegelijk vooruit" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.INTAKE


def test_grade_11_on_the_closing_form_is_refused_in_dutch(world, client_for):
    case = case_in(world, Status.EXECUTION)
    response = client_for(world.alice).post(
        reverse("cases:close", args=[case.pk]), {"goal_reached": "yes", "grade": "11", "tone": "positive"}
    )
    assert response.status_code == 400
    assert "Cijfer van de cliënt: Vul een getal van 1 tot en met 10 in." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.EXECUTION


def test_edit_note_page_keeps_history(world, client_for):
    case = household_case(world)
    note = services.add_note(case, by=world.alice, text="Eerst")
    c = client_for(world.alice)
    c.post(reverse("cases:edit_note", args=[case.pk, note.pk]), {"text": "Daarna"})
    body = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Daarna" in body and "Eerst" in body and "Eerdere versies" in body


def test_note_of_other_case_is_404(world, client_for):
    mine = household_case(world)
    other = household_case(world, by=world.bob, team=world.team_b, name="Bakker")
    note = services.add_note(other, by=world.bob, text="geheim")
    response = client_for(world.alice).get(reverse("cases:edit_note", args=[mine.pk, note.pk]))
    assert response.status_code == 404


def test_score_chart_shows_before_and_after(world, client_for):
    case = case_in(world, Status.CLOSED)
    services.record_scores(case, by=world.alice, moment="intake", scores={1: 1, 4: 2})
    services.record_scores(case, by=world.alice, moment="close", scores={1: 4})
    body = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'class="mw-chart__bar mw-chart__bar--after"' in body
    assert 'width="200"' in body  # score 4 after close
    assert "style=" not in body


def test_team_start_page_shows_case_counts_for_members_only(world, client_for):
    case_in(world, Status.PLAN)
    body = client_for(world.alice).get(reverse("team", args=[world.team_a.pk])).content.decode()
    assert "Plan</a>: 1" in body
    assert "Nazorg te laat" in body
    erin = client_for(world.erin).get(reverse("team", args=[world.team_a.pk])).content.decode()
    assert "Nazorg te laat" not in erin
