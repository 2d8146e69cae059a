"""Field parsers and input bounds shared by the service functions, forms and API schemas.

Each parser takes the raw value, the field's name and the dict of errors the service is collecting; on bad
input it adds a Dutch message under that field and returns an empty value, so a service reports every
wrong field at once and writes nothing. The bounds are constants here, so a form, an API schema and the
service they call never disagree about what fits.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.lib import money
from maatwerk.lib.anonymize.check import find_personal_data

# --- bounds -------------------------------------------------------------------------------------------

# A note, a situation, a reflection: about ten pages of text. Longer is a paste accident, and every page
# that shows the case renders it.
MAX_TEXT = 20_000
# A household registered in one go, and the persons a household may hold in all.
MAX_PERSONS = 25
# Participants of one MDT consultation.
MAX_PARTICIPANTS = 20
# Ids sent in one request (a barrier group).
MAX_IDS = 500
# A search term: the longest household name.
MAX_SEARCH = 120
# Pages of a list; page x per_page stays far below the 64-bit row offset a database accepts.
MAX_PAGE = 10_000
# Primary keys are 64-bit signed integers on both databases.
MAX_ID = 2**63 - 1
# Dates: nothing in a case file happened before 1900, and nothing is planned more than two years ahead.
EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 2
EARLIEST_BIRTH_YEAR = 1900


def column_length(model, field: str) -> int:
    """A short text field's bound: its column's max_length."""
    return model._meta.get_field(field).max_length


def latest_date() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


# --- characters ---------------------------------------------------------------------------------------

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def bad_character(value: str, *, replacement_ok: bool = True) -> str | None:
    """The first character that is not text, or None.

    Refused: control characters other than tab and line ends (PostgreSQL refuses NUL in text), lone
    surrogates (JSON may hold them, no database stores them) and Unicode noncharacters such as U+FFFF and
    U+10FFFF. U+FFFD is what Django puts in place of bytes that are not UTF-8; `replacement_ok=False`
    refuses it where such input can only be a broken request (a search term).
    """
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc" and char not in _ALLOWED_CONTROLS:
            return char
        if category == "Cs":
            return char
        code = ord(char)
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return char
        if char == "\ufffd" and not replacement_ok:
            return char
    return None


def character_error(char: str) -> str:
    return _("Remove the character %(code)s: it is not text.") % {"code": f"U+{ord(char):04X}"}


# --- parsers ------------------------------------------------------------------------------------------


def parse_text(
    value, field: str, errors: dict, *, required: bool = False, max_length: int | None = MAX_TEXT
) -> str:
    """Stripped text; at most `max_length` characters (MAX_TEXT unless the column is shorter)."""
    if value is not None and not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = (value or "").strip()
    char = bad_character(value)
    if char is not None:
        errors[field] = character_error(char)
        return ""
    if required and not value:
        errors[field] = _("This field is required.")
    elif max_length and len(value) > max_length:
        errors[field] = _("Use at most %(n)d characters.") % {"n": max_length}
    return value


def parse_choice(value, choices, field: str, errors: dict, *, required: bool = True):
    """A member of a TextChoices/IntegerChoices class, or "" when left empty (and not required)."""
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return ""
    try:
        known = value in choices.values
    except TypeError:  # an unhashable value from JSON (a list, an object)
        known = False
    if not known:
        errors[field] = _("Choose one of the options.")
        return ""
    return choices(value)


def parse_picklist(values, choices, field: str, errors: dict) -> int:
    """Several IntegerChoices values (1..31) as one bitmask, bit (value - 1) per value (as
    maatwerk.cases.lib.to_mask, which this module cannot import: domain apps build on it)."""
    if isinstance(values, str | bytes) or not hasattr(values or [], "__iter__"):
        errors[field] = _("Choose from the list.")
        return 0
    try:
        ints = [int(v) for v in (values or [])]
    except (TypeError, ValueError):
        errors[field] = _("Choose from the list.")
        return 0
    if any(v not in choices.values for v in ints):
        errors[field] = _("Choose from the list.")
        return 0
    return sum({1 << (v - 1) for v in ints})


# ASCII digits only (int() also reads "١٢" and "１２"), and few enough that int() stays cheap.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,30}")


def parse_int(value, field: str, errors: dict, low: int, high: int, *, required: bool) -> int | None:
    """A whole number from `low` to `high`; a float with decimals or a number out of range is refused."""
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    if isinstance(value, bool):
        errors[field] = _("Enter a whole number.")
        return None
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value.strip()):
        errors[field] = _("Enter a whole number.")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors[field] = _("Enter a whole number.")
        return None
    if isinstance(value, float) and value != number:
        errors[field] = _("Enter a whole number.")
        return None
    if not low <= number <= high:
        errors[field] = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        return None
    return number


def parse_page(value, errors: dict, field: str = "page") -> int:
    """A page number of a list, 1 when not given."""
    page = parse_int(value, field, errors, 1, MAX_PAGE, required=False)
    return page or 1


def parse_id(value, field: str, errors: dict, *, required: bool = True) -> int | None:
    """A primary key: a whole number that fits the database's 64-bit column."""
    return parse_int(value, field, errors, 1, MAX_ID, required=required)


