"""maatwerk.lib.anonymize, which `maatwerk anonymize` runs (the command's own tests are in
maatwerk/research/tests): no identifier of the synthetic corpus survives, the field's words do,
paragraphs keep their order and count, one person keeps one tag.

Deduce is loaded once per test process (maatwerk.lib.anonymize keeps one engine, ~2 s, ~1 GB). No test
here is allowed the database: the anonymiser must not need one.
"""

import json
import re
import threading
from pathlib import Path

import docdeid as dd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.lib import anonymize as an

CORPUS = json.loads((Path(__file__).parent / "data" / "anonymize_corpus.json").read_text(encoding="utf-8"))
PARAGRAPHS = [p["text"] for p in CORPUS["paragraphs"]]


@pytest.fixture(scope="module", autouse=True)
def engine():
    return an.engine()


def hidden_characters(original: str, anonymized: str) -> set[int]:
    spans = an.replaced_spans(original, anonymized)
    assert spans is not None, "the output must be the input with some spans replaced by tags"
    return {i for start, end, _ in spans for i in range(start, end)}


def tag_at(original: str, anonymized: str, start: int) -> str | None:
    """The tag that replaced the character at `start` of the original."""
    for span_start, span_end, tag in an.replaced_spans(original, anonymized):
        if span_start <= start < span_end:
            return tag
    return None


def line_structure(text: str) -> tuple[int, list[int]]:
    """Independent of the module's regex: how many lines, and which of them are blank."""
    lines = text.split("\n")
    return len(lines), [i for i, line in enumerate(lines) if not line.strip()]


def survivors(text: str, start: int, end: int, identifiers: dict, hidden: set[int]) -> list[tuple[str, str]]:
    """The listed identifiers of text[start:end] of which a letter or digit is not inside a tag."""
    left = []
    for category, values in identifiers.items():
        for value in values:
            for m in re.finditer(re.escape(value), text[start:end]):
                if any(
                    text[i].isalnum() and i not in hidden for i in range(start + m.start(), start + m.end())
                ):
                    left.append((category, value))
    return left


# --- the corpus ---------------------------------------------------------------------------------------------


def test_corpus_identifiers_are_synthetic_and_valid():
    from stdnum import iban
    from stdnum.nl import bsn

    for paragraph in CORPUS["paragraphs"]:
        for category, values in paragraph["identifiers"].items():
            for value in values:
                assert value in paragraph["text"], value
                if category == "bsn":
                    assert bsn.is_valid(value), value
                if category == "iban":
                    assert iban.is_valid(value), value
                if category == "email":
                    assert value.endswith("@example.nl"), value


def test_no_listed_identifier_survives_in_the_whole_corpus():
    text = "\n\n".join(PARAGRAPHS)
    anonymized = an.anonymize(text)
    hidden = hidden_characters(text, anonymized)
    left, start = [], 0
    for paragraph in CORPUS["paragraphs"]:
        left += survivors(text, start, start + len(paragraph["text"]), paragraph["identifiers"], hidden)
        start += len(paragraph["text"]) + 2
    assert left == []
    assert sum(len(values) for p in CORPUS["paragraphs"] for values in p["identifiers"].values()) > 100


@pytest.mark.parametrize("paragraph", CORPUS["paragraphs"], ids=lambda p: p["text"][:30])
def test_no_listed_identifier_survives_in_a_paragraph_on_its_own(paragraph):
    text = paragraph["text"]
    hidden = hidden_characters(text, an.anonymize(text))
    assert survivors(text, 0, len(text), paragraph["identifiers"], hidden) == []


def test_the_fields_ordinary_words_are_kept():
    text = "\n\n".join(PARAGRAPHS)
    identifier_spans = [
        (m.start(), m.end())
        for p in CORPUS["paragraphs"]
        for values in p["identifiers"].values()
        for value in values
        for m in re.finditer(re.escape(value), text)
    ]
    hidden = hidden_characters(text, an.anonymize(text))
    mentions, lost = 0, []
    for word in CORPUS["ordinary_words"]:
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            if any(s < m.end() and m.start() < e for s, e in identifier_spans):
                continue
            mentions += 1
            if any(i in hidden for i in range(m.start(), m.end())):
                lost.append(word)
    assert mentions > 50
    assert lost == []


