"""Export helpers (no Django): cell values that spreadsheet programs will not execute as formulas."""

from datetime import date, datetime
from decimal import Decimal

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
