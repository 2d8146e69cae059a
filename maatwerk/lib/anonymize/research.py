"""The stricter passes of `anonymize_for_research`: no date of any form, and a last safety pass.

What `anonymize` leaves because a case note reads better with it, a research file may not keep:

- Every date element but the year: a day with a month ("op 22 november", "07 apr.", "12 maart", "3e
  maart"), a day and month in figures ("22-11", "22/11"), a weekday before a date ("maandag 3 maart"), a
  month with a year ("maart 2025", "03-2025"), and a month on its own with or without a word for when in it
  ("in maart", "begin maart", "eind april", "medio mei"). Months are written out for this: "jan", "dec"
  alone are not taken ("Jan" is a name, and a name pass has it). A bare year ("2019") stays, as in the
  Safe Harbor rule of HIPAA: years are what research on recurrence needs, and a year alone points at no
  one. A weekday alone ("op maandag") and a time ("om 14.30") stay too. "22-11" is also how a range can be
  written ("10-12 uur"): in research text that range is lost, which is the price of never leaving a date.
- Numbers that look like an identifier whether or not they pass a check: any nine digits (a BSN with a
  typo fails the 11-check and is still someone's BSN), any IBAN-shaped string, any phone-shaped number,
  a postcode with a house number in any letter case, any e-mail address, and any number of six or more
  digits in one piece (a client or contract number, which `anonymize` leaves when it is that short).

The passes run inside deduce as annotators, so that their tags are numbered with the others; the same
safety patterns then run once more over the finished text (`sweep`), for anything that a tag boundary
could have left.
"""

from __future__ import annotations

import re

import docdeid as dd

from maatwerk.lib.anonymize import RESEARCH, _Pattern

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_MONTH_ABBREVIATIONS = r"jan|febr?|mrt|mar|apr|jun|jul|aug|sept?|okt|oct|nov|dec"
_MONTH = rf"(?:{_MONTHS}|(?:{_MONTH_ABBREVIATIONS})\b\.?)"
_WEEKDAY = r"(?:(?:maan|dins|woens|donder|vrij|zater|zon)dag|(?:ma|di|wo|do|vr|za|zo)\.?)"
_WHEN_IN = r"(?:begin|eind|einde|half|medio|midden|halverwege|eerste helft|tweede helft)"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:ste|de|e)?"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"

_DATES = re.compile(
    r"(?i)(?<![\w'])(?:"
    # (weekday) day month (year): "maandag 3 maart", "op 22 november", "07 apr.", "3e maart 2025"
    rf"(?:{_WEEKDAY},? )?(?:{_WHEN_IN}[ -])?{_DAY}[-/. ]{{0,2}}{_MONTH}(?:,? ?{_YEAR}(?!\d))?"
    # (weekday) day-month(-year) in figures: "22-11", "za 22/11", "22-11-'25"
    rf"|(?:{_WEEKDAY},? )?(?<![\d/.,-])(?:0?[1-9]|[12]\d|3[01])([-/])(?:0?[1-9]|1[0-2])"
    rf"(?:\1(?:(?:19|20)?\d{{2}}))?(?![\w/-]|[.,]\d)"
    # (when in) month (year): "maart 2025", "begin maart", "in april", "mrt. '24"
    rf"|(?:{_WHEN_IN}[ -])?(?:{_MONTHS})(?:,? ?{_YEAR}(?!\d))?"
    rf"|(?:{_WHEN_IN}[ -])?(?:{_MONTH_ABBREVIATIONS})\.? ?{_YEAR}(?!\d)"
    # month-year and full dates in figures, ISO too: "03-2025", "12.03.1984", "2025-03-12"
    r"|(?<![\d/.,-])(?:0?[1-9]|1[0-2])[-/](?:19|20)\d{2}(?![\w/-])"
    r"|(?<![\d/.,-])\d{1,2}([-/.])\d{1,2}\2(?:19|20)?\d{2}(?![\w/-]|[.,]\d)"
    r"|(?<![\d/.,-])(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?![\w/-])"
    r")(?![^\W\d_])"
)
# Shaped like a date, said otherwise: "24/7" (always open), "50/50".
_NOT_A_DATE = frozenset({"24/7", "7/24"})

# Nine digits with any separators between them: a BSN, valid or not.
_NINE_DIGITS = re.compile(r"(?<![\w.,/-])\d(?:[ .-]?\d){8}(?![\w]|[.,/-]?\d)")
# Two letters, two digits, then groups of letters and digits: any IBAN, whatever its check digits.
_IBAN_SHAPE = re.compile(r"(?i)(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")
# Ten digits from a leading 0 (or a country code), with brackets, spaces, dots or dashes anywhere:
# "(058)5061099", "06 - 1234 5678", "+31 (0)20 123 4567".
_PHONE_SHAPE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[1-9]\d{0,2}[ -]?(?:\(0\)[ -]?)?|\(?0)[1-9](?:[ ()./-]{0,2}\d){7,10}(?!\d)"
)
# A postcode with the house number, in any letter case ("5616 lb 27"), but not "2019 en 3".
_POSTCODE_SHAPE = re.compile(
    r"(?<!\w)[1-9]\d{3} ?(?!(?i:sa|sd|ss)\b)([A-Za-z]{2})(?!\w),? ?(?:(?i:huisnummer|huisnr\.?|nr\.?) ?)?"
    r"\d{1,5}(?:[ -]?[A-Za-z]{1,3}(?!\w)|-\d{1,4})?(?!\w)"
)
_SMALL_WORDS = frozenset("al am as at af de en er in is na nu of om op te tm to ze zo".split())
_EMAIL_SHAPE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Six or more digits in one piece: a client, contract or case number ("dossier 004512"); `anonymize` leaves
# numbers this short alone. Amounts written with separators ("1.250.000") are not one piece.
_LONG_NUMBER = re.compile(r"(?<![\w.,])\d{6,}(?![\w]|[.,]\d)")

