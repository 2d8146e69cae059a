"""De-identification of Dutch free text before it leaves for research (no Django).

`anonymize(text)` replaces names, addresses, dates, numbers and the like with tags such as `[PERSOON-1]`,
`[BSN-1]` or `[IBAN-1]`. It runs deduce (the Dutch de-identification library) with our own passes added for
what deduce misses in wijkteam notes: IBANs (deduce leaves the bank code visible, or the whole IBAN when it
is written with spaces), BSNs written with dots or spaces, postcodes with a house number, house-number
additions ("12-III"), licence plates, +31 and 070 numbers, long numbers in groups, dates like "3 sept. 1985",
school and childcare names, wards, departments and housing units ("afdeling Waaier", "woongroep De
Linde", "unit 3B", "voor De Zilverling": `[LOCATIE-n]`, deduce's tag for where someone lives), names
missing from deduce's lists, and the "van" of a surname written first ("van Janssen, Jan" is one tag).
Tags are numbered over the whole text, so one person keeps one tag in every paragraph, also when written
with a title ("mevrouw El Amrani"), by first name alone or surname first. Paragraphs (separated by lines
that are empty or only whitespace) keep their order and count; the separators come out byte for byte as
they went in.

Deliberately kept: the names of agencies and schemes (CJIB, UWV, bijstand, ...), which deduce does not tag,
and the programme's own municipalities (KEPT_PLACES, in any letter case), which it does. The measured
recall is in bench/README.md.

`anonymize_for_research(text, names)` is the strict variant for text that leaves in a research file: on top
of everything `anonymize` does, no date element but the year and no number shaped like an identifier
survives (`maatwerk.lib.anonymize.research`).

`maatwerk.lib.anonymize.check` is a light check for web forms (the barrier register) on the same pattern
passes, without deduce.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import docdeid as dd
from rapidfuzz.distance import DamerauLevenshtein
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

if TYPE_CHECKING:
    from deduce import Deduce

# The municipalities of the programme (DESIGN.md), each over 100,000 inhabitants: "gemeente Utrecht" or
# "woont in Tilburg" says little about a person, and the research dataset names the municipality of every
# case anyway. Deduce tags every one of them as a place (and "Eindhoven" as a surname too). Smaller places
# (Zaandam, Nuenen) and neighbourhoods in a street list stay tagged.
KEPT_PLACES = frozenset(
    {
        "Eindhoven",
        "Enschede",
        "Leeuwarden",
        "Utrecht",
        "Zaanstad",
        "Amsterdam",
        "Den Haag",
        "Delft",
        "Tilburg",
    }
)
_KEPT_PLACES = frozenset(place.casefold() for place in KEPT_PLACES)


_KEPT_PLACE_MENTION = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(KEPT_PLACES, key=len, reverse=True))
    + r")(?![^\W\d_])",
    re.IGNORECASE,
)


def kept_place(text: str) -> bool:
    """True for a KEPT_PLACES name in any letter case or spacing ("UTRECHT", "den  haag")."""
    return " ".join(text.split()).casefold() in _KEPT_PLACES


# Names of the field's agencies, schemes and services. Deduce does not tag them; our pass for names that
# deduce's lists lack (two or more capitalised unknown words) must not either.
FIELD_TERMS = (
    "Belastingdienst Toeslagen",
    "Centraal Justitieel Incassobureau",
    "Centrum voor Jeugd en Gezin",
    "Dienst Toeslagen",
    "Gemeentelijke Kredietbank",
    "Juridisch Loket",
    "Landelijk Maatwerkloket",
    "Leger des Heils",
    "Maatschappelijke Opvang",
    "Raad voor de Kinderbescherming",
    "Sociaal Raadslieden",
    "Sociaal Wijkteam",
    "Sociale Verzekeringsbank",
    "Veilig Thuis",
    "Wet Maatschappelijke Ondersteuning",
    "Wet Schuldsanering Natuurlijke Personen",
    "Buurtteam",
    "Gemeente",
    "Jeugdteam",
    "Participatiewet",
    "Schuldhulpverlening",
    "Stadsbank",
    "Voedselbank",
    "Wijkteam",
)
_FIELD_WORDS = frozenset(word.casefold() for term in FIELD_TERMS for word in term.split())

# One or more lines that are empty or hold only whitespace ("\r" of a Windows line end included): the
# separator between two paragraphs. The line end before it stays with the paragraph above.
PARAGRAPH_BREAK = re.compile(r"(?:^[^\S\n]*\n)+", re.MULTILINE)

# A tag in the output, deduce's and ours alike.
TAG = re.compile(r"\[[A-Z]+(?:-\d+)?\]")

# Our annotations win where they overlap deduce's (priority 0, streets 1; its BSN 11-check has 100).
PRIORITY = 50

_lock = threading.Lock()
_engine: Deduce | None = None


def anonymize(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by tags; paragraphs and their separators unchanged.

    `names`: names known to belong to the people the text is about (a household's name, its persons' first
    and last names). Each of them, and each word of three letters or more in them, is tagged wherever it
    stands, also when deduce's lists lack it ("Tesfaye", "Kovalenko") or it is a word ("Bakker", "Visser").
    """
    return _anonymize(text, names, research=False)