def parse_ids(values, field: str, errors: dict) -> list[int]:
    """A list of primary keys (at most MAX_IDS); one error for the field if any is not an id."""
    values = list(values or [])
    if len(values) > MAX_IDS:
        errors[field] = _("Give at most %(n)d items.") % {"n": MAX_IDS}
        return []
    scratch: dict = {}
    ids = [parse_id(v, field, scratch) for v in values]
    if scratch:
        errors[field] = _("Choose from the list.")
        return []
    return list(dict.fromkeys(ids))


def parse_search(value, errors: dict, field: str = "q") -> str:
    """A search term: stripped, at most MAX_SEARCH characters; blank is no search."""
    if value is None:
        return ""
    value = str(value).strip()
    char = bad_character(value, replacement_ok=False)
    if char is not None:
        errors[field] = character_error(char)
        return ""
    if len(value) > MAX_SEARCH:
        errors[field] = _("Use at most %(n)d characters.") % {"n": MAX_SEARCH}
        return ""
    return value


def amount_error(exc: money.AmountError, *, below: str | None = None, example: str = "125,50") -> str:
    """The Dutch message for an amount that `money.parse_amount` refused; `below` words the lower bound
    where "cannot be negative" is not what the field means (a spend must be more than zero)."""
    if exc.code == "above":
        return _("The amount may be at most %(max)s.") % {
            "max": money.format_eur(exc.limit or money.MAX_AMOUNT)
        }
    if exc.code == "below":
        return below or _("The amount cannot be negative.")
    if exc.code == "decimals":
        return _("Use at most two decimals (whole cents).")
    return _("Enter an amount in euros, e.g. %(example)s.") % {"example": example}


# How an amount typed in a Dutch form is read. Dots between groups of three digits are thousands
# separators ("6.500" is six thousand five hundred) and a comma is the decimal sign ("6.500,00", "6500,5").
# A single dot followed by one or two digits ("6500.50", typed on an English keyboard or copied from a
# bank export) can only be a decimal point: no Dutch writer groups two digits. Anything else that mixes
# the signs ("6,500.00", "1.2.3", "1.23,4.5") is refused rather than guessed.
_TYPED_AMOUNT = (
    (re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d*)?$"), lambda v: v.replace(".", "").replace(",", ".")),
    (re.compile(r"^-?\d*,\d*$"), lambda v: v.replace(",", ".")),
)
_AMOUNT_NOISE = re.compile(r"(€|eur|\s)", re.IGNORECASE)


def normalise_typed_amount(value: str) -> str:
    """A typed amount in the notation Decimal reads: "€ 6.500,00" → "6500.00", "6500,5" → "6500.5",
    "6.500" → "6500", "6500.50" stays; a notation that is not Dutch is returned as typed (and refused)."""
    value = _AMOUNT_NOISE.sub("", value)
    for pattern, rewrite in _TYPED_AMOUNT:
        if pattern.match(value) and any(c.isdigit() for c in value):
            return rewrite(value)
    return value


