"""Reading and validating a catalogue file (CSV or XLSX) before anything is written.

Every row is checked; the caller imports only when :func:`validate` returns no problems. Row numbers are
the ones a spreadsheet shows: the header is row 1, the first item row 2.
"""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from maatwerk.lib.money import MAX_AMOUNT, format_eur

from .models import CODE_PATTERN, MAX_YEAR, MIN_YEAR, Confidence, Domain, Payer, Per

COLUMNS = [
    "code",
    "name_nl",
    "name_en",
    "amount_eur",
    "per",
    "unit_note",
    "year",
    "payer",
    "domain",
    "confidence",
    "source",
]
REQUIRED_VALUES = {"code", "name_nl", "amount_eur", "per", "year", "payer", "domain", "confidence", "source"}
# Optional extra column: "active" (ja/nee, yes/no, 1/0). Other columns are ignored.
TRUE_WORDS, FALSE_WORDS = {"1", "ja", "yes", "true", "waar"}, {"0", "nee", "no", "false", "onwaar"}
url_validator = URLValidator(schemes=["http", "https"])


class CatalogueFileError(Exception):
    """The file cannot be read at all (wrong type, not UTF-8, no header)."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, values by column)


def read_file(path: str | Path) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise CatalogueFileError(_("File not found: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    raise CatalogueFileError(_("Unknown file type %(suffix)s: use .csv or .xlsx.") % {"suffix": suffix})


def _read_csv(path: Path) -> Sheet:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise CatalogueFileError(_("The file is not UTF-8 encoded. Save it as “CSV UTF-8”.")) from None
    return _sheet(records)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)  # shortest form that round-trips: 1283.83 stays 1283.83
    return str(value)


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise CatalogueFileError(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _sheet(records)


def _sheet(records: list[list[str]]) -> Sheet:
    if not records:
        raise CatalogueFileError(_("The file is empty."))
    header = [h.strip().lower() for h in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any((v or "").strip() for v in record):
            continue  # blank lines are not rows
        values = {
            name: (record[i] if i < len(record) else "").strip() for i, name in enumerate(header) if name
        }
        rows.append((number, values))
    return Sheet(header=header, rows=rows)


@dataclass(frozen=True)
class ItemRow:
    """One valid row, as model field values."""

    code: str
    values: dict


def _choice(value: str, choices, column: str, row: int, problems: list[Problem]):
    allowed = [c for c in choices.values]
    if value not in allowed:
        problems.append(
            Problem(
                row,
                column,
                _("“%(value)s” is not allowed; choose from: %(allowed)s")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
        )
    return value


def validate(sheet: Sheet) -> tuple[list[ItemRow], list[Problem]]:
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in sheet.header]
    for column in missing:
        problems.append(Problem(1, column, _("this column is missing from the header")))
    if missing:
        return [], problems
    if not sheet.rows:
        problems.append(Problem(2, "code", _("the file has no rows to import")))
    items: list[ItemRow] = []
    first_row_of_code: dict[str, int] = {}
    for number, values in sheet.rows:
        row_problems: list[Problem] = []
        for column in COLUMNS:
            if column in REQUIRED_VALUES and not values.get(column):
                row_problems.append(Problem(number, column, _("this field is required")))

        code = values.get("code", "")
        if code and not re.fullmatch(CODE_PATTERN, code):
            row_problems.append(
                Problem(
                    number,
                    "code",
                    _(
                        "“%(value)s” is not a valid code: use capital letters, digits and underscores, "
                        "starting with a letter"
                    )
                    % {"value": code},
                )
            )
        if code in first_row_of_code:
            row_problems.append(
                Problem(
                    number,
                    "code",
                    _("code %(code)s also appears in row %(row)s")
                    % {"code": code, "row": first_row_of_code[code]},
                )
            )
        elif code:
            first_row_of_code[code] = number

        amount = None
        if values.get("amount_eur"):
            raw = values["amount_eur"]
            try:
                amount = Decimal(raw)
                if not amount.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                amount = None
                row_problems.append(
                    Problem(
                        number,
                        "amount_eur",
                        _("“%(value)s” is not an amount; write it like 1234.56 (point as decimal separator)")
                        % {"value": raw},
                    )
                )
            else:
                if amount < 0:
                    row_problems.append(Problem(number, "amount_eur", _("the amount cannot be negative")))
                elif amount > MAX_AMOUNT:
                    row_problems.append(
                        Problem(
                            number,
                            "amount_eur",
                            _("the amount may be at most %(max)s") % {"max": format_eur(MAX_AMOUNT)},
                        )
                    )
                elif amount != amount.quantize(Decimal("0.01")):
                    row_problems.append(Problem(number, "amount_eur", _("use at most two decimals (cents)")))

        if values.get("per"):
            _choice(values["per"], Per, "per", number, row_problems)
        if values.get("payer"):
            _choice(values["payer"], Payer, "payer", number, row_problems)
        if values.get("domain"):
            _choice(values["domain"], Domain, "domain", number, row_problems)
        if values.get("confidence"):
            _choice(values["confidence"], Confidence, "confidence", number, row_problems)

        year = None
        if values.get("year"):
            try:
                year = int(values["year"])
            except ValueError:
                row_problems.append(
                    Problem(number, "year", _("“%(value)s” is not a year") % {"value": values["year"]})
                )
            else:
                if not MIN_YEAR <= year <= MAX_YEAR:
                    row_problems.append(
                        Problem(
                            number,
                            "year",
                            _("the year must be between %(min)s and %(max)s")
                            % {"min": MIN_YEAR, "max": MAX_YEAR},
                        )
                    )

        if values.get("source"):
            try:
                url_validator(values["source"])
            except ValidationError:
                row_problems.append(
                    Problem(
                        number,
                        "source",
                        _("the source must be a web address starting with http:// or https://"),
                    )
                )
            if len(values["source"]) > 500:
                row_problems.append(
                    Problem(number, "source", _("the web address is too long (500 characters at most)"))
                )

        for column, limit in (("name_nl", 200), ("name_en", 200), ("unit_note", 100)):
            if len(values.get(column, "")) > limit:
                row_problems.append(
                    Problem(number, column, _("too long (%(limit)s characters at most)") % {"limit": limit})
                )

        active = True
        if "active" in sheet.header and values.get("active"):
            word = values["active"].lower()
            if word in TRUE_WORDS:
                active = True
            elif word in FALSE_WORDS:
                active = False
            else:
                row_problems.append(Problem(number, "active", _("write ja or nee")))

        problems.extend(row_problems)
        if not row_problems:
            items.append(
                ItemRow(
                    code=code,
                    values={
                        "name_nl": values["name_nl"],
                        "name_en": values.get("name_en", ""),
                        "amount": amount,
                        "per": values["per"],
                        "unit_note": values.get("unit_note", ""),
                        "year": year,
                        "payer": values["payer"],
                        "domain": values["domain"],
                        "confidence": values["confidence"],
                        "source_url": values["source"],
                        "active": active,
                    },
                )
            )
    return items, problems