# --- tags ---------------------------------------------------------------------------------------------------

FAMILY = (
    "Intake met mevrouw Fatima el Amrani (BSN 725763863), NL97ABNA7578688354.\n"
    "\n"
    "Mevrouw El Amrani heeft een huurachterstand. Jeroen Bakker is haar buurman.\n"
    "\n"
    "Fatima belt morgen; F. el Amrani betaalt via NL97 ABNA 7578 6883 54, BSN 7257.63.863.\n"
)


def mentions(text: str, value: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(value), text)]


def test_one_person_has_one_tag_in_every_paragraph_also_with_a_title_or_first_name_alone():
    anonymized = an.anonymize(FAMILY)
    names = ("Fatima el Amrani", "El Amrani", "Fatima ", "F. el Amrani")
    starts = {start for name in names for start in mentions(FAMILY, name)}
    tags = {tag_at(FAMILY, anonymized, start) for start in starts}
    assert len(starts) == 4 and len(tags) == 1 and tags != {None}
    assert tags.pop().startswith("[PERSOON-")
    assert tag_at(FAMILY, anonymized, FAMILY.index("Jeroen")) not in (None, *tags)


def test_one_iban_or_bsn_has_one_tag_however_it_is_written():
    anonymized = an.anonymize(FAMILY)
    assert anonymized.count("[IBAN-1]") == 2 and "[IBAN-2]" not in anonymized
    assert anonymized.count("[BSN-1]") == 2 and "[BSN-2]" not in anonymized


def test_the_same_person_in_the_corpus_keeps_their_tag_across_paragraphs():
    text = "\n\n".join(PARAGRAPHS)
    anonymized = an.anonymize(text)
    for name in ("Jeroen Bakker", "Priya Ramdin", "Dennis Visser", "Anouk Smit", "Mehmet Öztürk"):
        tags = {tag_at(text, anonymized, start) for start in mentions(text, name)}
        assert len(mentions(text, name)) >= 2 and len(tags) == 1, (name, tags)
    assert tag_at(text, anonymized, text.index("Jeroen Bakker")) != tag_at(
        text, anonymized, text.index("Priya")
    )


def test_a_surname_shared_by_two_people_gets_its_own_tag():
    text = "Mehmet Öztürk en Ayşe Öztürk kwamen samen.\n\nMeneer Öztürk belde later."
    anonymized = an.anonymize(text)
    tags = [tag_at(text, anonymized, text.index(name)) for name in ("Mehmet", "Ayşe", "Meneer")]
    assert len(set(tags)) == 3


# --- paragraphs ---------------------------------------------------------------------------------------------


def assert_same_paragraphs(text: str, anonymized: str) -> None:
    assert line_structure(anonymized) == line_structure(text)
    assert len(an.paragraphs(anonymized)) == len(an.paragraphs(text))
    assert an.PARAGRAPH_BREAK.findall(anonymized) == an.PARAGRAPH_BREAK.findall(text)


