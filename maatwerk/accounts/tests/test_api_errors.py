"""The API's error answers: fields named, sentences in the user's language (Dutch by default)."""

import json

import pytest
from django.test import override_settings
from django.utils import translation

from maatwerk.api.base import error_message
from maatwerk.budgets.tests.factories import make_case


@pytest.mark.parametrize(
    ("error", "dutch"),
    [
        ({"type": "missing"}, "Dit veld is verplicht."),
        ({"type": "int_parsing"}, "Voer een geheel getal in."),
        ({"type": "string_too_long", "ctx": {"max_length": 140}}, "Gebruik maximaal 140 tekens."),
        ({"type": "greater_than", "ctx": {"gt": 0}}, "Moet groter zijn dan 0."),
        (
            {"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}},
            "Kies een van de toegestane waarden: 'a' or 'b'.",
        ),
        ({"type": "value_error", "ctx": {"error": "Dit is geen geldig BSN."}}, "Dit is geen geldig BSN."),
        ({"type": "something_new_in_pydantic"}, "Deze waarde is niet geldig."),
        ({"type": "string_too_long", "ctx": {}}, "Deze waarde is niet geldig."),  # context missing
    ],
)
def test_pydantic_errors_become_dutch_sentences(error: dict, dutch: str) -> None:
    with translation.override("nl"):
        assert error_message(error) == dutch


def test_english_is_kept_for_an_english_user() -> None:
    with translation.override("en"):
        assert error_message({"type": "missing"}) == "This field is required."


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="nl")
def test_type_errors_in_a_payload_name_the_field_in_dutch(world, client_for) -> None:
    case = make_case(world.team_a)
    alice = client_for(world.alice)
    r = alice.post(
        f"/api/v1/cases/{case.pk}/time",
        json.dumps({"hours": "veel", "day": "morgen"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors == {
        "hours": ["Voer een getal in, bijvoorbeeld 12.50."],
        "activity": ["Dit veld is verplicht."],
        "day": ["Voer een datum in als JJJJ-MM-DD."],
    }
    assert r.json()["detail"] == "De invoer is niet geldig."


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="nl")
def test_a_body_that_is_not_json_gets_a_dutch_answer(world, client_for) -> None:
    case = make_case(world.team_a)
    r = client_for(world.alice).post(f"/api/v1/cases/{case.pk}/time", "{", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"detail": "De inhoud van het verzoek is geen geldige JSON."}


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"{", b'{"text": "caf\xe9"}', b'{"text": "a\\ud800b"}'])
def test_a_bad_body_gets_the_dutch_answer_also_with_debug_on(world, client_for, settings, body) -> None:
    # With DEBUG on (as under `make run`) django-ninja appends its English reason to the message.
    settings.DEBUG = True
    case = make_case(world.team_a)
    r = client_for(world.alice).post(f"/api/v1/cases/{case.pk}/notes", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"detail": "De inhoud van het verzoek is geen geldige JSON."}
