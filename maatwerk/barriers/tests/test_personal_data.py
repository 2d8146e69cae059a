"""No personal data in the barrier register (issue #10, point 4): the light check at entry, in the
service, the pages and the API alike."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier
from maatwerk.lib.anonymize.check import find_personal_data, mask_personal_data, name_candidates

from .factories import case_for, childcare_barrier, childcare_data

TEXTS = json.loads((Path(__file__).parent / "data" / "barrier_texts.json").read_text(encoding="utf-8"))
# The probes of the issue, as typed into the register.
PROBES = {
    "spaced BSN": ("description", "Mevrouw haar BSN is 123 456 782.", "een BSN ('123 456 782')"),
    "dotted BSN": ("risk", "Zie 1234.56.782 in het dossier.", "een BSN ('1234.56.782')"),
    "address": (
        "solution_asked",
        "Post naar Kerkstraat 12 sturen.",
        "een adres met huisnummer ('Kerkstraat 12')",
    ),
    "mobile number": ("description", "Bereikbaar op 06-12345678.", "een telefoonnummer ('06-12345678')"),
    "+31 number": ("title", "Bellen naar +31 6 1234 5678", "een telefoonnummer ('+31 6 1234 5678')"),
    "titled name": ("description", "Het gaat om mevrouw Jansen.", "een naam ('mevrouw Jansen')"),
}


@pytest.mark.parametrize("text", TEXTS["ordinary"])
def test_ordinary_barrier_texts_pass_the_check(text):
    assert find_personal_data(text) == []


@pytest.mark.parametrize("case", TEXTS["personal"], ids=lambda c: c["kind"])
def test_each_kind_of_personal_data_is_found(case):
    found = find_personal_data(case["text"])
    assert [(f.kind, f.text) for f in found] == [(case["kind"], case["found"])]
    assert case["found"] not in mask_personal_data(case["text"], found)


def test_known_names_are_found_in_any_case_and_only_as_whole_words():
    found = find_personal_data("De familie zwanenburg; Zwanenburgerdijk geldt niet.", ["Zwanenburg"])
    assert [f.text for f in found] == ["zwanenburg"]


def test_name_candidates_are_the_word_runs_ending_in_a_capital():
    assert {"de vries", "vries", "el amrani"} <= name_candidates("Gezin de Vries en El Amrani, bij het UWV.")
    assert "bij" not in name_candidates("Gezin de Vries en El Amrani, bij het UWV.")


def test_the_light_check_loads_no_deduce():
    code = (
        "import sys; from maatwerk.lib.anonymize.check import find_personal_data; "
        "find_personal_data('mevrouw Jansen, BSN 123 456 782, Kerkstraat 12'); "
        "print(any(m == 'deduce' or m.startswith('deduce.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.django_db
@pytest.mark.parametrize("probe", PROBES, ids=str)
def test_register_refuses_each_probe_naming_field_and_finding(world, probe):
    field, text, said = PROBES[probe]
    with pytest.raises(ValidationError) as exc:
        services.register_barrier(by=world.alice, **childcare_data(**{field: text}))
    assert set(exc.value.message_dict) == {field}
    message = exc.value.message_dict[field][0]
    assert f"bevat {said}" in message and "Haal persoonsgegevens weg" in message
    assert Barrier.objects.count() == 0


@pytest.mark.django_db
def test_message_names_the_field_and_every_finding(world):
    with pytest.raises(ValidationError) as exc:
        services.register_barrier(
            by=world.alice, **childcare_data(description="BSN 123 456 782, bel 06-12345678, Kerkstraat 12")
        )
    assert exc.value.message_dict["description"] == [
        "Omschrijving: bevat een BSN ('123 456 782'), een telefoonnummer ('06-12345678') en een adres met "
        "huisnummer ('Kerkstraat 12'). Haal persoonsgegevens weg; beschrijf de regel, niet het huishouden."
    ]


@pytest.mark.django_db
def test_household_names_of_the_workers_own_team_are_refused_not_those_of_other_teams(world):
    case_for(world, by=world.bob, team=world.team_b, name="Visser", first_name="Kees", bsn="")
    with pytest.raises(ValidationError) as exc:
        services.register_barrier(by=world.bob, **childcare_data(description="Gezin Visser loopt vast."))
    assert "een naam ('Visser')" in exc.value.message_dict["description"][0]
    # Alice (team A) has no household Visser: the word is no name she could have copied from a case.
    services.register_barrier(by=world.alice, **childcare_data(description="Gezin Visser loopt vast."))


@pytest.mark.django_db
def test_update_refuses_personal_data_of_households_linked_by_another_team(world):
    barrier = childcare_barrier(world, case=case_for(world))
    bob_case = case_for(
        world, by=world.bob, team=world.team_b, name="Oosterhout", first_name="Gerrit", bsn=""
    )
    services.link_case(barrier, bob_case, by=world.bob)
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(barrier, by=world.alice, risk="Gerrit raakt zijn huis kwijt.")
    assert "een naam ('Gerrit')" in exc.value.message_dict["risk"][0]


@pytest.mark.django_db
def test_escalation_and_answer_texts_are_checked_too(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.escalate_barrier(
            barrier,
            by=world.alice,
            level="team",
            to="Teamleider",
            due_date="2099-01-01",
            question="Bel 0612345678",
        )
    assert "telefoonnummer" in exc.value.message_dict["question"][0]


@pytest.mark.django_db
def test_programme_cannot_give_a_group_a_title_with_personal_data(world):
    a = childcare_barrier(world)
    b = childcare_barrier(world, by=world.carol)
    with pytest.raises(ValidationError) as exc:
        services.merge_into_group([a, b], by=world.pat, title="Signaal mevrouw Jansen")
    assert "naam" in exc.value.message_dict["title"][0]


@pytest.mark.django_db
def test_page_shows_the_finding_at_the_field_and_saves_nothing(world, client_for):
    data = childcare_data(description="Bel haar op +31 6 1234 5678.")
    data["agencies"] = [str(a) for a in data["agencies"]]
    data["risk_date"] = data["risk_date"].isoformat()
    response = client_for(world.alice).post(reverse("barriers:new"), data)
    body = response.content.decode()
    assert response.status_code == 200 and 'aria-invalid="true"' in body
    assert "bevat een telefoonnummer (&#x27;+31 6 1234 5678&#x27;)" in body
    assert Barrier.objects.count() == 0


@pytest.mark.django_db
def test_api_answers_422_with_the_message_per_field(world, client_for):
    barrier = childcare_barrier(world)
    response = client_for(world.alice).patch(
        f"/api/v1/barriers/{barrier.pk}",
        {"description": "Mw. De Wit, Kerkstraat 12", "title": "BSN 1234.56.782"},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"description", "title"}
    assert "een naam ('Mw. De Wit')" in errors["description"][0]
    assert "een adres met huisnummer ('Kerkstraat 12')" in errors["description"][0]
    assert errors["title"][0].startswith("Titel: bevat een BSN ('1234.56.782')")
    barrier.refresh_from_db()
    assert "Kerkstraat" not in barrier.description
