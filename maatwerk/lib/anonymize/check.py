"""A light check for personal data in text typed into a web form (the barrier register), without deduce.

`find_personal_data(text, names)` runs the pattern passes of `maatwerk.lib.anonymize` plus street + house
number, e-mail addresses, dates of birth and titled names, and looks for the names the caller passes; it
finds, it does not replace (`mask_personal_data` does). Loading deduce (~1 GB, ~2 s) in every web worker is
out of the question, so this module never does.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Iterable

from maatwerk.lib.anonymize import (
    _BSN,
    _FIELD_WORDS,
    _GROUPED_NUMBER,
    _IBAN,
    _LICENCE_PLATE,
    _PHONE,
    _POSTCODE_HOUSENUMBER,
    _RELATIVE,
    _WORD,
    Span,
    _bsn_span,
    _capitalised,
    _grouped_number_span,
    _iban_span,
    _licence_plate_span,
    kept_place,
)

#
# For text typed into a web form (the barrier register), where loading deduce (~1 GB, ~2 s) in every web
# worker is out of the question. It finds what has a shape (numbers, addresses, dates of birth, e-mail
# addresses, plates), names after a title or a word for a relative, and the names the caller knows to look
# for (the households it has at hand). What it cannot find are names without such a hint that the caller
# does not know: deduce's name lists are what would find those. `anonymize()` does not use any of this.

# Street names end in one of these: "Kerkstraat 12", "Willem de Zwijgerlaan 3", "Oude Gracht 12-bis".
_STREET_ENDINGS = (
    "straat|straatweg|laan|weg|plein|pleintje|gracht|kade|singel|dreef|hof|pad|steeg|dijk|park|plantsoen|"
    "markt|ring|wal|erf|dal|burg|boulevard|allee|haven|hoven|berg|brink|donk|akker|veld|hoek|zijde|oord|"
    "kwartier|poort|passage|promenade|drift|gaarde|hove|horst|kamp|vaart|kant|kaai|rade|stede|straatje"
)
_STREET = re.compile(
    r"(?<![\w-])(?:[A-Z][\w'’.-]* (?:(?:[A-Z][\w'’.-]*|van|de|der|den|het|ten|ter|'t) ){0,2})?"
    rf"(?:[A-Z][a-zà-ÿ'’-]*(?:{_STREET_ENDINGS})|"
    + "|".join(f"{w[0].upper()}{w[1:]}" for w in _STREET_ENDINGS.split("|"))
    + r") (?:(?:huisnummer|huisnr\.?|nr\.?) ?)?\d{1,4}"
    r"(?:-(?:[A-Za-z]{1,3}|\d{1,4})|[A-Za-z]{1,2}| (?:hs|bis))?"
    # Not a count or a duration: "Afsluitdijk 3 keer", "Stationsplein 2 weken".
    r"(?![\w,.]?\d)(?!\s?(?:%|euro|jaar|maand|week|weken|dag|keer|uur|km|kilometer|huishouden|gezin|"
    r"personen|kinderen|mensen|meter|m2|maal))"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_BIRTH_DATE = re.compile(
    r"(?i)\b(?:geboren|geb\.|geboortedatum|geb\.? ?datum|geboortedag|geboortejaar)(?:\s+(?:op|in|:))?:?\s*"
    rf"(\d{{1,2}}[-/. ]\d{{1,2}}[-/. ](?:19|20)?\d{{2}}|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+'?(?:19|20)?\d{{2}}"
    r"|(?:19|20)\d{2}(?:-\d{2}-\d{2})?)(?!\d)"
)
# A single run of seven or more digits: a case, customer or CJIB number (ten from 0 are phone numbers).
_LONG_NUMBER = re.compile(r"(?<![\w.,-])\d{7,}(?![\w]|[.,-]\d)")
_AMOUNT_BEFORE = re.compile(r"(?:€|\beur|\beuro)\s?$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"\s?(?:,-|,\d\d|euro\b|eur\b)", re.IGNORECASE)
# A title and a capitalised name, with initials and particles: "mevrouw Jansen", "dhr. P.J. de Vries",
# "mw. El Amrani", "familie Van Dam".
_TITLED_NAME = re.compile(
    r"(?<![^\W\d_])(?i:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|mnr\.?|dhr\.?|de heer|familie|fam\.?)"
    r"(?![^\W\d_]) ?"
    r"((?:[A-Z]\.\s?)*(?:(?i:van|de|der|den|ter|ten|el|al|la|le|du|da|op|in|'t) )*"
    r"[^\W\d_]+(?:['’-][^\W\d_]+)*)"
)

LIGHT_KINDS = (
    "bsn",
    "iban",
    "postcode",
    "address",
    "phone",
    "email",
    "birth_date",
    "plate",
    "number",
    "name",
)


@dataclasses.dataclass(frozen=True)
class Finding:
    """Personal data found by `find_personal_data`: one of LIGHT_KINDS and where it is."""

    kind: str
    start: int
    end: int
    text: str


def _is_name(word: str) -> bool:
    # The last word of a titled name or after "zoon", "moeder": not an agency (UWV is not capitalised in
    # this sense), a term of the field ("mevrouw De Belastingdienst") or one of the municipalities.
    last = _WORD.findall(word)[-1] if _WORD.findall(word) else ""
    return _capitalised(last) and last.casefold() not in _FIELD_WORDS and not kept_place(last)


_DIGIT = re.compile(r"\d")
_AT = re.compile("@")


def _light_passes() -> list[
    tuple[str, re.Pattern | None, re.Pattern, Callable[[re.Match, str], Span | None] | None]
]:
    def titled(match: re.Match, text: str) -> Span | None:
        return match.span() if _is_name(match.group(1)) else None

    def relative(match: re.Match, text: str) -> Span | None:
        return match.span() if _is_name(match.group(1)) else None

    def long_number(match: re.Match, text: str) -> Span | None:
        before = text[max(0, match.start() - 5) : match.start()]
        if _AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.match(text, match.end()):
            return None
        return match.span()

    def grouped_number(match: re.Match, text: str) -> Span | None:
        return long_number(match, text) if _grouped_number_span(match, text) else None

    def birth_date(match: re.Match, text: str) -> Span | None:
        return match.span(1)

    # In order of precedence where two overlap: a BSN is not also "a number", "06-12345678" not a plate.
    # The second column is what a text must contain for the pass to find anything: most barrier texts
    # have no digit, and skipping the passes that need one halves the time of the check.
    return [
        ("iban", _DIGIT, _IBAN, _iban_span),
        ("bsn", _DIGIT, _BSN, _bsn_span),
        ("email", _AT, _EMAIL, None),
        ("phone", _DIGIT, _PHONE, None),
        ("postcode", _DIGIT, _POSTCODE_HOUSENUMBER, None),
        ("address", _DIGIT, _STREET, None),
        ("birth_date", _DIGIT, _BIRTH_DATE, birth_date),
        ("plate", _DIGIT, _LICENCE_PLATE, _licence_plate_span),
        ("name", None, _TITLED_NAME, titled),
        ("name", None, _RELATIVE, relative),
        ("number", _DIGIT, _LONG_NUMBER, long_number),
        ("number", _DIGIT, _GROUPED_NUMBER, grouped_number),
    ]


_LIGHT_PASSES = _light_passes()
_MAX_NAME_WORDS = 4


def name_candidates(text: str) -> set[str]:
    """The runs of one to four words of `text` that end in a capitalised word, lower-cased as written
    ("jansen", "de vries", "el amrani"): what a caller looks up among the household names it knows, so
    that it need not load them all."""
    words = list(_WORD.finditer(text))
    found = set()
    for i, last in enumerate(words):
        if not _capitalised(last.group()) or len(last.group()) < 3:
            continue
        for first in range(i, max(-1, i - _MAX_NAME_WORDS), -1):
            if first < i and not re.fullmatch(r"[ -]", text[words[first].end() : words[first + 1].start()]):
                break
            found.add(text[words[first].start() : last.end()].lower())
    return found


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """The personal data in `text` that the pattern passes find without deduce, and every whole-word
    mention of `names` (any case; names shorter than three letters are ignored), ordered by position and
    without overlaps. Cheap: no model is loaded."""
    spans: list[tuple[int, int, int, str]] = []  # (start, end, precedence, kind)
    has = {_DIGIT: bool(_DIGIT.search(text)), _AT: "@" in text, None: True}
    for precedence, (kind, needs, pattern, accept) in enumerate(_LIGHT_PASSES):
        if not has[needs]:
            continue
        for match in pattern.finditer(text):
            span = accept(match, text) if accept else match.span()
            if span is not None:
                spans.append((span[0], span[1], precedence, kind))
    wanted = sorted({" ".join(n.split()) for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if wanted:
        alternatives = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in wanted)
        known = re.compile(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", re.IGNORECASE)
        spans.extend((m.start(), m.end(), len(_LIGHT_PASSES), "name") for m in known.finditer(text))
    # Accepted spans never overlap, so a new one need only be compared with its neighbours by start
    # (a text of many short numbers has thousands of candidates).
    starts: list[int] = []
    kept: list[Finding] = []
    for start, end, _, kind in sorted(spans, key=lambda s: (s[2], s[0])):
        i = bisect.bisect_left(starts, start)
        if (i < len(kept) and kept[i].start < end) or (i > 0 and kept[i - 1].end > start):
            continue
        starts.insert(i, start)
        kept.insert(i, Finding(kind, start, end, text[start:end]))
    return kept


def mask_personal_data(text: str, findings: Iterable[Finding], replacement: str = "[verwijderd]") -> str:
    """`text` with each finding replaced by `replacement`."""
    out, at = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        out.append(text[at : f.start])
        out.append(replacement)
        at = f.end
    out.append(text[at:])
    return "".join(out)
