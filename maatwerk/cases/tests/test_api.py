import datetime
import json

import pytest

from maatwerk.accounts.models import AccessLog
from maatwerk.cases import services
from maatwerk.cases.models import Case, FollowUp, Household, Status, TimeEntry

from .factories import VALID_BSN, case_in, household_case

pytestmark = pytest.mark.django_db


def post(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def reads(user, case):
    return AccessLog.objects.filter(user=user, action=AccessLog.Action.READ, household_id=case.household_id)


def test_openapi_document_has_the_case_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/status",
        "/api/v1/cases/{case_id}/close",
        "/api/v1/followups",
        "/api/v1/households",
    ):
        assert path in paths


def test_worker_walks_a_case_through_the_api(world, client_for, time_machine):
    c = client_for(world.alice)
    household = post(
        c,
        "/api/v1/households",
        {
            "name": "El Amrani",
            "persons": [
                {
                    "first_name": "Yasmina",
                    "last_name": "El Amrani",
                    "bsn": VALID_BSN,
                    "birth_year": 1985,
                    "role": "applicant",
                },
                {"first_name": "Sami", "last_name": "El Amrani", "birth_year": 2008, "role": "child"},
            ],
        },
    )
    assert household.status_code == 201, household.content
    assert household.json()["persons"][0]["bsn_masked"] == "******333"
    assert VALID_BSN not in household.content.decode()
    case = post(
        c,
        "/api/v1/cases",
        {
            "household_id": household.json()["id"],
            "vastloper": "Zoon wordt 18",
            "domains": [1, 2],
            "agencies": [4, 6],
            "goal": "Studiefinanciering regelen",
        },
    )
    assert case.status_code == 201, case.content
    cid = case.json()["id"]
    assert case.json()["agencies"] == [4, 6]
    assert post(c, f"/api/v1/cases/{cid}/notes", {"text": "Eerste gesprek"}).status_code == 201
    assert post(c, f"/api/v1/cases/{cid}/time", {"hours": "2.5", "activity": "household"}).status_code == 201
    assert (
        post(
            c,
            f"/api/v1/cases/{cid}/scores",
            {"moment": "intake", "scores": {"1": 2, "2": None}},
            method="put",
        ).status_code
        == 200
    )
    assert (
        post(
            c,
            f"/api/v1/cases/{cid}/mdt",
            {
                "question": "Overbrugging?",
                "held_on": "2026-02-01",
                "participants": [{"role": "consulent", "organisation": "DUO"}],
            },
        ).status_code
        == 201
    )
    for step in ("analysis", "plan", "execution"):
        assert post(c, f"/api/v1/cases/{cid}/status", {"to": step}).json()["status"] == step
    closed = post(
        c,
        f"/api/v1/cases/{cid}/close",
        {"goal_reached": "partly", "grade": 8, "quote": "Fijn", "quote_consent": False, "tone": "mixed"},
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["feedback"]["grade"] == 8
    first = closed.json()["followups"][0]
    too_early = post(c, f"/api/v1/followups/{first['id']}", {"back_in_trouble": False})
    assert too_early.status_code == 422
    opens_on = datetime.date.fromisoformat(first["opens_on"])
    time_machine.move_to(datetime.datetime.combine(opens_on, datetime.time(12)))
    c = client_for(world.alice)  # a new login: the session of months ago has expired
    done = post(c, f"/api/v1/followups/{first['id']}", {"back_in_trouble": False, "kept_home": True})
    assert done.status_code == 200, done.content
    assert c.get(f"/api/v1/cases/{cid}").json()["status"] == "aftercare"
    listing = c.get("/api/v1/cases").json()
    assert [i["id"] for i in listing["items"]] == [cid] and listing["has_next"] is False


def test_api_other_team_gets_404_everywhere(world, client_for):
    case = case_in(world, Status.CLOSED)
    person = case.household.persons.get()
    followup = case.followups.first()
    for user in (world.bob, world.carol, world.erin, world.pat):
        c = client_for(user)
        assert c.get(f"/api/v1/cases/{case.pk}").status_code == 404
        assert c.get(f"/api/v1/households/{case.household_id}").status_code == 404
        assert c.get(f"/api/v1/persons/{person.pk}").status_code == 404
        assert post(c, f"/api/v1/cases/{case.pk}/notes", {"text": "x"}).status_code == 404
        assert post(c, f"/api/v1/followups/{followup.pk}", {"back_in_trouble": True}).status_code == 404
        assert c.get("/api/v1/cases").json()["items"] == []
    assert not case.notes.exists()
    assert FollowUp.objects.get(pk=followup.pk).done_on is None


def test_api_cannot_create_household_in_other_team(world, client_for):
    response = post(client_for(world.alice), "/api/v1/households", {"team_id": world.team_b.pk, "name": "X"})
    assert response.status_code == 404
    assert not Household.objects.exists()


def test_api_reads_are_logged(world, client_for):
    case = household_case(world)
    c = client_for(world.alice)
    c.get(f"/api/v1/cases/{case.pk}")
    c.get("/api/v1/cases")
    person = case.household.persons.get()
    assert c.get(f"/api/v1/persons/{person.pk}").json()["bsn"] == VALID_BSN
    purposes = set(reads(world.alice, case).values_list("purpose", flat=True))
    assert {"api case detail", "api case list", "api person (BSN shown)"} <= purposes


def test_api_invalid_bsn_is_422_in_dutch(world, client_for):
    response = post(
        client_for(world.alice),
        "/api/v1/households",
        {
            "name": "X",
            "persons": [{"first_name": "A", "last_name": "B", "bsn": "123456789", "role": "applicant"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"]["bsn"][0].startswith("Dit is geen geldig BSN")
    assert not Household.objects.exists()


def test_api_negative_hours_is_422_in_dutch(world, client_for):
    case = household_case(world)
    response = post(
        client_for(world.alice), f"/api/v1/cases/{case.pk}/time", {"hours": "-1", "activity": "mdt"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"hours": ["Uren moeten meer dan 0 zijn."]}
    assert not TimeEntry.objects.exists()


def test_api_skipped_transition_is_422_in_dutch(world, client_for):
    case = household_case(world)
    response = post(client_for(world.alice), f"/api/v1/cases/{case.pk}/status", {"to": "execution"})
    assert response.status_code == 422
    assert response.json()["errors"]["to"][0].startswith("Een casus gaat één stap tegelijk vooruit")
    assert Case.objects.get(pk=case.pk).status == Status.INTAKE


def test_api_grade_11_is_422_in_dutch(world, client_for):
    case = case_in(world, Status.EXECUTION)
    response = post(
        client_for(world.alice),
        f"/api/v1/cases/{case.pk}/close",
        {"goal_reached": "yes", "grade": 11, "tone": "positive"},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["grade"] == ["Vul een getal van 1 tot en met 10 in."]
    assert Case.objects.get(pk=case.pk).status == Status.EXECUTION


def test_api_edit_note_keeps_revisions(world, client_for):
    case = household_case(world)
    note = services.add_note(case, by=world.alice, text="oud")
    response = post(
        client_for(world.dave), f"/api/v1/cases/{case.pk}/notes/{note.pk}", {"text": "nieuw"}, method="put"
    )
    assert response.json()["text"] == "nieuw"
    assert response.json()["revisions"][0]["text"] == "oud"


def test_api_case_list_filters_and_pages(world, client_for):
    for i in range(3):
        household_case(world, name=f"Bos {i}")
    case_in(world, Status.PLAN, name="Smit")
    c = client_for(world.alice)
    page = c.get("/api/v1/cases", {"per_page": 2}).json()
    assert len(page["items"]) == 2 and page["has_next"]
    assert [i["household_name"] for i in c.get("/api/v1/cases", {"status": "plan"}).json()["items"]] == [
        "Smit"
    ]
    assert len(c.get("/api/v1/cases", {"q": "bos"}).json()["items"]) == 3


def test_api_followup_list_is_paged_scoped_and_logged(world, client_for, time_machine):
    import datetime

    time_machine.move_to(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC), tick=False)
    case = case_in(world, Status.CLOSED)
    time_machine.move_to(datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC), tick=False)
    mine = client_for(world.alice).get("/api/v1/followups").json()
    assert [i["case_id"] for i in mine["items"]] == [case.pk] and mine["has_next"] is False
    assert client_for(world.bob).get("/api/v1/followups", {"team": True}).json()["items"] == []
    assert reads(world.alice, case).filter(purpose="api follow-up list").exists()
