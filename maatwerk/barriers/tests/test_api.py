import datetime

import pytest

from maatwerk.barriers.models import Barrier, BarrierStatus

from .factories import case_for, childcare_barrier, childcare_data

pytestmark = pytest.mark.django_db
LATER = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def payload(**overrides):
    data = childcare_data(**overrides)
    data["risk_date"] = data["risk_date"].isoformat()
    data["agencies"] = [int(a) for a in data["agencies"]]
    return data


def test_api_register_from_case_escalate_answer_close(world, client_for):
    case = case_for(world)
    c = client_for(world.alice)
    response = c.post(
        "/api/v1/barriers",
        {**payload(), "case_id": case.pk, "cost_at_stake": "12500.00"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["households_hit"] == 1 and body["cost_at_stake"] == "12500.00"
    assert body["own_links"][0]["case_id"] == case.pk
    bid = body["id"]
    lars = client_for(world.lars)
    refused = lars.post(
        f"/api/v1/barriers/{bid}/escalations",
        {"level": "national", "to": "LML", "due_date": LATER},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "level" in refused.json()["errors"]
    closed = c.post(
        f"/api/v1/barriers/{bid}/close", {"status": "solved_case"}, content_type="application/json"
    )
    assert closed.status_code == 422 and "status" in closed.json()["errors"]
    esc = lars.post(
        f"/api/v1/barriers/{bid}/escalations",
        {"level": "municipality", "to": "MWF", "due_date": LATER},
        content_type="application/json",
    )
    assert esc.status_code == 201
    ans = lars.post(
        f"/api/v1/barriers/escalations/{esc.json()['id']}/answer",
        {"answer": "Kan", "decision": "solved_case"},
        content_type="application/json",
    )
    assert ans.status_code == 200
    closed = c.post(
        f"/api/v1/barriers/{bid}/close", {"status": "solved_case"}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == BarrierStatus.SOLVED_CASE


def test_api_other_municipality_gets_404_and_other_team_no_links(world, client_for):
    barrier = childcare_barrier(world, case=case_for(world))
    assert client_for(world.carol).get(f"/api/v1/barriers/{barrier.pk}").status_code == 404
    body = client_for(world.bob).get(f"/api/v1/barriers/{barrier.pk}").json()
    assert body["own_links"] == [] and body["households_hit"] == 1


def test_api_validation_errors_are_dutch_and_nothing_saved(world, client_for):
    response = client_for(world.alice).post(
        "/api/v1/barriers", {**payload(), "type": "x", "title": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["title"] == ["Dit veld is verplicht."]
    assert Barrier.objects.count() == 0


def test_api_programme_national_and_merge(world, client_for):
    a = childcare_barrier(world, case=case_for(world))
    b = childcare_barrier(world, by=world.carol)
    pat = client_for(world.pat)
    assert pat.post("/api/v1/barriers", payload(), content_type="application/json").status_code == 403
    merged = pat.post(
        "/api/v1/barriers/groups",
        {"barrier_ids": [a.pk, b.pk], "title": "Verrekening"},
        content_type="application/json",
    )
    assert merged.status_code == 201
    rows = pat.get("/api/v1/barriers/national").json()
    assert rows[0]["municipalities"] == ["Eindhoven", "Utrecht"] and rows[0]["households_hit"] == 1
    assert client_for(world.erin).get("/api/v1/barriers/national").status_code == 403
    assert (
        client_for(world.erin)
        .post("/api/v1/barriers/groups", {"barrier_ids": [a.pk, b.pk]}, content_type="application/json")
        .status_code
        == 404
    )


def test_api_researcher_has_no_access(world, client_for):
    assert client_for(world.rita).get("/api/v1/barriers").status_code == 403


def test_openapi_document_lists_the_barrier_endpoints(world, client_for):
    paths = client_for(world.alice).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/barriers" in paths and "/api/v1/barriers/{barrier_id}/escalations" in paths