def anonymize_for_research(text: str, names: Iterable[str] = ()) -> str:
    """`anonymize`, stricter, for text that leaves for research (see `maatwerk.lib.anonymize.research`):
    no date element but the year survives ("op 22 november", "07 apr.", "22-11", "maandag 3 maart",
    "maart 2025", "begin maart" and a month alone are all tagged `[DATUM-n]`; "2019" alone stays), and any
    number shaped like a BSN, IBAN or phone number, a postcode with a house number and an e-mail address
    is tagged whether or not it passes a check. `names` as for `anonymize`. Paragraphs and their separators
    are kept as `anonymize` keeps them; the result is always a string.
    """
    from maatwerk.lib.anonymize.research import sweep

    return sweep(_anonymize(text, names, research=True))


def _anonymize(text: str, names: Iterable[str], *, research: bool) -> str:
    if not text.strip():
        return text
    model = engine()
    # The names as a tuple of strings: the key of the cache of their pattern (a research export passes the
    # same household's names for each of its notes).
    metadata = {KNOWN_NAMES: _name_pattern(tuple(str(n) for n in names)), RESEARCH: research}
    result = model.deidentify(text, metadata=metadata).deidentified_text
    if PARAGRAPH_BREAK.findall(result) == PARAGRAPH_BREAK.findall(text):
        return result
    # A replacement ran across a blank line (deduce's name patterns look at neighbouring words, and those
    # can be on the other side). Find the personal data paragraph by paragraph instead, then number the
    # tags over the whole text in one go so that they stay consistent.
    return _per_paragraph(model, text, metadata)


def engine() -> Deduce:
    """The one Deduce of this process, with our passes: loading takes ~2 s and ~1 GB of memory."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = _build()
    return _engine


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text without their separators (a leading or trailing blank line gives an empty
    first or last paragraph)."""
    return PARAGRAPH_BREAK.split(text)


def replaced_spans(original: str, anonymized: str) -> list[tuple[int, int, str]] | None:
    """The (start, end, tag) spans of `original` that `anonymized` shows as tags, or None when `anonymized`
    is not `original` with some spans replaced by tags. For tests and the benchmark: it checks the output
    from outside, without trusting the annotations that produced it."""
    literals = TAG.split(anonymized)
    pattern = "(.+?)".join(re.escape(literal) for literal in literals)
    match = re.fullmatch(pattern, original, re.DOTALL)
    if match is None:
        return None
    return [(match.start(i), match.end(i), tag) for i, tag in enumerate(TAG.findall(anonymized), start=1)]


def _per_paragraph(model: Deduce, text: str, metadata: dict) -> str:
    annotations = dd.AnnotationSet()
    offset = 0
    for piece in re.split(f"({PARAGRAPH_BREAK.pattern})", text, flags=re.MULTILINE):
        if piece and not PARAGRAPH_BREAK.fullmatch(piece):
            doc = model.deidentify(piece, disabled={"redactor"}, metadata=metadata)
            annotations.update(
                dd.Annotation(
                    text=a.text, start_char=a.start_char + offset, end_char=a.end_char + offset, tag=a.tag
                )
                for a in doc.annotations
            )
        offset += len(piece)
    result = model.processors["post_processing"]["redactor"].redact(text, annotations)
    if PARAGRAPH_BREAK.findall(result) != PARAGRAPH_BREAK.findall(text):
        # Cannot happen (no span leaves its paragraph); never hand out text that breaks the contract.
        raise RuntimeError("anonymize changed the paragraphs")
    return result