Span = tuple[int, int]


_DAY_MONTH_FIGURES = re.compile(r"\d{1,2}[-/]\d{1,2}")


def _date_span(match: re.Match, text: str) -> Span | None:
    date = match.group()
    if date in _NOT_A_DATE:
        return None
    # "3-4 keer", "1/2 liter": a day and a month both of one digit is rarely how a date is written.
    if _DAY_MONTH_FIGURES.fullmatch(date) and sum(c.isdigit() for c in date) < 3:
        return None
    return match.span()


def _iban_span(match: re.Match, text: str) -> Span | None:
    return match.span() if sum(c.isdigit() for c in match.group()) >= 8 else None


def _phone_span(match: re.Match, text: str) -> Span | None:
    digits = sum(c.isdigit() for c in match.group())
    return match.span() if 10 <= digits <= 13 else None


def _postcode_span(match: re.Match, text: str) -> Span | None:
    letters = match.group(1)
    if letters.islower() and letters in _SMALL_WORDS:
        return None
    return match.span()


def _plain(match: re.Match, text: str) -> Span | None:
    return match.span()


# (name, tag, pattern, accept): the safety patterns first, they win where they overlap a date.
SAFETY = (
    ("research_email", "emailadres", _EMAIL_SHAPE, _plain),
    ("research_iban", "iban", _IBAN_SHAPE, _iban_span),
    ("research_postcode", "locatie", _POSTCODE_SHAPE, _postcode_span),
    ("research_phone", "telefoonnummer", _PHONE_SHAPE, _phone_span),
    ("research_bsn", "bsn", _NINE_DIGITS, _plain),
    ("research_number", "id", _LONG_NUMBER, _plain),
)
DATES = (("research_dates", "datum", _DATES, _date_span),)
_SAFETY_NAMES = frozenset((name, tag) for name, tag, _, _ in SAFETY)


class ResearchPattern(_Pattern):
    """`_Pattern` in research text only (the document's metadata says which), and skipped at once when
    the text cannot hold a match."""

    def __init__(self, tag: str, pattern: re.Pattern, accept, priority: int) -> None:
        super().__init__(tag, pattern, accept, priority=priority)

    def annotate(self, doc: dd.Document) -> list[dd.Annotation]:
        if doc.metadata is None or not doc.metadata[RESEARCH] or not _may_match(self.pattern, doc.text):
            return []
        return super().annotate(doc)


def annotators(priority: int) -> list[tuple[str, dd.process.Annotator]]:
    """The research passes as deduce annotators: safety numbers above everything, dates above names (a
    "Mei" or "April" is tagged either way)."""
    return [
        (name, ResearchPattern(tag, pattern, accept, priority + (10 if (name, tag) in _SAFETY_NAMES else 5)))
        for name, tag, pattern, accept in (*SAFETY, *DATES)
    ]


def _may_match(pattern: re.Pattern, text: str) -> bool:
    # The e-mail pattern is the slowest of the safety patterns (it tries every word); without an "@" it
    # cannot match.
    return pattern is not _EMAIL_SHAPE or "@" in text


_TAG = re.compile(r"\[([A-Z]+)-(\d+)\]")


def sweep(text: str) -> str:
    """`text` with whatever the safety and date patterns still find outside the tags replaced by a tag,
    numbered on from the tags already in the text (one number per distinct value)."""
    tags = [m.span() for m in _TAG.finditer(text)]
    found: list[tuple[int, int, str]] = []
    for _, tag, pattern, accept in (*SAFETY, *DATES):
        if not _may_match(pattern, text):
            continue
        for match in pattern.finditer(text):
            span = accept(match, text)
            if span is None:
                continue
            start, end = span
            if any(s < end and start < e for s, e in tags) or any(s < end and start < e for s, e, _ in found):
                continue
            found.append((start, end, tag))
    if not found:
        return text
    highest: dict[str, int] = {}
    for m in _TAG.finditer(text):
        highest[m.group(1)] = max(highest.get(m.group(1), 0), int(m.group(2)))
    numbers: dict[tuple[str, str], int] = {}
    for start, end, tag in sorted(found):
        key = (tag, re.sub(r"[\W_]", "", text[start:end]).casefold())
        if key not in numbers:
            highest[tag.upper()] = numbers[key] = highest.get(tag.upper(), 0) + 1
    for start, end, tag in sorted(found, reverse=True):
        key = (tag, re.sub(r"[\W_]", "", text[start:end]).casefold())
        text = f"{text[:start]}[{tag.upper()}-{numbers[key]}]{text[end:]}"
    return text
