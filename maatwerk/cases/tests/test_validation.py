"""The shared field parsers of maatwerk.validation, the BSN check through python-stdnum, the one form-error
helper and the one "cases this user may see" query."""

import datetime
import json

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from maatwerk import validation as v
from maatwerk.cases import queries, services
from maatwerk.cases.models import Agency, LifeDomain, Person, Status
from maatwerk.forms import NLDSFormMixin, add_service_errors

from .factories import VALID_BSN, household_case

FULL_WIDTH_BSN = "１１１２２２３３３"  # VALID_BSN in full-width digits


@pytest.mark.parametrize("bsn", [VALID_BSN, "1112.22.333", "111 222 333", "123456782"])
def test_valid_bsns_pass_the_check(bsn):
    assert v.is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn",
    [FULL_WIDTH_BSN, "١١١٢٢٢٣٣٣", "111222334", "000000000", "1112223333", "abcdefghi", "111‐222‐333", ""],
    ids=["full-width", "arabic-indic", "checksum", "zeros", "ten", "letters", "unicode-hyphens", "empty"],
)
def test_bsns_that_fail_or_are_not_ascii_digits_are_refused(bsn):
    assert not v.is_valid_bsn(bsn)


def test_an_eight_digit_bsn_is_read_with_a_leading_zero_like_stdnum_does():
    errors: dict = {}
    assert v.parse_bsn("12345611", errors) == "012345611" and not errors


def test_full_width_bsn_is_refused_with_the_dutch_message(world, client_for):
    response = client_for(world.alice).post(
        "/api/v1/households",
        json.dumps(
            {
                "name": "Jansen",
                "persons": [
                    {"first_name": "A", "last_name": "B", "bsn": FULL_WIDTH_BSN, "role": "applicant"}
                ],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["bsn"] == [
        "Dit is geen geldig BSN: het moet uit 9 cijfers bestaan en voldoen aan de elfproef."
    ]
    assert not Person.objects.exists()


def test_bsn_is_stored_compact(world):
    household = services.create_household(
        by=world.alice,
        team=world.team_a,
        name="Jansen",
        persons=[{"first_name": "A", "last_name": "B", "bsn": "1112.22.333", "role": "applicant"}],
    )
    assert household.persons.get().bsn == VALID_BSN


def test_text_parser_strips_bounds_and_refuses_what_is_not_text():
    errors: dict = {}
    assert v.parse_text("  hallo \n", "a", errors) == "hallo"
    assert v.parse_text("x" * (v.MAX_TEXT + 1), "b", errors)
    v.parse_text("abc", "c", errors, max_length=2)
    v.parse_text("", "d", errors, required=True)
    v.parse_text("a\x00b", "e", errors)
    v.parse_text("a\ud800", "f", errors)
    v.parse_text("\U0010ffff", "g", errors)
    v.parse_text(["a list"], "h", errors)
    assert v.parse_text("regel 1\r\n\tregel 2 \U0001f600", "ok", errors) == "regel 1\r\n\tregel 2 \U0001f600"
    assert sorted(errors) == ["b", "c", "d", "e", "f", "g", "h"]


def test_choice_and_picklist_parsers():
    errors: dict = {}
    assert v.parse_choice("plan", Status, "status", errors) == Status.PLAN
    assert v.parse_choice("", Status, "optional", errors, required=False) == ""
    v.parse_choice("nonsense", Status, "bad", errors)
    v.parse_choice(["plan"], Status, "unhashable", errors)
    assert v.parse_picklist([1, "4"], LifeDomain, "domains", errors) == 0b1001
    v.parse_picklist([0], Agency, "zero", errors)
    v.parse_picklist(["x"], Agency, "letters", errors)
    v.parse_picklist("1", Agency, "string", errors)
    assert sorted(errors) == ["bad", "letters", "string", "unhashable", "zero"]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("7", 7),
        (7, 7),
        (7.0, 7),
        ("+7", 7),
        ("7.5", None),
        (7.5, None),
        ("１", None),
        (True, None),
        ("9" * 40, None),
    ],
)
def test_whole_number_parser(value, expected):
    errors: dict = {}
    assert v.parse_int(value, "n", errors, 1, 10**50, required=True) == expected
    assert bool(errors) == (expected is None)


def test_page_and_id_parsers_bound_to_what_a_database_takes():
    errors: dict = {}
    assert v.parse_page(None, errors) == 1 and v.parse_page("3", errors) == 3 and not errors
    v.parse_page("9" * 20, errors)
    assert list(errors) == ["page"]
    errors = {}
    assert v.parse_id(str(2**63 - 1), "id", errors) == 2**63 - 1 and not errors
    assert v.parse_id(2**63, "id", errors) is None and list(errors) == ["id"]
    errors = {}
    assert v.parse_ids(["2", "1", "2"], "ids", errors) == [2, 1] and not errors
    assert v.parse_ids([str(2**70)], "ids", errors) == [] and list(errors) == ["ids"]
    errors = {}
    v.parse_ids(["1"] * (v.MAX_IDS + 1), "ids", errors)
    assert list(errors) == ["ids"]


@pytest.mark.django_db
def test_date_parser_bounds_from_1900_to_two_years_ahead():
    today = timezone.localdate()
    errors: dict = {}
    assert v.parse_date("1900-01-01", "a", errors) == datetime.date(1900, 1, 1)
    assert v.parse_date(v.latest_date(), "b", errors) == v.latest_date()
    assert not errors
    v.parse_date("1899-12-31", "c", errors)
    v.parse_date(v.latest_date() + datetime.timedelta(days=1), "d", errors)
    v.parse_date("0001-01-01", "e", errors)
    v.parse_date("31-12-2020", "f", errors)
    v.parse_date(today, "g", errors, latest=today - datetime.timedelta(days=1))
    assert sorted(errors) == ["c", "d", "e", "f", "g"]


class _Form(NLDSFormMixin, forms.Form):
    text = forms.CharField()


def test_service_errors_land_on_the_field_they_name_and_the_rest_above_the_form():
    form = _Form({"text": "hallo"})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"text": "Te lang.", "unknown": "Regel over velden.", "__all__": "X"})
    )
    assert form.errors["text"] == ["Te lang."]
    assert form.non_field_errors() == ["Regel over velden.", "X"]
    form = _Form({"text": "hallo"})
    form.is_valid()
    form.add_service_errors(ValidationError("Zonder veld."))
    assert form.non_field_errors() == ["Zonder veld."]


@pytest.mark.django_db
def test_visible_cases_is_the_teams_cases_only(world):
    own = household_case(world)
    other = household_case(world, by=world.bob, team=world.team_b, name="Bakker")
    assert list(queries.visible_cases(world.alice)) == [own]
    assert list(queries.visible_cases(world.bob)) == [other]
    assert not queries.visible_cases(world.carol).exists()
    assert not queries.visible_cases(world.erin).exists()


@pytest.mark.django_db
def test_case_filters_are_checked_in_one_place(world):
    with pytest.raises(ValidationError) as exc:
        queries.clean_filters(queries.CaseFilter(q="\ufffd", status="x", domain=0, agency=12, worker=2**64))
    assert set(exc.value.message_dict) == {"q", "status", "domain", "agency", "worker"}
    assert queries.clean_filters(queries.CaseFilter(q="  Jansen ")).q == "Jansen"
