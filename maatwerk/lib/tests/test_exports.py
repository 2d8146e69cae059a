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


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("2815.29000000000"), "2815.29"),
        (Decimal("0E-10"), "0.00"),
        (2815.29, "2815.29"),
        (Decimal("1234567.8"), "1234567.80"),
        (Decimal("-12.5"), "-12.50"),
        (None, ""),
    ],
)
def test_money_text_writes_whole_cents_without_float_noise(value, expected):
    from maatwerk.lib.exports import money_text

    assert money_text(value) == expected


def test_money_cell_is_a_number_in_cents_for_spreadsheets():
    from maatwerk.lib.exports import money_cell

    assert money_cell(Decimal("2815.29000000000")) == Decimal("2815.29")
    assert str(money_cell(Decimal("2815.29000000000"))) == "2815.29"
