"""Input that answered 500 (issue 10, point 2): each now answers a 4xx in Dutch that names the field, on the
web pages and in the API alike, and nothing is saved."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.cases import services
from maatwerk.cases.models import Household, Note, Person
from maatwerk.validation import MAX_PERSONS, MAX_TEXT

from .factories import household_case

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = "9" * 20
LIST = "/casussen/"
API_LIST = "/api/v1/cases"


def post_json(client, url, body, method="post"):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def alice(world, client_for):
    return client_for(world.alice)


@pytest.fixture
def case(world):
    return household_case(world)


# --- the case lists -------------------------------------------------------------------------------------


def test_blank_search_is_no_search_on_the_page_and_in_the_api(alice, case):
    page = alice.get(LIST, {"q": " "})
    assert page.status_code == 200 and case.reference in page.content.decode()
    api = alice.get(API_LIST, {"q": " "})
    assert api.status_code == 200 and [c["id"] for c in api.json()["items"]] == [case.pk]


@pytest.mark.parametrize(
    "raw",
    ["%F4%8F%BF%BF", "a%F4%8F%BF%BF", "%ED%A0%80", "Jan%ED%A0%80", "%EF%BF%BF", "%00"],
    ids=["U+10FFFF", "U+10FFFF-last", "lone-surrogate", "surrogate-last", "U+FFFF", "NUL"],
)
def test_search_with_a_character_that_is_not_text_gets_a_dutch_400_naming_the_field(alice, case, raw):
    page = alice.get(f"{LIST}?q={raw}")
    assert page.status_code == 400
    body = page.content.decode()
    # Django's form field refuses NUL itself, with its own Dutch message.
    assert "Zoeken:" in body and ("is geen tekst" in body or "Null-tekens" in body)
    assert case.reference not in body
    api = alice.get(f"{API_LIST}?q={raw}")
    assert api.status_code == 422
    assert "is geen tekst" in api.json()["errors"]["q"][0]


def test_a_search_longer_than_a_household_name_is_refused(alice):
    assert alice.get(LIST, {"q": "a" * 121}).status_code == 400
    assert "q" in alice.get(API_LIST, {"q": "a" * 121}).json()["errors"]


@pytest.mark.parametrize("field", ["domain", "agency"])
@pytest.mark.parametrize("value", ["-1", "0", "14", "99", TWENTY_DIGITS])
def test_domain_or_agency_out_of_range_gets_a_dutch_error_on_that_field(alice, case, field, value):
    page = alice.get(LIST, {field: value})
    assert page.status_code == 400
    body = page.content.decode()
    label = {"domain": "Leefgebied", "agency": "Instantie"}[field]
    assert f"{label}:" in body and case.reference not in body
    api = alice.get(API_LIST, {field: value})
    assert api.status_code == 422
    assert list(api.json()["errors"]) == [field]


def test_a_domain_and_agency_in_range_still_filter(alice, case):
    assert alice.get(API_LIST, {"domain": 1, "agency": 1}).json()["items"][0]["id"] == case.pk
    assert alice.get(API_LIST, {"domain": 13}).json()["items"] == []


def test_worker_as_a_twenty_digit_number_gets_a_dutch_error(alice, case):
    page = alice.get(LIST, {"worker": TWENTY_DIGITS})
    assert page.status_code == 400 and "Casusregisseur:" in page.content.decode()
    api = alice.get(API_LIST, {"worker": TWENTY_DIGITS})
    assert api.status_code == 422 and list(api.json()["errors"]) == ["worker"]


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "0", "-3", "abc", "１"])
@pytest.mark.parametrize("url", [LIST, "/casussen/nazorg/"])
def test_page_that_is_not_a_page_number_gets_a_dutch_400_on_the_lists(alice, case, url, value):
    response = alice.get(url, {"page": value})
    assert response.status_code == 400
    assert "Pagina:" in response.content.decode()


@pytest.mark.parametrize(
    "url,param",
    [
        (API_LIST, "page"),
        (API_LIST, "per_page"),
        ("/api/v1/followups", "page"),
        ("/api/v1/barriers", "page"),
        ("/api/v1/barriers", "per_page"),
    ],
)
def test_api_page_and_per_page_as_twenty_digit_numbers_get_a_422(alice, case, url, param):
    response = alice.get(url, {param: TWENTY_DIGITS})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [param]


def test_a_page_past_the_end_is_empty_not_an_error(alice, case):
    assert alice.get(LIST, {"page": 10_000}).status_code == 200
    assert alice.get(API_LIST, {"page": 10_000}).json()["items"] == []


def test_barrier_register_page_as_twenty_digits_shows_the_last_page(world, client_for):
    childcare_barrier(world)
    response = client_for(world.alice).get("/knelpunten/", {"page": TWENTY_DIGITS, "worker": TWENTY_DIGITS})
    assert response.status_code == 200


# --- barrier groups -------------------------------------------------------------------------------------


def test_barrier_group_with_an_id_beyond_64_bits_gets_a_422_naming_the_field(world, client_for):
    barrier = childcare_barrier(world)
    response = post_json(
        client_for(world.pat), "/api/v1/barriers/groups", {"barrier_ids": [2**70, barrier.pk]}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["barrier_ids.0"]
    assert not type(barrier).objects.filter(group__isnull=False).exists()


def test_barrier_group_form_with_an_id_beyond_64_bits_shows_the_register_with_an_error(world, client_for):
    barrier = childcare_barrier(world)
    response = client_for(world.pat).post(
        "/knelpunten/samenvoegen/", {"barrier": [str(2**70), str(barrier.pk)]}
    )
    assert response.status_code == 400
    assert "Samen te voegen knelpunten:" in response.content.decode()
    assert not type(barrier).objects.filter(group__isnull=False).exists()


# --- request bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\\ud800", "a\\udc00b", "\\udfff\\ud800"])
@pytest.mark.parametrize("method", ["post", "put"])
def test_note_with_a_lone_surrogate_gets_a_dutch_400_and_is_not_saved(world, alice, case, text, method):
    note = services.add_note(case, by=world.alice, text="Eerste gesprek")
    url = f"/api/v1/cases/{case.pk}/notes" + (f"/{note.pk}" if method == "put" else "")
    response = post_json(alice, url, f'{{"text": "{text}"}}'.encode(), method=method)
    assert response.status_code == 400
    assert response.json()["detail"] == "De inhoud van het verzoek is geen geldige JSON."
    assert list(Note.objects.filter(case=case).values_list("text", flat=True)) == ["Eerste gesprek"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\xff\xfe"}',
        '{"text": "caf\u00e9"}'.encode("latin-1"),
        '{"text": "hallo"}'.encode("utf-16"),
        b'{"name": "Jansen", "persons": [{"first_name": "\\ud83d", "last_name": "J", "role": "applicant"}]}',
        b'{"\\ud800": 1}',
    ],
    ids=["invalid-utf8", "latin-1", "utf-16", "nested-surrogate", "surrogate-key"],
)
@pytest.mark.parametrize("url", ["/api/v1/households", "/api/v1/barriers", "/api/v1/budget/spends"])
def test_body_that_is_not_utf8_json_gets_a_dutch_400_on_every_endpoint(alice, url, body):
    response = alice.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "De inhoud van het verzoek is geen geldige JSON."


def test_utf8_with_a_byte_order_mark_and_real_astral_characters_are_accepted(world, alice, case):
    body = '\ufeff{"text": "Gesprek \U0001f600 met \\ud83d\\ude00"}'.encode()
    response = post_json(alice, f"/api/v1/cases/{case.pk}/notes", body)
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "Gesprek \U0001f600 met \U0001f600"


def test_a_nul_character_in_a_json_body_gets_the_400_on_every_endpoint(alice, case):
    # PostgreSQL refuses NUL in text; the API refuses it before any endpoint sees it.
    response = post_json(alice, f"/api/v1/cases/{case.pk}/notes", {"text": "a\x00b"})
    assert response.status_code == 400
    assert not Note.objects.filter(case=case).exists()


def test_a_nul_character_from_a_form_is_refused_naming_the_field(world, case):
    with pytest.raises(ValidationError) as exc:
        services.add_note(case, by=world.alice, text="a\x00b")
    assert list(exc.value.message_dict) == ["text"]
    assert "U+0000" in exc.value.message_dict["text"][0]


# --- bounds on what a case file holds -------------------------------------------------------------------


def test_a_note_of_a_megabyte_is_refused_on_the_page_and_in_the_api(alice, case):
    huge = "x" * 1_000_000
    api = post_json(alice, f"/api/v1/cases/{case.pk}/notes", {"text": huge})
    assert api.status_code == 422 and list(api.json()["errors"]) == ["text"]
    page = alice.post(f"/casussen/{case.pk}/notities/", {"text": "x" * (MAX_TEXT + 1)})
    assert page.status_code == 400 and "Notitie:" in page.content.decode()
    assert not Note.objects.filter(case=case).exists()


def test_a_note_at_the_bound_is_accepted(alice, case):
    assert post_json(alice, f"/api/v1/cases/{case.pk}/notes", {"text": "x" * MAX_TEXT}).status_code == 201


def test_service_refuses_long_text_in_every_free_text_field(world, case):
    with pytest.raises(ValidationError) as exc:
        services.update_situation(case, by=world.alice, vastloper="x" * (MAX_TEXT + 1), goal="y" * 30_000)
    assert set(exc.value.message_dict) == {"vastloper", "goal"}


def person(i=0, **kw):
    return {"first_name": f"Kind{i}", "last_name": "Jansen", "role": "child", **kw}


def test_a_household_of_five_thousand_persons_is_refused(alice):
    response = post_json(
        alice, "/api/v1/households", {"name": "Jansen", "persons": [person(i) for i in range(5000)]}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["persons"]
    assert not Household.objects.exists()


def test_the_service_caps_persons_per_household_also_one_by_one(world):
    household = services.create_household(
        by=world.alice, team=world.team_a, name="Jansen", persons=[person(i) for i in range(MAX_PERSONS)]
    )
    with pytest.raises(ValidationError) as exc:
        services.add_person(household, by=world.alice, **person(99))
    assert "25" in exc.value.messages[0]
    assert household.persons.count() == MAX_PERSONS


def test_too_many_persons_at_once_is_refused_by_the_service(world):
    with pytest.raises(ValidationError) as exc:
        services.create_household(
            by=world.alice,
            team=world.team_a,
            name="Jansen",
            persons=[person(i) for i in range(MAX_PERSONS + 1)],
        )
    assert list(exc.value.message_dict) == ["persons"]


@pytest.mark.parametrize("year", [1, 1899, 9999])
def test_birth_year_outside_1900_to_this_year_is_refused(alice, year):
    response = post_json(
        alice, "/api/v1/households", {"name": "Jansen", "persons": [person(birth_year=year)]}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["birth_year"]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2999-01-01"])
def test_mdt_date_outside_1900_to_two_years_ahead_is_refused_naming_the_field(alice, case, day):
    payload = {
        "question": "Wie pakt de schuld op?",
        "held_on": day,
        "participants": [{"role": "a", "organisation": "b"}],
    }
    response = post_json(alice, f"/api/v1/cases/{case.pk}/mdt", payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == ["held_on"] and "1 januari 1900" in errors["held_on"][0]


def test_mdt_date_on_the_form_in_the_year_1_is_refused(alice, case):
    response = alice.post(
        f"/casussen/{case.pk}/mdo/",
        {"question": "Wie?", "held_on": "0001-01-01", "role_1": "schuldhulp", "organisation_1": "gemeente"},
    )
    assert response.status_code == 400 and "Datum:" in response.content.decode()
    assert not case.mdt_consultations.exists()


def test_time_registered_in_the_year_1_is_refused(alice, case):
    response = post_json(
        alice, f"/api/v1/cases/{case.pk}/time", {"hours": "1.5", "activity": "household", "day": "0001-01-01"}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["day"]


def test_mdt_with_too_many_or_too_long_participants_is_refused(world, case):
    with pytest.raises(ValidationError) as exc:
        services.record_mdt(
            case,
            by=world.alice,
            question="Wie?",
            held_on=timezone.localdate(),
            participants=[{"role": "r", "organisation": "o"}] * 21,
        )
    assert list(exc.value.message_dict) == ["participants"]
    with pytest.raises(ValidationError):
        services.record_mdt(
            case,
            by=world.alice,
            question="Wie?",
            held_on=timezone.localdate(),
            participants=[{"role": "r" * 101, "organisation": "o"}],
        )


def test_opened_on_in_the_future_or_before_1900_is_refused(world):
    household = services.create_household(by=world.alice, team=world.team_a, name="Jansen")
    for day in (datetime.date(1, 1, 1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.open_case(household, by=world.alice, opened_on=day)
        assert list(exc.value.message_dict) == ["opened_on"]


def test_short_fields_are_bounded_by_their_column(world):
    longest = Person._meta.get_field("first_name").max_length
    with pytest.raises(ValidationError) as exc:
        services.create_household(
            by=world.alice,
            team=world.team_a,
            name="J" * 121,
            persons=[person(first_name="x" * (longest + 1))],
        )
    assert set(exc.value.message_dict) == {"name", "first_name"}
