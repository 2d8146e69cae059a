"""SEPA text and identifiers: whatever goes in, what comes out is what a bank accepts."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maatwerk.lib.sepa import (
    ID_PATTERN,
    TEXT_PATTERN,
    pain_001_errors,
    pain_001_schema,
    sepa_amount,
    sepa_id,
    sepa_text,
)


@given(st.text(), st.integers(min_value=1, max_value=140))
def test_any_unicode_becomes_sepa_text_within_the_length(value, max_length):
    text = sepa_text(value, max_length)
    assert TEXT_PATTERN.fullmatch(text)
    assert 1 <= len(text) <= max_length
    assert text == text.strip() and "  " not in text


@given(st.text())
def test_any_unicode_becomes_a_sepa_identifier(value):
    ident = sepa_id(value)
    assert ID_PATTERN.fullmatch(ident)
    assert 1 <= len(ident) <= 35


@given(st.text(alphabet="abcXYZ019 .,-", min_size=1))
def test_text_already_in_the_set_keeps_its_words(value):
    if value.split():
        assert sepa_text(value, 1000) == " ".join(value.split())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ümit Çelik-Öztürk", "Umit Celik-Ozturk"),
        ("Zorg & Welzijn B.V.", "Zorg + Welzijn B.V."),
        ("Straße 3, Łódź", "Strasse 3, Lodz"),
        ("Bakkerij 😀 De Zon", "Bakkerij De Zon"),
        ("'s-Hertogenbosch\tnoord\n", "'s-Hertogenbosch noord"),
        ('Stichting "Thuis" @ wijk_3', "Stichting 'Thuis' wijk-3"),
        ("😀🎉", "-"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_names_are_transliterated(value, expected):
    assert sepa_text(value, 70) == expected


def test_over_long_text_is_cut_at_a_word_boundary():
    words = "Huur en energie voor de maanden januari tot en met maart van het gezin aan de Dorpsstraat"
    assert len(words) > 70
    text = sepa_text(words, 70)
    assert len(text) <= 70 and words.startswith(text) and words[len(text)] == " "
    assert sepa_text("x" * 200, 140) == "x" * 140  # one long word: cut hard


def test_identifiers_lose_spaces_and_slashes_at_the_ends():
    assert sepa_id("MW-0772-20261201101500-A1B2C3") == "MW-0772-20261201101500-A1B2C3"
    assert sepa_id("/U 000123//x/") == "U000123/x"
    assert sepa_id("😀") == "NOTPROVIDED"
    assert len(sepa_id("A" * 50)) == 35


def test_amounts_have_two_decimals():
    assert sepa_amount(Decimal("2815.29000000000")) == "2815.29"
    assert sepa_amount(Decimal("5")) == "5.00"


def test_the_schema_is_loaded_once():
    assert pain_001_schema() is pain_001_schema()


def test_a_file_that_is_not_pain_001_is_refused():
    assert pain_001_errors(b"<not xml")[0].startswith("not well-formed XML")
    errors = pain_001_errors(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')
    assert errors