@pytest.mark.parametrize(
    "separator",
    ["\n\n", "\r\n\r\n", "\n\n\n\n", "\n   \n", "\r\n \t\r\n\r\n", "\n\u00a0\n"],
    ids=["blank", "windows", "several", "spaces", "windows-whitespace", "nbsp"],
)
@pytest.mark.parametrize(
    ("ends", "empty_paragraphs"),
    # A blank line before the first or after the last paragraph makes an empty paragraph there; a line end
    # after the last paragraph does not.
    [(("", ""), 0), (("\n\n", "\n\n"), 2), (("\r\n\r\n", "\r\n"), 1), (("\n \n", "\n\n\n"), 2)],
)
def test_paragraphs_keep_their_order_and_count(separator, ends, empty_paragraphs):
    body = separator.join(PARAGRAPHS[:6])
    if "\r" in separator:
        body = body.replace(". ", ".\r\n")  # Windows line ends inside the paragraphs too
    text = ends[0] + body + ends[1]
    anonymized = an.anonymize(text)
    assert_same_paragraphs(text, anonymized)
    assert len(an.paragraphs(text)) == 6 + empty_paragraphs
    # Order: each paragraph of the output is the paragraph of the input in that place, with tags.
    for before, after in zip(an.paragraphs(text), an.paragraphs(anonymized), strict=True):
        assert an.replaced_spans(before, after) is not None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=5),
    st.lists(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n\t\n\n", "\n\n\n"]), min_size=4, max_size=4),
    st.sampled_from(["", "\n", "\n\n", "\r\n\r\n", " \n"]),
    st.sampled_from(["", "\n", "\n\n", "\r\n", "\n \n"]),
)
def test_paragraphs_survive_any_mix_of_separators(paragraphs, separators, lead, trail):
    text = (
        lead + "".join(p + separators[i % 4] for i, p in enumerate(paragraphs[:-1])) + paragraphs[-1] + trail
    )
    assert_same_paragraphs(text, an.anonymize(text))


@pytest.fixture
def crossing_annotator(engine):
    """A tag across a blank line, as a future deduce or one of our patterns (with a careless \\s) might
    make: the whole-text result would merge two paragraphs."""
    group = engine.processors["maatwerk"]
    group.add_processor("crossing", dd.process.RegexpAnnotator(r"Jan\s+Jansen", tag="persoon", priority=100))
    yield
    group.remove_processor("crossing")


def test_a_tag_across_a_blank_line_falls_back_to_paragraph_by_paragraph(engine, crossing_annotator):
    text = "Gesprek met Jan\n\nJansen kwam ook; Jan Jansen belt.\r\n\r\nHet CJIB wacht op Jansen."
    whole = engine.deidentify(text).deidentified_text
    assert whole.count("\n\n") < text.count("\n\n")  # the situation the fallback is for
    anonymized = an.anonymize(text)
    assert_same_paragraphs(text, anonymized)
    assert "Jan" not in anonymized and "CJIB" in anonymized
    # Tags stay numbered over the whole text: both lone "Jansen"s get one tag.
    assert tag_at(text, anonymized, text.index("Jansen")) == tag_at(text, anonymized, text.rindex("Jansen"))


# --- our passes, one by one -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gone", "tag"),
    [
        ("Rekening NL91 ABNA 0417 1643 00 ten name van", "0417", "IBAN"),
        ("Rekening nl91abna0417164300.", "abna", "IBAN"),
        ("Rekening NL91ABNA0417164301 (tikfout)", "ABNA", "IBAN"),
        ("Duitse rekening DE89 3704 0044 0532 0130 00.", "3704", "IBAN"),
        ("BSN 1234.56.782 volgens de SVB", "782", "BSN"),
        ("nummer 123 456 782 op de brief", "456", "BSN"),
        ("BSN: 123.456.789 (klopt niet)", "789", "BSN"),
        ("Nieuw adres: 3552 HK 14-bis.", "14-bis", "LOCATIE"),
        ("Postcode 2525 CN, huisnummer 61.", "61", "LOCATIE"),
        ("Woont op de Heezerweg 112-B.", "-B", "LOCATIE"),
        ("Kenteken 78-KLX-3 staat op zijn naam.", "KLX", "KENTEKEN"),
        ("Bel +31 6 23456789 of 0031 (0)20 1234567.", "23456789", "TELEFOONNUMMER"),
        ("Bel 070-3456789.", "070", "TELEFOONNUMMER"),
        ("CJIB-nummer 5102 3948 1123 0045.", "0045", "ID"),
        ("Zij zit op basisschool De Klimop.", "Klimop", "INSTELLING"),
        ("Tesfaye Gebremedhin belde. Gebremedhin wil een afspraak.", "Gebremedhin", "PERSOON"),
        ("Olena Kovalenko kwam uit Oekraïne.", "Kovalenko", "PERSOON"),
        ("Hij woont met zijn vrouw Senait in een flat.", "Senait", "PERSOON"),
        ("Cliënt dhr. P.J. de Wit belde.", "J.", "PERSOON"),
        ("Geboren 3 sept. 1985 in Asmara.", "1985", "DATUM"),
    ],
)
def test_our_passes_tag_what_deduce_misses(text, gone, tag):
    anonymized = an.anonymize(text)
    assert gone not in anonymized
    assert f"[{tag}-1]" in anonymized


