import datetime
from decimal import Decimal

import pytest

from maatwerk.lib.exports import safe_cell


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("art. 30 Awir", "art. 30 Awir"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell_escapes_formula_triggers(value, expected):
    assert safe_cell(value) == expected


def test_safe_cell_keeps_numbers_and_dates_typed():
    assert safe_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert safe_cell(3) == 3
    assert safe_cell(datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 1)
    assert safe_cell(True) == "True"
