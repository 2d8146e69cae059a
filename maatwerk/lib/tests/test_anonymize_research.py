"""maatwerk.lib.anonymize.anonymize_for_research, the strict variant research files use: everything
`anonymize` removes, no date element but the year, and no number shaped like an identifier; checked on our
synthetic corpus and on an outside annotated set (the Dutch examples of nedap/deidentify, MIT licence, in
data/anonymize_nedap_deidentify.json).
"""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.lib import anonymize as an
from maatwerk.lib.anonymize import research

DATA = Path(__file__).parent / "data"
CORPUS = json.loads((DATA / "anonymize_corpus.json").read_text(encoding="utf-8"))
NEDAP = json.loads((DATA / "anonymize_nedap_deidentify.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", autouse=True)
def engine():
    return an.engine()


def visible(original: str, anonymized: str, start: int, end: int) -> str:
    """The letters and digits of original[start:end] that no tag of `anonymized` covers."""
    spans = an.replaced_spans(original, anonymized)
    assert spans is not None, "the output must be the input with some spans replaced by tags"
    hidden = {i for s, e, _ in spans for i in range(s, e)}
    return "".join(original[i] for i in range(start, end) if original[i].isalnum() and i not in hidden)


# --- dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, date",
    [
        ("Hij werd op 22 november ontslagen.", "22 november"),
        ("07 apr.\n\naan Hassan, mij", "07 apr"),
        ("Gesprek op 12 maart bij haar thuis.", "12 maart"),
        ("Afspraak 22-11 om tien uur.", "22-11"),
        ("Afspraak 22/11 om tien uur.", "22/11"),
        ("Afspraak 5/11, daarna 30-1.", "30-1"),
        ("Op maandag 3 maart kwam zij langs.", "maandag 3 maart"),
        ("Op za 22/11 belde hij.", "za 22/11"),
        ("De huur is sinds maart 2025 niet betaald.", "maart 2025"),
        ("De huur is sinds mrt. '25 niet betaald.", "mrt. '25"),
        ("Begin maart is de aanvraag ingediend.", "Begin maart"),
        ("De beschikking komt eind april.", "eind april"),
        ("In juni verhuist het gezin.", "juni"),
        ("Zij komt op de 3e maart terug.", "3e maart"),
        ("Geboren 12-03-1984 in Asmara.", "12-03-1984"),
        ("Sinds 03-2024 in de schuldhulp.", "03-2024"),
        ("Termijn: 2025-03-12.", "2025-03-12"),
        ("Op 1 dec. 2024 is het verlopen.", "1 dec. 2024"),
    ],
)
def test_no_date_of_any_form_survives_in_research_text(text, date):
    result = an.anonymize_for_research(text)
    start = text.index(date)
    assert visible(text, result, start, start + len(date)) == "", result
    assert "[DATUM-" in result


@pytest.mark.parametrize(
    "text",
    [
        "In 2019 en 2020 is er 10 000 euro uitgegeven, om 14.30 uur besproken.",
        "Op maandag komt de consulent, 3-4 keer per maand, 24/7 bereikbaar.",
        "Een schuld van € 1.283,83 bij het CJIB en de SVB; bijstand loopt via de gemeente Utrecht.",
    ],
)
def test_a_bare_year_a_weekday_alone_times_amounts_and_the_fields_words_stay(text):
    assert an.anonymize_for_research(text) == text


def test_research_keeps_what_plain_anonymize_keeps_of_the_corpus_words():
    text = "\n\n".join(p["text"] for p in CORPUS["paragraphs"])
    result = an.anonymize_for_research(text)
    for word in ("CJIB", "UWV", "bijstand", "huurachterstand", "Woensel-Noord", "Eindhoven", "Den Haag"):
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            assert word in result, word


# --- the safety pass ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        # nine digits that fail the 11-check, without a "BSN" before them
        ("Nummer 123456789 staat op de brief.", "123456789"),
        ("Nummer 123.456.789 staat op de brief.", "123.456.789"),
        ("Nummer 12 34 56 789 staat op de brief.", "12 34 56 789"),
        # an IBAN with wrong check digits, lower case, foreign
        ("Rekening nl12abcd0123456789 van de verhuurder.", "nl12abcd0123456789"),
        ("Rekening DE12 5001 0517 0648 4898 90 van de broer.", "DE12 5001 0517 0648 4898 90"),
        # phone numbers in any dress
        ("Bel (058)5061099 voor een afspraak.", "(058)5061099"),
        ("Bel 06 - 1234 5678 voor een afspraak.", "06 - 1234 5678"),
        ("Bel +32 470 12 34 56 voor een afspraak.", "+32 470 12 34 56"),
        # a postcode with a house number in lower case
        ("Adres 5616 lb 27, eerste verdieping.", "5616 lb 27"),
        ("e-mail: j.jansen@voorbeeld.nl", "j.jansen@voorbeeld.nl"),
        ("Dossier 004512 bij de woningcorporatie.", "004512"),
    ],
)
def test_a_number_shaped_like_an_identifier_never_passes_into_research_text(text, value):
    result = an.anonymize_for_research(text)
    start = text.index(value)
    assert visible(text, result, start, start + len(value)) == "", result


def test_the_sweep_tags_what_is_left_numbered_after_the_tags_already_there():
    text = "[BSN-1] en 111 222 333, nogmaals 111222333; bel [TELEFOONNUMMER-2] of 0612345678."
    assert research.sweep(text) == (
        "[BSN-1] en [BSN-2], nogmaals [BSN-2]; bel [TELEFOONNUMMER-2] of [TELEFOONNUMMER-3]."
    )