@pytest.mark.parametrize(
    "text",
    [
        "Het CJIB, de SVB, het CAK en het UWV sturen brieven; bijstand en schuldhulpverlening lopen.",
        "Het wijkteam belt het Juridisch Loket en het Landelijk Maatwerkloket.",
        "De gemeente Utrecht en de gemeente Den Haag betalen; zij woont in Tilburg.",
        "Een schuld van € 1.283,83 en een budget van 1.250.000 euro.",
        "In 2023 en 2024 is er 10 000 euro uitgegeven, om 10:30 uur besproken.",
        "MDT-overleg over de beslagvrije voet en de Participatiewet.",
    ],
)
def test_the_fields_words_amounts_and_years_are_kept(text):
    assert an.anonymize(text) == text


def test_a_smaller_place_is_tagged_a_programme_municipality_is_kept():
    anonymized = an.anonymize("Zij woont in Zaandam, niet in Amsterdam; Kerkstraat 12, 1502 AM Zaandam.")
    assert "Zaandam" not in anonymized and "Amsterdam" in anonymized


# --- the engine ---------------------------------------------------------------------------------------------


def test_the_engine_is_built_once_when_threads_ask_at_the_same_time(monkeypatch):
    # No sleep to widen the race: the build waits until all eight threads are at the lock, so every one of
    # them asks while the engine is being built.
    threads_n = 8
    arrived = threading.Condition()
    count = [0]
    real_lock = threading.Lock()

    class CountingLock:
        def __enter__(self):
            with arrived:
                count[0] += 1
                arrived.notify_all()
            return real_lock.__enter__()

        def __exit__(self, *exc):
            return real_lock.__exit__(*exc)

    calls = []

    def build_when_all_have_asked():
        calls.append(1)
        with arrived:
            assert arrived.wait_for(lambda: count[0] == threads_n, timeout=30)
        return object()

    monkeypatch.setattr(an, "_engine", None)
    monkeypatch.setattr(an, "_lock", CountingLock())
    monkeypatch.setattr(an, "_build", build_when_all_have_asked)
    results = []
    threads = [threading.Thread(target=lambda: results.append(an.engine())) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == threads_n and len({id(r) for r in results}) == 1


def test_empty_and_blank_input_come_back_as_they_are_without_loading_anything(monkeypatch):
    monkeypatch.setattr(an, "engine", lambda: pytest.fail("no engine needed"))
    for text in ("", "\n", "\r\n\r\n", "  \n\t\n"):
        assert an.anonymize(text) == text


def test_replaced_spans_refuses_an_output_that_is_not_the_input_with_tags():
    assert an.replaced_spans("Jan Jansen belt.", "[PERSOON-1] belde.") is None
    assert an.replaced_spans("Jan Jansen belt.", "[PERSOON-1] belt.") == [(0, 10, "[PERSOON-1]")]


def test_known_names_are_tagged_even_where_deduces_lists_lack_them():
    text = "Tesfaye zei het zelf. Mevrouw Kovalenko-Bakker en senait waren blij; BAKKER ook."
    result = an.anonymize(text, names=["Kovalenko-Bakker", "Tesfaye Gebremedhin", "Senait"])
    for name in ("Tesfaye", "Kovalenko", "Bakker", "BAKKER", "senait"):
        assert name not in result, result
    assert an.replaced_spans(text, result) is not None
    # The halves of a double surname are one person's name: the same tag where it stands alone.
    assert result.count("[PERSOON-") == 4


def test_known_names_keep_particles_kept_places_and_common_words():
    result = an.anonymize(
        "Met de familie Van den Berg naar de berg in Utrecht.", names=["Van den Berg", "Utrecht"]
    )
    assert "Berg" not in result
    assert result.endswith("naar de berg in Utrecht.")
    assert "de familie" in result


def test_without_known_names_the_result_is_as_before():
    text = "Tesfaye belde over de huur."
    assert an.anonymize(text) == an.anonymize(text, names=[]) == an.anonymize(text, names=["", " "])


# --- places in any letter case, surnames first, wards and housing units ----------------------------------


@pytest.mark.parametrize("written", ["Utrecht", "UTRECHT", "utrecht", "DEN HAAG", "den Haag", "EINDHOVEN"])
def test_a_programme_municipality_is_kept_whatever_its_letter_case(written):
    text = f"Zij woont in {written} en werkt in Zaandam."
    anonymized = an.anonymize(text)
    assert written in anonymized
    assert "Zaandam" not in anonymized


def test_a_smaller_place_in_capitals_is_still_tagged():
    assert "ZAANDAM" not in an.anonymize("Adres: Kerkstraat 12, ZAANDAM.")


@pytest.mark.parametrize(
    "text, whole",
    [
        ("van Janssen, Jan <j.van.jansen@example.nl>", "van Janssen, Jan"),
        ("Afzender: van der Berg, Piet.", "van der Berg, Piet"),
        ("Gesproken met De Vries, Anna over de huur.", "De Vries, Anna"),
    ],
)
def test_a_surname_written_first_keeps_its_particle_inside_one_tag(text, whole):
    anonymized = an.anonymize(text)
    start = text.index(whole)
    tag = tag_at(text, anonymized, start)
    assert tag is not None and tag.startswith("[PERSOON-")
    assert tag_at(text, anonymized, start + len(whole) - 1) == tag
    assert not re.search(r"(?i)\b(van|der|de)\s*\[PERSOON", anonymized), anonymized


def test_a_surname_written_first_is_the_same_person_as_written_in_full():
    text = "van Janssen, Jan schreef.\n\nJan van Janssen belt morgen."
    anonymized = an.anonymize(text)
    assert anonymized.count("[PERSOON-1]") == 2 and "[PERSOON-2]" not in anonymized


def test_a_particle_between_two_names_stays_outside_the_tags():
    anonymized = an.anonymize("De zoon van Jan, de vader van Pieter Bakker.")
    assert anonymized.startswith("De zoon van [PERSOON-")


@pytest.mark.parametrize(
    "text, name",
    [
        ("Heel misschien is de vraag voor De Zilverling wonen niet meer aan de orde.", "Zilverling"),
        ("Zij verblijft op Afdeling Waaier van het ziekenhuis.", "Waaier"),
        ("Hij woont sinds mei in woongroep De Linde.", "Linde"),
        ("Haar kamer is in unit 3B op de tweede verdieping.", "3B"),
        ("Zij ligt op de afdeling Healthcare en Retail.", "Retail"),
        ("Opgenomen in paviljoen Het Anker, daarna naar verpleeghuis Rustoord.", "Anker"),
        ("Opgenomen in paviljoen Het Anker, daarna naar verpleeghuis Rustoord.", "Rustoord"),
        ("Ontslagen van de kliniek van het Retail.", "Retail"),
    ],
)
def test_wards_departments_and_housing_units_are_tagged_as_a_location(text, name):
    anonymized = an.anonymize(text)
    assert name not in anonymized
    assert tag_at(text, anonymized, text.index(name)).startswith("[LOCATIE-")


@pytest.mark.parametrize(
    "text",
    [
        "Zij is doorverwezen naar de afdeling Schuldhulpverlening van de gemeente.",
        "Een gesprek bij de unit van het Wijkteam in Eindhoven.",
        "Wij zien haar op locatie Woensel-Noord, bij de afdeling Participatiewet.",
    ],
)
def test_a_department_named_by_the_fields_words_is_kept(text):
    assert an.anonymize(text) == text