# --- our passes ---------------------------------------------------------------------------------------

# The document metadata key under which `anonymize(names=...)` hands its pattern to _KnownNames.
KNOWN_NAMES = "maatwerk_known_names"
# The document metadata key that switches on the passes of `anonymize_for_research`.
RESEARCH = "maatwerk_research"
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@functools.lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for the known names: each whole name, and each of its words of three letters or more
    that is not a particle ("van", "den") or a kept place, longest first so that a full name wins."""
    alternatives = set()
    for name in names:
        name = " ".join(name.split())
        if len(name) < 2:
            continue
        alternatives.add(name)
        # A double surname is also written in halves ("Kovalenko-Bakker": "Bakker").
        words = {part for word in _NAME_WORD.findall(name) for part in (word, *re.split(r"['’-]", word))}
        alternatives.update(
            word
            for word in words
            if len(word) >= 3 and word.casefold() not in _PARTICLES and not kept_place(word)
        )
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(
        r"(?<![^\W\d_])(?:" + "|".join(re.escape(a) for a in ordered) + r")(?![^\W\d_])", re.IGNORECASE
    )


class _KnownNames(dd.process.Annotator):
    """Tags the names the caller knows (see `anonymize`) whatever their letter case ("senait" typed in a
    hurry), except a lower-case mention that deduce lists as a common word ("berg" for "Van den Berg").
    Its list is short: "bakker" the trade is tagged when the household is called Bakker. Better a word too
    many in a quote than a name."""

    def __init__(self, known: Callable[[str], bool]) -> None:
        super().__init__(tag="persoon", priority=PRIORITY + 1)
        self.known = known

    def annotate(self, doc: dd.Document) -> list[dd.Annotation]:
        pattern = doc.metadata[KNOWN_NAMES] if doc.metadata is not None else None
        if pattern is None:
            return []
        found = []
        for match in pattern.finditer(doc.text):
            word = match.group()
            if word.islower() and self.known(word):
                continue
            found.append(
                dd.Annotation(
                    text=word,
                    start_char=match.start(),
                    end_char=match.end(),
                    tag=self.tag,
                    priority=self.priority,
                )
            )
        return found


# Two letters, two check digits, then groups of four (with or without spaces) and a shorter last group.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
_NL_IBAN_SHAPE = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")

# Nine digits as 3-3-3 or 4-2-3 with one kind of separator, or none.
_BSN = re.compile(r"(?<![\d.-])(?:\d{3}([ .-]?)\d{3}\1\d{3}|\d{4}([ .-]?)\d{2}\2\d{3})(?![.-]?\d| \d)")
_BSN_CONTEXT = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|sofi-?nummer)\b\W{0,12}$")

# A postcode with the house number after it: together they point at one front door. Postcodes do not use
# the letters SA, SD and SS.
_POSTCODE_HOUSENUMBER = re.compile(
    r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2},? (?:(?:huisnummer|huisnr\.?|nr\.?) ?)?\d{1,5}"
    r"(?:[ -]?[A-Z]{1,3}|-[a-z]{1,3}|[a-z]|-\d{1,4})?(?!\w)"
)

# Ten-digit Dutch numbers: deduce wants the area code straight after +31 ("+31 6 12345678", "0031 (0)20
# 1234567") and does not know 070 (Den Haag).
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)31[ -]?(?:\(0\)[ -]?)?|0)[1-9](?:[ -]?\d){8}(?!\d)")

# Dutch licence plates: three groups of letters or digits, six characters in all (78-KLX-3, AB-123-C).
_LICENCE_PLATE = re.compile(r"\b(?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3})\b")

# The name after the kind of school or childcare: "basisschool De Klimop", "kinderopvang Het Kleine Huis".
_SCHOOL = re.compile(
    r"\b(?i:basisschool|school|schoolgemeenschap|kinderopvang|kinderdagverblijf|peuterspeelzaal|bso|kdv|obs|cbs|ikc)"
    r" ((?:(?:de|het|'t) )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,3})"
)

# Long numbers written in groups ("CJIB 5102 3948 1123 0045", "zaak 2024-0117"): deduce only tags seven or
# more digits in one piece. Dates and amounts ("1.250.000") are not taken.
_GROUPED_NUMBER = re.compile(r"(?<![\w/])(?<!\d[.,-])\d{1,10}(?:[ .-]\d{1,10}){1,7}(?!\w|[.,-]\d|/)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATE_OR_AMOUNT = re.compile(r"\d{1,4}([-/.])\d{1,2}\1\d{1,4}|\d{1,3}(?:\.\d{3})+")

# A capitalised word right after a word for a relative or a client is a name: "zijn vrouw Senait".
_RELATIVE = re.compile(
    r"\b(?i:vrouw|man|echtgeno(?:te|ot)|(?:ex-)?partner|vriend(?:in)?|zoon(?:tje)?|dochter(?:tje)?|kind|moeder|"
    r"vader|broer(?:tje)?|zus(?:je|ter)?|oma|opa|tante|oom|neef|nicht|buurman|buurvrouw|cli[eë]nte?) "
    r"([^\W\d_]+(?:['’-][^\W\d_]+)*)"
)

# What deduce leaves of a house number's addition after "Heezerweg 112" or "Waterlandplein 12", and of
# initials after the first ("dhr. P" of "dhr. P.J.").
_HOUSE_NUMBER_ADDITION = re.compile(r"(?:-(?:[A-Za-z]{1,3}|\d{1,4})|[A-Z]|[a-z]{1,2}| (?:hs|bis))(?!\w)")
_ENDS_IN_DIGIT = re.compile(r"\d$")
_ENDS_IN_INITIAL = re.compile(r"(?<![^\W\d_])[A-Z]$")
_MORE_INITIALS = re.compile(r"(?:\.[A-Z])+\.?(?!\w)")

# A date with an abbreviated month and its full stop ("3 sept. 1985", "12 okt. '25"): deduce allows one
# character between month and year.
_DATE_ABBREVIATED = re.compile(
    r"(?i)(?<!\d)(?:[1-9]|0[1-9]|[12]\d|3[01])[-/. ]{1,2}(?:jan|feb|mrt|apr|jun|jul|aug|sept?|okt|nov|dec)\."
    r" ?(?:(?:19|20)?\d{2}|'\d{2})(?!\d)"
)

# The name of a ward, department, housing unit or care home after the word for it ("afdeling Waaier",
# "woongroep De Linde", "unit 3B", "paviljoen Het Anker"): with the municipality known, where someone is
# cared for or housed points at a handful of people. Two joined by "en" are one tag ("afdeling Healthcare
# en Retail"). Not "locatie" or "opvang": "locatie Woensel-Noord" is
# a neighbourhood team's office, and neighbourhoods stay.
_CARE_UNIT = re.compile(
    r"\b(?i:afdeling|afd\.|woongroep|woonvorm|woonlocatie|wooneenheid|woonunit|unit|paviljoen|kliniek|"
    r"verpleeghuis|verzorgingshuis|woonzorgcentrum|zorgcentrum|zorgboerderij|gezinshuis|huize|logeerhuis)"
    r"(?: van (?:de|het))? "
    r"((?:(?:[Dd]e|[Hh]et|'t) )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,3}(?: en [A-Z][\w'’-]+)?"
    r"|\d{1,3}[A-Za-z]?(?!\w)|[A-Z]\d{1,3}(?!\w))"
)

# "De Zilverling", "Het Anker" in the middle of a sentence: a capitalised article there begins a proper
# name, of a care home, a ward, a housing project. Below deduce's tags, which know the streets and names.
_ARTICLE_NAME = re.compile(r"(?<=[a-z,;] )(?:De|Het|'t) [A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,3}")

Span = tuple[int, int]


def _iban_span(match: re.Match, text: str) -> Span | None:
    # The pattern may have taken the word after the IBAN ("... 80 ten name"): drop trailing groups until
    # the check digits agree. A Dutch-shaped IBAN with wrong check digits (a typo) is still someone's
    # account number and is tagged all the same.
    candidate = match.group()
    while True:
        compact = stdnum_iban.compact(candidate)
        if stdnum_iban.is_valid(compact) or _NL_IBAN_SHAPE.fullmatch(compact):
            return match.start(), match.start() + len(candidate)
        if " " not in candidate:
            return None
        candidate = candidate.rsplit(" ", 1)[0]


def _bsn_span(match: re.Match, text: str) -> Span | None:
    # A number that passes the 11-check, or any nine digits right after "BSN" (a BSN with a typo).
    if stdnum_bsn.is_valid(match.group()) or _BSN_CONTEXT.search(
        text, max(0, match.start() - 40), match.start()
    ):
        return match.span()
    return None


def _grouped_number_span(match: re.Match, text: str) -> Span | None:
    number = match.group()
    years = all(_YEAR.fullmatch(group) for group in re.split(r"[ .-]", number))
    if sum(c.isdigit() for c in number) >= 7 and not years and not _DATE_OR_AMOUNT.fullmatch(number):
        return match.span()
    return None


def _field_or_place(words: list[str]) -> bool:
    """Every word one of the field's or a kept place: "afdeling Schuldhulpverlening" is a department of
    the municipality, "unit Eindhoven" or "De Eindhoven" no unit of care."""
    return all(w.casefold() in _FIELD_WORDS or kept_place(w) for w in words)


def _care_unit_span(match: re.Match, text: str) -> Span | None:
    words = [w for w in _WORD.findall(match.group(1)) if w.casefold() not in ("de", "het", "t")]
    if words and _field_or_place(words):
        return None
    return match.span(1)


def _article_name_span(match: re.Match, text: str) -> Span | None:
    if _field_or_place(_WORD.findall(match.group())[1:]):
        return None
    return match.span()


def _licence_plate_span(match: re.Match, text: str) -> Span | None:
    plate = match.group().replace("-", "")
    if len(plate) == 6 and not plate.isdigit() and not plate.isalpha():
        return match.span()
    return None


class _Pattern(dd.process.Annotator):
    """Tags each match of a pattern (or of one of its groups) that `accept` does not turn down."""

    def __init__(
        self,
        tag: str,
        pattern: re.Pattern,
        accept: Callable[[re.Match, str], Span | None] | None = None,
        group: int = 0,
        priority: int = PRIORITY,
    ) -> None:
        super().__init__(tag=tag, priority=priority)
        self.pattern, self.accept, self.group = pattern, accept, group

    def annotate(self, doc: dd.Document) -> list[dd.Annotation]:
        found = []
        for match in self.pattern.finditer(doc.text):
            span = self.accept(match, doc.text) if self.accept else match.span(self.group)
            if span is not None:
                start, end = span
                found.append(
                    dd.Annotation(
                        text=doc.text[start:end],
                        start_char=start,
                        end_char=end,
                        tag=self.tag,
                        priority=self.priority,
                    )
                )
        return found


def _our_annotators(known: Callable[[str], bool]) -> list[tuple[str, dd.process.Annotator]]:
    def relative_span(match: re.Match, text: str) -> Span | None:
        name = match.group(1)
        if _capitalised(name) and name.casefold() not in _FIELD_WORDS and not kept_place(name):
            return match.span(1)
        return None

    return [
        ("iban", _Pattern("iban", _IBAN, _iban_span)),
        ("bsn_grouped", _Pattern("bsn", _BSN, _bsn_span)),
        ("postcode_housenumber", _Pattern("locatie", _POSTCODE_HOUSENUMBER)),
        ("date_abbreviated", _Pattern("datum", _DATE_ABBREVIATED)),
        ("phone", _Pattern("telefoonnummer", _PHONE)),
        ("licence_plate", _Pattern("kenteken", _LICENCE_PLATE, _licence_plate_span)),
        ("school", _Pattern("instelling", _SCHOOL, group=1)),
        ("care_unit", _Pattern("locatie", _CARE_UNIT, _care_unit_span)),
        # Below deduce's tags (names, phone numbers, dates), so that these only fill what deduce leaves.
        ("relative", _Pattern("persoon", _RELATIVE, relative_span, priority=-1)),
        ("article_name", _Pattern("locatie", _ARTICLE_NAME, _article_name_span, priority=-1)),
        ("unknown_names", _UnknownNames(known)),
        ("known_names", _KnownNames(known)),
        ("grouped_number", _Pattern("id", _GROUPED_NUMBER, _grouped_number_span, priority=-1)),
    ]


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PARTICLES = frozenset("al bin ben da de den der di dos du el la le ten ter van von".split())


def _capitalised(word: str) -> bool:
    """True for "Gebremedhin" and "Al-Khatib"; not for "CJIB", "huur" or "A"."""
    return word[0].isupper() and any(c.islower() for c in word[1:])


class _UnknownNames(dd.process.Annotator):
    """Two or more capitalised words in a row (particles such as "van der" between them allowed) of which
    none is a word deduce knows or a term of the field: the names deduce's lists lack ("Tesfaye
    Gebremedhin", "Olena Kovalenko"). Deduce's own tags win where they overlap (priority -1)."""

    def __init__(self, known: Callable[[str], bool]) -> None:
        super().__init__(tag="persoon", priority=-1)
        self.known = known

    def annotate(self, doc: dd.Document) -> list[dd.Annotation]:
        text, found = doc.text, []
        run: list[re.Match] = []  # the capitalised words (and particles) of the current run

        def close_run() -> None:
            capitals = [m for m in run if _capitalised(m.group())]
            if len(capitals) >= 2:
                start, end = capitals[0].start(), capitals[-1].end()
                found.append(
                    dd.Annotation(
                        text=text[start:end],
                        start_char=start,
                        end_char=end,
                        tag=self.tag,
                        priority=self.priority,
                    )
                )
            run.clear()

        for match in _WORD.finditer(text):
            if run and text[run[-1].end() : match.start()] != " ":
                close_run()
            word = match.group()
            if _capitalised(word) and not self.known(word):
                run.append(match)
            elif run and word in _PARTICLES:
                run.append(match)
            else:
                close_run()
        close_run()
        return found


