"""Export helpers (no Django): cell values that spreadsheet programs will not execute as formulas."""

from datetime import date, datetime
from decimal import Decimal

from maatwerk.lib.money import round_money

# A cell starting with one of these is read as a formula (or DDE) by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write into a CSV or XLSX cell. Numbers and dates stay typed; text that starts with a
    formula trigger gets a leading apostrophe (OWASP CSV injection advice), so it is shown, not run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal, date, datetime)):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def money_cell(value) -> Decimal | str:
    """An amount for an export: whole cents as a typed number (``Decimal("2815.29")``), so a spreadsheet can
    sum it and a CSV reads "2815.29". A sum from SQLite comes back as a float-like decimal
    ("2815.29000000000"); an empty amount stays empty."""
    if value is None or value == "":
        return ""
    return round_money(value)


def money_text(value) -> str:
    """An amount as export text: "2815.29" (a dot, two decimals, no thousands separator), "" when empty."""
    amount = money_cell(value)
    return "" if amount == "" else f"{amount:.2f}"
