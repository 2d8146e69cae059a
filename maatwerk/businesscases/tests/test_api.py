import json

import pytest

from maatwerk.accounts.models import AccessLog
from maatwerk.businesscases import services
from maatwerk.businesscases.models import BusinessCaseVersion, ValueTriangle

from .factories import case_for, childcare_plan

API = "/api/v1/businesscases"


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_compute_returns_the_engine_output(world, client_for):
    response = post(client_for(world.alice), f"{API}/compute", childcare_plan())
    assert response.status_code == 200
    body = response.json()
    assert body["expected"]["net"] > 0
    assert "gemeente" in body["by_payer"]


def test_compute_answers_422_naming_the_field_on_a_bad_plan(world, client_for):
    plan = childcare_plan()
    plan["regular_route"][0]["probability"] = 2
    response = post(client_for(world.alice), f"{API}/compute", plan)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "regular_route[0].probability"
    assert "regular_route[0].probability" in body["errors"]


def test_compute_needs_login(client):
    assert post(client, f"{API}/compute", childcare_plan()).status_code == 401


def test_create_list_and_get_versions(world, case, client_for):
    client = client_for(world.alice)
    created = post(client, f"{API}/cases/{case.pk}/versions", {"plan": childcare_plan(), "note": "api"})
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 1
    post(client, f"{API}/cases/{case.pk}/versions", {"plan": childcare_plan(deadweight=0.1)})
    listed = client.get(f"{API}/cases/{case.pk}/versions").json()
    assert [v["number"] for v in listed] == [2, 1]
    one = client.get(f"{API}/cases/{case.pk}/versions/1").json()
    assert one["plan"]["deadweight"] == 0.0 and one["sources"]["PW_NORM_ALL_2024H1"]["confidence"] == "A"


def test_create_version_with_bad_plan_answers_422_with_field(world, case, client_for):
    plan = childcare_plan()
    plan["investments"][0]["amount"] = -5
    response = post(client_for(world.alice), f"{API}/cases/{case.pk}/versions", {"plan": plan})
    assert response.status_code == 422
    assert response.json()["field"] == "investments[0].amount"
    assert not BusinessCaseVersion.objects.exists()


def test_worker_of_other_team_gets_404_in_api(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    bob = client_for(world.bob)
    base = f"{API}/cases/{case.pk}"
    assert bob.get(f"{base}/versions").status_code == 404
    assert bob.get(f"{base}/versions/1").status_code == 404
    assert post(bob, f"{base}/versions", {"plan": childcare_plan()}).status_code == 404
    assert post(bob, f"{base}/versions/1/freeze", {"reason": "x"}).status_code == 404
    assert bob.get(f"{base}/triangle").status_code == 404
    triangle = {"engagement": "e", "legitimacy": "l", "judgement": "j", "verdict": "yes"}
    assert post(bob, f"{base}/triangle", triangle).status_code == 404
    assert BusinessCaseVersion.objects.count() == 1


def test_only_team_lead_freezes_through_the_api(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    path = f"{API}/cases/{case.pk}/versions/1/freeze"
    assert post(client_for(world.alice), path, {"reason": "x"}).status_code == 403
    response = post(client_for(world.dave), path, {"reason": "Bestedingsverzoek 7"})
    assert response.status_code == 200 and response.json()["frozen"] is True
    assert BusinessCaseVersion.objects.get().frozen_reason == "Bestedingsverzoek 7"


def test_triangle_get_and_create(world, case, client_for):
    client = client_for(world.alice)
    assert client.get(f"{API}/cases/{case.pk}/triangle").json() is None
    services.save_version(case, by=world.alice, plan=childcare_plan())
    data = {
        "engagement": "e",
        "legitimacy": "l",
        "legal_basis": "Pw art. 35",
        "judgement": "j",
        "verdict": "doubt",
    }
    created = post(client, f"{API}/cases/{case.pk}/triangle", data)
    assert created.status_code == 201, created.content
    assert created.json()["version_number"] == 1
    latest = client.get(f"{API}/cases/{case.pk}/triangle").json()
    assert latest["verdict"] == "doubt" and latest["rendement"]["version"] == 1
    assert ValueTriangle.objects.count() == 1
    assert post(client, f"{API}/cases/{case.pk}/triangle", {**data, "verdict": "maybe"}).status_code == 422


def test_reads_are_logged(world, case, client_for):
    client_for(world.alice).get(f"{API}/cases/{case.pk}/versions")
    assert AccessLog.objects.filter(action="read", household_id=case.household_id).exists()


def test_openapi_lists_the_endpoints(world, client_for):
    paths = client_for(world.alice).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/businesscases/compute" in paths
    assert "/api/v1/businesscases/cases/{case_id}/versions/{number}/freeze" in paths