class _EveryMention(dd.process.AnnotationProcessor):
    """A name found once is a name everywhere in the text: tags the other mentions of the unknown words of
    each person's tag ("Gebremedhin" alone, after "mevrouw Gebremedhin")."""

    def __init__(self, known: Callable[[str], bool]) -> None:
        self.known = known

    def process_annotations(self, annotations: dd.AnnotationSet, text: str) -> dd.AnnotationSet:
        words = {
            word
            for a in annotations
            if a.tag == "persoon"
            for word in _WORD.findall(a.text)
            if len(word) > 2 and _capitalised(word) and not self.known(word) and not _TITLES.match(word + " ")
        }
        if not words:
            return annotations
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        mentions = re.finditer(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", text)
        return dd.AnnotationSet(
            [
                *annotations,
                *(
                    dd.Annotation(text=m.group(), start_char=m.start(), end_char=m.end(), tag="persoon")
                    for m in mentions
                ),
            ]
        )


class _KeepPlaces(dd.process.AnnotationProcessor):
    """Drops the tags on and inside a KEPT_PLACES name ("Den Haag" is tagged as a place, a surname, and
    "Haag" as a place again). In an address too: with the street and postcode gone, "Utrecht" after them
    says no more than anywhere else."""

    def process_annotations(self, annotations: dd.AnnotationSet, text: str) -> dd.AnnotationSet:
        # Found in the text, not only in the tags: deduce tags "Haag" of "den Haag".
        places = [m.span() for m in _KEPT_PLACE_MENTION.finditer(text)]
        places += [(a.start_char, a.end_char) for a in annotations if kept_place(a.text)]
        return dd.AnnotationSet(
            a
            for a in annotations
            if not any(start <= a.start_char and a.end_char <= end for start, end in places)
        )


# "van Janssen, Jan": deduce tags "Janssen" and "Jan" and leaves the particle before them untagged.
_SURNAME_FIRST = re.compile(
    r"((?:(?<![^\W\d_])(?i:van|de|den|der|ten|ter|te|von|le|la|el|al|di|da|du)\s+)+)$"
)
_COMMA = re.compile(r",\s*")


class _SurnameFirst(dd.process.AnnotationProcessor):
    """Joins "Janssen" and "Jan" of "van Janssen, Jan" into one person, with the particles before it: a
    surname written first keeps its "van" inside the tag (as "Jan van Janssen" does)."""

    def process_annotations(self, annotations: dd.AnnotationSet, text: str) -> dd.AnnotationSet:
        people = sorted((a for a in annotations if a.tag == "persoon"), key=lambda a: a.start_char)
        joined: dict[dd.Annotation, dd.Annotation] = {}
        for surname, first in zip(people, people[1:], strict=False):
            comma = _COMMA.fullmatch(text, surname.end_char, first.start_char)
            particles = _SURNAME_FIRST.search(text, max(0, surname.start_char - 30), surname.start_char)
            if comma is None or particles is None or surname in joined or " " in first.text.strip():
                continue
            start = particles.start(1)
            whole = dd.Annotation(
                text=text[start : first.end_char],
                start_char=start,
                end_char=first.end_char,
                tag="persoon",
                priority=max(surname.priority, first.priority),
            )
            joined[surname] = joined[first] = whole
        if not joined:
            return annotations
        return dd.AnnotationSet([*(a for a in annotations if a not in joined), *set(joined.values())])


class _Extend(dd.process.AnnotationProcessor):
    """Extends each annotation with `tag` whose text ends in `last` over what `pattern` matches right after
    it: deduce stops at "Heezerweg 112" of "Heezerweg 112-B" and at "dhr. P" of "dhr. P.J."."""

    def __init__(self, tag: str, last: re.Pattern, pattern: re.Pattern) -> None:
        self.tag, self.last, self.pattern = tag, last, pattern

    def process_annotations(self, annotations: dd.AnnotationSet, text: str) -> dd.AnnotationSet:
        result = dd.AnnotationSet()
        for a in annotations:
            match = a.tag == self.tag and self.last.search(a.text) and self.pattern.match(text, a.end_char)
            if match:
                a = dd.Annotation(
                    text=text[a.start_char : match.end()],
                    start_char=a.start_char,
                    end_char=match.end(),
                    tag=a.tag,
                    priority=a.priority,
                )
            result.add(a)
        return result


# Numbers are the same identifier when their digits and letters are; for names and places deduce's rule
# stands: one edit apart is the same (a typo).
_EXACT_TAGS = frozenset(
    {"bsn", "iban", "id", "telefoonnummer", "kenteken", "datum", "leeftijd", "emailadres", "url"}
)
_TITLES = re.compile(
    r"^(?:(?:mevrouw|mevr|mw|meneer|mijnheer|mnr|dhr|de heer|heer|familie|fam)\.?\s+)+", re.IGNORECASE
)
# Words that deduce's name patterns sometimes leave at the end of a name ("Rayan aan de" before a street).
_TRAILING_SMALL_WORDS = re.compile(r"(?:\s+(?:aan|de|den|der|het|in|op|te|ten|ter|van))+\s*$", re.IGNORECASE)


def _key(tag: str, text: str) -> str:
    if tag == "telefoonnummer":
        digits = re.sub(r"\D", "", text.replace("(0)", ""))
        if text.lstrip().startswith(("+31", "0031")):
            digits = "0" + digits.removeprefix("00").removeprefix("31")
        return digits
    if tag in _EXACT_TAGS:
        return re.sub(r"[\W_]", "", text).upper()
    return " ".join(text.casefold().split())


def _person_name(text: str) -> str:
    text = _TRAILING_SMALL_WORDS.sub("", _TITLES.sub("", text.strip()))
    # "van Janssen, Jan" is "Jan van Janssen".
    surname, comma, first = text.rpartition(",")
    if comma and first.strip() and " " not in first.strip():
        text = f"{first} {surname}"
    return " ".join(text.casefold().split())


def _person_keys(mentions: list[dd.Annotation]) -> dict[dd.Annotation, str]:
    """Each mention of a person mapped to a key shared by all mentions of that person: the full name
    ("fatima el amrani") when the text names exactly one person that the mention can refer to ("Mevrouw El
    Amrani", "Fatima", "F. el Amrani"), else the mention's own name."""
    names = {a: _person_name(a.text) for a in mentions}
    # A full name has a first name before the surname; "El Amrani" has two words but is the surname of
    # "Fatima el Amrani".
    several = {n for n in names.values() if len(n.split()) >= 2 and not n.split()[0].endswith(".")}
    full = {n for n in several if not any(n.split() == other.split()[1:] for other in several)}

    def refers_to(tokens: list[str], full_name: str) -> bool:
        first, *surname = full_name.split()
        return (
            tokens == [first]
            or tokens == surname
            or (tokens[0].endswith(".") and tokens[0][0] == first[0] and tokens[1:] == surname)
        )

    keys = {}
    for a, name in names.items():
        if not name:  # only small words were tagged
            keys[a] = " ".join(a.text.casefold().split())
            continue
        candidates = {f for f in full if f != name and refers_to(name.split(), f)} if name not in full else ()
        keys[a] = candidates.pop() if len(candidates) == 1 else name
    return keys


class _Redactor(dd.process.SimpleRedactor):
    """Deduce's `[TAG-n]` redaction, numbered per identifier rather than per spelling (see `_key` and
    `_person_keys`)."""

    def redact(self, text: str, annotations: dd.AnnotationSet) -> str:
        replacement: dict[dd.Annotation, str] = {}
        for tag, group in self._group_annotations_by_tag(annotations).items():
            ordered = sorted(group, key=lambda a: (a.end_char, a.start_char))
            if tag == "persoon":
                keys = _person_keys(ordered)
            else:
                keys = {a: _key(tag, a.text) for a in ordered}
            numbers: dict[str, int] = {}
            for a in ordered:
                key = keys[a]
                number = numbers.get(key)
                if number is None and tag not in _EXACT_TAGS:
                    number = next(
                        (
                            n
                            for k, n in numbers.items()
                            if DamerauLevenshtein.distance(key, k, score_cutoff=1) <= 1
                        ),
                        None,
                    )
                if number is None:
                    number = max(numbers.values(), default=0) + 1
                numbers[key] = number
                replacement[a] = f"{self.open_char}{tag.upper()}-{number}{self.close_char}"
        return self._replace_annotations_in_text(text, annotations, replacement)


def _build() -> Deduce:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from deduce import Deduce

    # Importing deduce runs logging.basicConfig(stream=sys.stdout, level=DEBUG) when nothing configured
    # logging yet (a plain script): log lines would then land in stdout, between the de-identified text.
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)

    # Deduce() unpickles ~1 GB of lookup structures, millions of objects that live as long as the process.
    # Left to the cyclic garbage collector they are traversed again and again while loading and ~3 s at
    # every full collection afterwards (measured: 6.3 s to load, 2.1 s without the collector). So load
    # without it and move everything allocated so far to the permanent generation (gc.freeze); the price is
    # that a cycle among objects of this moment that becomes garbage later is never collected.
    collecting = gc.isenabled()
    gc.disable()
    try:
        model = Deduce()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    lookups = [
        model.lookup_structs[name] for name in ("whitelist", "common_word", "stop_word", "medical_term")
    ]

    # Asked for every capitalised word of every text; a case note repeats its words, so remember them (the
    # lookups do not change while the process lives; 2**16 words are a few MB).
    @functools.lru_cache(maxsize=2**16)
    def known(word: str) -> bool:
        return (
            word.casefold() in _FIELD_WORDS or kept_place(word) or any(word in lookup for lookup in lookups)
        )

    from maatwerk.lib.anonymize import research

    ours = dd.process.DocProcessorGroup()
    for name, annotator in [*research.annotators(PRIORITY), *_our_annotators(known)]:
        ours.add_processor(name, annotator)
    top = model.processors.get_names(recursive=False)
    model.processors.add_processor("maatwerk", ours, position=top.index("post_processing"))
    post = model.processors["post_processing"]
    # Before deduce's overlap resolution, in this order: a mention of a kept place found by _EveryMention
    # is then dropped again by _KeepPlaces.
    post.add_processor("every_mention", _EveryMention(known), position=0)
    post.add_processor("keep_places", _KeepPlaces(), position=1)
    post.add_processor(
        "house_number_additions", _Extend("locatie", _ENDS_IN_DIGIT, _HOUSE_NUMBER_ADDITION), position=2
    )
    post.add_processor("more_initials", _Extend("persoon", _ENDS_IN_INITIAL, _MORE_INITIALS), position=3)
    post.add_processor("surname_first", _SurnameFirst(), position=4)
    post.remove_processor("redactor")
    post.add_processor("redactor", _Redactor(open_char="[", close_char="]"))
    return model