def test_the_sweep_leaves_text_without_identifiers_alone():
    text = "In 2019 kwam zij 3-4 keer; [PERSOON-1] belde [DATUM-1]."
    assert research.sweep(text) == text


# --- names, paragraphs, contract ----------------------------------------------------------------------------


def test_known_names_are_tagged_in_research_text_as_in_anonymize():
    text = "Tesfaye zei het zelf. Mevrouw Kovalenko-Bakker en senait waren blij op 12 maart."
    names = ["Kovalenko-Bakker", "Tesfaye Gebremedhin", "Senait"]
    result = an.anonymize_for_research(text, names=names)
    for name in ("Tesfaye", "Kovalenko", "Bakker", "senait", "maart"):
        assert name not in result, result
    assert an.anonymize(text, names=names).replace("12 maart", "[DATUM-1]") == result


@pytest.mark.parametrize("separator", ["\n\n", "\n \n", "\r\n\r\n", "\n\n\n"])
def test_research_text_keeps_its_paragraphs_in_order_and_count(separator):
    paragraphs = [p["text"] for p in CORPUS["paragraphs"][:6]] + ["Op 22 november belde zij, 22-11 dus."]
    text = separator.join(paragraphs)
    result = an.anonymize_for_research(text)
    assert isinstance(result, str)
    assert len(an.paragraphs(result)) == len(paragraphs)
    assert re.findall(r"(?:^[^\S\n]*\n)+", result, re.M) == re.findall(r"(?:^[^\S\n]*\n)+", text, re.M)
    # Each paragraph of the result is that paragraph de-identified (order kept).
    for original, out in zip(an.paragraphs(text), an.paragraphs(result), strict=True):
        assert an.replaced_spans(original, out) is not None


DATED = [p["text"] for p in CORPUS["paragraphs"][:8]] + [
    "Op maandag 3 maart, 22-11 en begin april belde zij.",
    "Bel (058)5061099 of mail j.jansen@voorbeeld.nl; postcode 5616 lb 27.",
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(DATED), min_size=1, max_size=5),
    st.lists(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n\t\n\n"]), min_size=4, max_size=4),
    st.sampled_from(["", "\n\n", "\r\n\r\n"]),
    st.sampled_from(["", "\n", "\n \n"]),
)
def test_research_text_keeps_its_paragraphs_with_any_mix_of_separators(paragraphs, separators, lead, trail):
    text = (
        lead + "".join(p + separators[i % 4] for i, p in enumerate(paragraphs[:-1])) + paragraphs[-1] + trail
    )
    result = an.anonymize_for_research(text)
    assert an.PARAGRAPH_BREAK.findall(result) == an.PARAGRAPH_BREAK.findall(text)
    assert result.count("\n") == text.count("\n")
    for before, after in zip(an.paragraphs(text), an.paragraphs(result), strict=True):
        assert an.replaced_spans(before, after) is not None


def test_blank_research_text_comes_back_as_it_is():
    for text in ("", "\n", "  \n\t\n"):
        assert an.anonymize_for_research(text) == text


def test_plain_anonymize_is_not_switched_to_research_by_a_research_call():
    text = "Op 22 november belde zij."
    an.anonymize_for_research(text)
    assert an.anonymize(text) == text


def test_no_identifier_of_the_corpus_survives_in_research_text():
    for paragraph in CORPUS["paragraphs"]:
        text = paragraph["text"]
        result = an.anonymize_for_research(text)
        for values in paragraph["identifiers"].values():
            for value in values:
                for m in re.finditer(re.escape(value), text):
                    assert visible(text, result, m.start(), m.end()) == "", (value, result)


# --- the outside set: nedap/deidentify ----------------------------------------------------------------------


def test_the_outside_set_carries_its_licence_and_its_spans_match_its_texts():
    assert NEDAP["licence"] == "MIT" and "Copyright (c) 2019 Nedap N.V." in NEDAP["licence_text"]
    assert NEDAP["source"].startswith("https://github.com/nedap/deidentify")
    labels = set()
    for document in NEDAP["documents"]:
        for item in document["identifiers"] + document["not_counted"]:
            assert document["text"][item["start"] : item["end"]] == item["text"]
            labels.add(item["label"])
        assert all(item["reason"] for item in document["not_counted"])
    assert {"Name", "Date", "Internal_Location", "Phone_fax", "Email", "Address", "URL_IP"} <= labels


@pytest.mark.parametrize("document", NEDAP["documents"], ids=lambda d: d["source"])
def test_every_identifier_of_the_outside_set_is_gone_from_research_text(document):
    text = document["text"]
    result = an.anonymize_for_research(text)
    left = [
        (item["label"], item["text"])
        for item in document["identifiers"]
        if visible(text, result, item["start"], item["end"])
    ]
    assert left == [], result
    assert len(an.paragraphs(result)) == len(an.paragraphs(text))


def test_the_outside_sets_surname_first_ward_and_care_home_are_caught_by_plain_anonymize_too():
    by_source = {d["source"]: d["text"] for d in NEDAP["documents"]}
    first = an.anonymize(by_source["tests/surrogates/data/original/example-1.txt"])
    assert "=== Report: 100001 ===\n[PERSOON-1] <[EMAILADRES-1]>" in first
    second = an.anonymize(by_source["data/corpus/dummy/train/example-1.txt"])
    assert "Zilverling" not in second and "Waaier" not in second
