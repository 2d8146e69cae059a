"""SEPA credit transfers without Django: text a bank accepts, and the check of a pain.001.001.03 file.

The ISO 20022 schema only bounds the length of a text (Max70Text: 1 to 70 characters); the EPC
implementation guidelines, which every SEPA bank follows, also restrict it to the Latin character set
a-z A-Z 0-9 / - ? : ( ) . , ' + and space. A bank refuses a file with "Zorg & Welzijn" or "Çelik" in
it, so the text is transliterated before it goes into the file, and every file is checked against
both: the official XSD that the sepaxml package ships, and the character set.
"""

import functools
import io
import re
from decimal import Decimal
from importlib import resources

import xmlschema
from text_unidecode import unidecode

# The EPC's Latin character set, for names and remittance text.
TEXT_PATTERN = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")
# Identifiers (MsgId, PmtInfId, EndToEndId): the same set without the space, and (EPC) not starting or
# ending with a slash nor holding two in a row.
ID_PATTERN = re.compile(r"(?!/)(?!.*//)[A-Za-z0-9/\-?:().,'+]+(?<!/)")
PAIN_001_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
# Elements that hold free text or identifiers, with the pattern their text must match.
_CHECKED = {"Nm": TEXT_PATTERN, "Ustrd": TEXT_PATTERN} | dict.fromkeys(
    ("MsgId", "PmtInfId", "EndToEndId"), ID_PATTERN
)
# Characters with a readable stand-in in the set (EPC217-08 converts & to +); the rest become spaces.
_STAND_INS = str.maketrans({"&": "+", '"': "'", "`": "'", "_": "-", "[": "(", "]": ")", "{": "(", "}": ")"})
# unidecode writes a dash as "--"; one is what was meant.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_NOT_TEXT = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_NOT_ID = re.compile(r"[^A-Za-z0-9/\-?:().,'+]")


def _latin(value) -> str:
    # unidecode transliterates (Ü -> U, ß -> ss, Ł -> L, € -> EUR) and drops what has no Latin form
    # (emoji); what is still outside the set afterwards (@, *, !, a tab) is replaced.
    return unidecode(str(value or "").translate(_DASHES)).translate(_STAND_INS)


def _cut(text: str, max_length: int) -> str:
    """At most `max_length` characters, cut at the last word boundary when one is in the second half."""
    if len(text) <= max_length:
        return text
    cut = text[:max_length]
    if text[max_length] != " ":
        space = cut.rfind(" ")
        if space > max_length // 2:
            cut = cut[:space]
    return cut.rstrip()


def sepa_text(value, max_length: int, *, fallback: str = "-") -> str:
    """`value` as a name or remittance text a SEPA bank accepts: Latin characters, 1 to `max_length` long.

    Accents are transliterated, an ampersand becomes "+", anything else outside the set a space;
    spaces are collapsed and over-long text is cut at a word boundary. A value with nothing left (only
    emoji, only spaces) becomes `fallback`, as the schema does not allow an empty name.
    """
    text = " ".join(_NOT_TEXT.sub(" ", _latin(value)).split())
    return _cut(text, max_length) or fallback[:max_length]


def sepa_id(value, max_length: int = 35, *, fallback: str = "NOTPROVIDED") -> str:
    """`value` as a SEPA identifier (message id, end-to-end id): no spaces, no leading, trailing or double
    slash, at most `max_length` characters; "NOTPROVIDED" (the EPC's word for no reference) when empty."""
    text = re.sub("/{2,}", "/", _NOT_ID.sub("", _latin(value)))
    return text[:max_length].strip("/") or fallback[:max_length]


def sepa_amount(amount) -> str:
    """An amount as SEPA writes it: two decimals, a point (the caller rounds it to cents first)."""
    return f"{amount:.2f}"


@functools.cache
def pain_001_schema() -> xmlschema.XMLSchema:
    """The official pain.001.001.03 schema, loaded once per process (parsing it takes a while)."""
    xsd = resources.files("sepaxml") / "schemas" / "pain.001.001.03.xsd"
    with resources.as_file(xsd) as path:
        return xmlschema.XMLSchema(str(path))


def pain_001_errors(data: bytes) -> list[str]:
    """Why a pain.001.001.03 file would be refused: schema errors, then text outside the EPC character set.

    An empty list means the file is valid. The messages are for the operator's log, in English.
    """
    try:
        resource = xmlschema.XMLResource(io.BytesIO(data))
    except (xmlschema.XMLResourceError, SyntaxError, ValueError) as exc:
        return [f"not well-formed XML: {exc}"]
    schema = pain_001_schema()
    errors = [f"{error.path}: {error.reason}" for error in schema.iter_errors(resource)]
    for element in resource.root.iter():
        namespace, _, tag = str(element.tag).rpartition("}")
        pattern = _CHECKED.get(tag)
        if pattern and namespace == "{" + PAIN_001_NS and not pattern.fullmatch(element.text or ""):
            errors.append(f"{tag}: {element.text!r} is outside the SEPA character set")
    return errors or _sum_errors(resource.root)


def _sum_errors(root) -> list[str]:
    """The EPC rules the schema cannot state: amounts in cents, 0.01 to 999,999,999.99, and each count
    and control sum equal to the transfers under it."""
    ns = {"p": PAIN_001_NS}
    errors = []
    every = []
    for block in root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns):
        amounts = [Decimal(a.text) for a in block.iterfind("p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns)]
        errors += [
            f"InstdAmt: {a} is not an amount in cents from 0.01 to 999999999.99"
            for a in amounts
            if not (Decimal("0.01") <= a <= Decimal("999999999.99") and a == a.quantize(Decimal("0.01")))
        ]
        errors += _totals(block, "PmtInf", amounts, ns)
        every += amounts
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    return errors + _totals(header, "GrpHdr", every, ns)


def _totals(element, name: str, amounts: list[Decimal], ns: dict) -> list[str]:
    errors = []
    count, total = element.find("p:NbOfTxs", ns), element.find("p:CtrlSum", ns)
    if count is not None and int(count.text) != len(amounts):
        errors.append(f"{name}/NbOfTxs: {count.text} but {len(amounts)} transfers")
    if total is not None and Decimal(total.text) != sum(amounts, Decimal(0)):
        errors.append(f"{name}/CtrlSum: {total.text} but the transfers add up to {sum(amounts, Decimal(0))}")
    return errors
