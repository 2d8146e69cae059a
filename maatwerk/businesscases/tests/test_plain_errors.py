"""Business-case errors in plain Dutch: the field in words, the message without engine notation.

A social worker reads "Investering 2, bedrag", not ``investments[1].amount``, and never ``low <= mode <=
high``; the API keeps the path in ``field`` beside the Dutch ``message``.
"""

import json

import pytest
from django.urls import reverse

from maatwerk.businesscases import editor as ed
from maatwerk.businesscases import engine
from maatwerk.businesscases.presentation import field_label, plan_error_message, plan_error_text

from .factories import case_for, childcare_plan
from .test_views import childcare_form

API = "/api/v1/businesscases"
ORDER = "De laagste waarde mag niet hoger zijn dan de waarschijnlijkste, en die niet hoger dan de hoogste."
# Engine notation that must not reach a reader.
NOTATION = ("low", "mode", "high", "≤", "<=", "[", "]", "start_month", "investments", "regular_route")


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("investments[1].amount", "Investering 2, bedrag"),
        ("regular_route[0].probability", "Reguliere route, regel 1, kans"),
        ("maatwerk_route[2].amount.low", "Maatwerkroute, regel 3, laagste bedrag"),
        ("regular_route[0].amount.high", "Reguliere route, regel 1, hoogste bedrag"),
        ("investments[0].months", "Investering 1, aantal maanden"),
        ("investments[0]", "Investering 1"),
        ("regular_route", "Reguliere route"),
        ("horizon_months", "Horizon (maanden)"),
        ("hourly_rate", "Uurtarief van het team (€)"),
        ("draws", "Aantal simulaties"),
        ("plan", "Het plan"),
        ("monthly.regular_route[3]", "De opgeslagen uitkomst"),
    ],
)
def test_a_field_path_reads_as_words(path, words):
    assert field_label(path) == words


def test_an_unknown_key_is_named_as_it_was_sent():
    assert field_label("investments[0].colour") == "Investering 1, “colour”"


def test_the_order_of_low_mode_and_high_is_explained_in_a_sentence():
    plan = childcare_plan()
    plan["regular_route"][0]["amount"] = {"low": 2000, "mode": 1000, "high": 3000}
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(plan)
    assert caught.value.field == "regular_route[0].amount"
    assert plan_error_message(caught.value) == ORDER
    assert plan_error_text(caught.value) == f"Reguliere route, regel 1, bedrag: {ORDER[0].lower()}{ORDER[1:]}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": {"low": 1, "mode": 2}}, "regular_route[0].amount.high"),
        ({"amount": {"low": 1, "mode": 2, "high": 3, "max": 4}}, "regular_route[0].amount.max"),
        ({"amount": True}, "regular_route[0].amount"),
        ({"per": "week"}, "regular_route[0].per"),
        ({"month": 5}, "regular_route[0].month"),
        ({"per": "once", "months": 3}, "regular_route[0].months"),
        ({"payer": ""}, "regular_route[0].payer"),
        ({"probability": 2}, "regular_route[0].probability"),
        ({"colour": "red"}, "regular_route[0].colour"),
    ],
)
def test_every_flow_error_reads_without_engine_notation(change, field):
    plan = childcare_plan()
    plan["regular_route"][0].update(change)
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(plan)
    assert caught.value.field == field
    message = caught.value.message
    # The JSON keys may stand in brackets for whoever writes the plan; the sentence itself is Dutch.
    sentence = message.split("(")[0]
    assert not [word for word in NOTATION if word in sentence], message


# --- the editor -----------------------------------------------------------------------------------------


def test_the_editor_shows_the_order_of_a_spread_in_dutch_on_the_row_it_concerns(world, case, client_for):
    data = childcare_form()
    data.update({"regular_route-0-low": "2000", "regular_route-0-high": "3000"})  # low above 1283,83
    response = client_for(world.alice).post(
        reverse("businesscases:editor", kwargs={"case_id": case.pk}), {**data, "action": "calculate"}
    )
    assert response.status_code == 400
    row = response.context["editor"].formsets["regular_route"].forms[0]
    assert row.errors["amount"] == [ORDER]
    page = response.content.decode()
    assert ORDER in page
    assert "low ≤ mode" not in page and "regular_route[0]" not in page


def test_the_live_preview_names_the_row_in_words(world, case, client_for):
    data = childcare_form()
    data.update({"regular_route-0-low": "2000", "regular_route-0-high": "3000"})
    response = client_for(world.alice).post(
        reverse("businesscases:preview", kwargs={"case_id": case.pk}), data
    )
    assert response.status_code == 200
    assert f"Reguliere route, regel 1 — Bedrag (€): {ORDER}" in response.context["errors"]


def test_an_engine_error_without_a_form_field_names_the_field_in_words():
    editor = ed.Editor(childcare_form())
    assert editor.is_valid()
    editor.apply_plan_error(engine.PlanError("regular_route[0].colour", "is geen veld van een regel"))
    editor.apply_plan_error(engine.PlanError("draws", "mag bij 3 regels hoogstens 10 zijn"))
    row = editor.formsets["regular_route"].forms[0]
    assert row.non_field_errors() == ["Reguliere route, regel 1, “colour”: is geen veld van een regel."]
    assert editor.params.non_field_errors() == ["Aantal simulaties: mag bij 3 regels hoogstens 10 zijn."]


# --- the API --------------------------------------------------------------------------------------------


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_api_keeps_the_path_and_adds_the_dutch_message(world, client_for):
    plan = childcare_plan()
    plan["investments"].append({"label": "Fiets", "amount": -5})
    response = post(client_for(world.alice), f"{API}/compute", plan)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "investments[1].amount"
    assert body["message"] == "Investering 2, bedrag: mag niet negatief zijn bij een investering."
    assert body["errors"] == {"investments[1].amount": ["mag niet negatief zijn bij een investering"]}
    assert body["detail"] == "Het plan is niet geldig."


def test_saving_a_version_with_a_bad_spread_answers_in_dutch(world, case, client_for):
    plan = childcare_plan()
    plan["regular_route"][0]["amount"] = {"low": 2000, "mode": 1000, "high": 3000}
    response = post(client_for(world.alice), f"{API}/cases/{case.pk}/versions", {"plan": plan})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "regular_route[0].amount"
    assert body["message"].startswith("Reguliere route, regel 1, bedrag: de laagste waarde mag niet hoger")
