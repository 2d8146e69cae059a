"""The API's error answers: one mapping per exception, and every operation declares what it can answer."""

import json

import pytest

from maatwerk.api.urls import api
from maatwerk.barriers.tests.factories import childcare_data

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
OPERATIONS = [(m.upper(), path, op) for path, ops in DOCUMENT["paths"].items() for m, op in ops.items()]


def _error_schemas(response: dict) -> list[str]:
    schema = response["content"]["application/json"]["schema"]
    refs = [schema] + schema.get("anyOf", [])
    return [r["$ref"].rsplit("/", 1)[-1] for r in refs if "$ref" in r]


def test_error_schema_is_what_the_handlers_answer():
    error = DOCUMENT["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "errors"}


@pytest.mark.parametrize("method,path,op", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_declares_its_error_answers(method, path, op):
    codes = set(op["responses"])
    assert 401 in codes, "every operation needs a login or a token"
    if op.get("parameters") or "requestBody" in op:
        assert 422 in codes
    if "{" in path:
        assert 404 in codes
    if "requestBody" in op:
        assert 400 in codes
    if method != "GET":
        assert 403 in codes
    for code in codes - {200, 201, 204}:
        assert "Error" in _error_schemas(op["responses"][code]), f"{code} of {method} {path}"


def test_permission_denied_from_a_service_is_a_dutch_403_with_its_reason(world, client_for):
    # The barrier service refuses a policy maker; the one handler in base.py turns that into JSON.
    data = childcare_data()
    data["risk_date"] = data["risk_date"].isoformat()
    response = client_for(world.erin).post(
        "/api/v1/barriers", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Alleen sociaal werkers, teamleiders en rechtmatigheidstoetsers registreren knelpunten."
    }
