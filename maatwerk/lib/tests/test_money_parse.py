"""maatwerk.lib.money's entry point for amounts: parse_amount says why a value is no amount, and format_eur
shows even an absurd stored amount."""

from decimal import Decimal

import pytest

from maatwerk.lib import money


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1e11", "above"),
        (1e308, "above"),
        ("-0.01", "below"),
        ("0.001", "decimals"),
        ("NaN", "invalid"),
        ("-Infinity", "invalid"),
        ("", "invalid"),
        (True, "invalid"),
        ("1" * 5000, "above"),
    ],
)
def test_parse_amount_says_why_a_value_is_no_amount(value, code):
    with pytest.raises(money.AmountError) as caught:
        money.parse_amount(value)
    assert caught.value.code == code


def test_parse_amount_keeps_whole_cents_and_allows_negative_amounts_when_asked():
    assert money.parse_amount("12.50") == Decimal("12.50")
    assert money.parse_amount("12.500") == Decimal("12.50")  # a trailing zero is still whole cents
    assert money.parse_amount(-5, minimum=None) == Decimal("-5.00")


def test_format_eur_shows_absurd_stored_amounts_without_failing():
    assert money.format_eur(Decimal("1E+300")).startswith("€ 1.000.000")
    assert money.format_eur(float("inf")) == "—"
    assert money.format_eur(Decimal("1E+300"), decimals=0).endswith(".000")