def parse_money(
    value,
    field: str,
    errors: dict,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = money.MAX_AMOUNT,
    below: str | None = None,
) -> Decimal | None:
    """An amount in whole cents within [minimum, maximum] (the one maximum for money by default); on bad
    input a Dutch message under `field` and None. Text is read the Dutch way (`normalise_typed_amount`)."""
    if isinstance(value, str):
        value = normalise_typed_amount(value)
    try:
        return money.parse_amount(value, minimum=minimum, maximum=maximum)
    except money.AmountError as exc:
        errors[field] = amount_error(exc, below=below)
        return None


def _show(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def parse_date(
    value,
    field: str,
    errors: dict,
    *,
    required: bool = True,
    earliest: datetime.date | None = None,
    latest: datetime.date | None = None,
) -> datetime.date | None:
    """A date from a date or an ISO string, from `earliest` (1 January 1900) to `latest` (two years from
    today); on failure the error is added under `field` and None returned."""
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            errors[field] = _("Enter a valid date.")
            return None
    earliest = earliest or EARLIEST_DATE
    latest = latest or latest_date()
    if not earliest <= value <= latest:
        errors[field] = _("Enter a date from %(earliest)s to %(latest)s.") % {
            "earliest": _show(earliest),
            "latest": _show(latest),
        }
        return None
    return value


# --- BSN ----------------------------------------------------------------------------------------------


def is_valid_bsn(value: str) -> bool:
    """A BSN by python-stdnum's check (length, 11-check), written in ASCII digits only: stdnum turns
    full-width digits ("１２３") into ASCII before it checks, and such a number is not what we store."""
    from stdnum.nl import bsn as stdnum_bsn

    if not value.isascii():
        return False
    return stdnum_bsn.is_valid(value)


def parse_bsn(value, errors: dict, field: str = "bsn") -> str:
    """An optional BSN, compacted (spaces, dots and dashes removed); "" when left empty."""
    from stdnum.nl import bsn as stdnum_bsn

    if value is not None and not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    value = (value or "").strip()
    if not value:
        return ""
    if not is_valid_bsn(value):
        errors[field] = _("This is not a valid BSN: it must be 9 digits and pass the 11-check.")
        return ""
    return stdnum_bsn.compact(value)


# --- personal data in free text ------------------------------------------------------------------------

# What `maatwerk.lib.anonymize.check.find_personal_data` finds, by its kind code.
PERSONAL_DATA_KINDS = {
    "bsn": gettext_lazy("a BSN"),
    "iban": gettext_lazy("an IBAN"),
    "postcode": gettext_lazy("a postcode with house number"),
    "address": gettext_lazy("an address with house number"),
    "phone": gettext_lazy("a phone number"),
    "email": gettext_lazy("an e-mail address"),
    "birth_date": gettext_lazy("a date of birth"),
    "plate": gettext_lazy("a licence plate"),
    "number": gettext_lazy("a case or customer number"),
    "name": gettext_lazy("a name"),
}
_QUOTED = 40  # characters of a finding quoted back in the error message


def personal_data_message(label: str, findings, advice: str) -> str:
    """ "Context: bevat een BSN ('123 456 782') en een naam ('Jansen'). <advice>" for the findings of
    `find_personal_data` in a field the user typed a moment ago (so quoting it back leaks nothing)."""
    parts = []
    for f in findings[:3]:
        quoted = f.text if len(f.text) <= _QUOTED else f.text[: _QUOTED - 1] + "…"
        parts.append(_("%(kind)s ('%(text)s')") % {"kind": PERSONAL_DATA_KINDS[f.kind], "text": quoted})
    if len(findings) > 3:
        parts.append(_("%(n)d more") % {"n": len(findings) - 3})
    found = parts[0]
    if len(parts) > 1:
        found = _("%(list)s and %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}
    return _("%(field)s: contains %(found)s.") % {"field": label, "found": found} + " " + advice


def check_personal_data(text: str, field: str, label: str, errors: dict, advice: str, names=()) -> None:
    """Add the Dutch error for personal data in a text the user typed, found by the light check
    (`find_personal_data`: patterns, titled names, and `names`; no deduce, so fit for a web request). A
    field already in `errors` is skipped: one message per field."""
    if text and field not in errors:
        findings = find_personal_data(text, names)
        if findings:
            errors[field] = personal_data_message(label, findings, advice)
