"""The pure helpers: money rounding and formatting, CPI uprating, per-month and per-year conversion."""

from decimal import Decimal

import pytest

from maatwerk.lib.money import format_eur, round_money
from maatwerk.lib.prices import MissingIndexYear, Periodic, periodic, uprate

INDEX = {2014: Decimal("99.36"), 2018: Decimal("103.43"), 2024: Decimal("130.20"), 2026: Decimal("137.59")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004"), Decimal("0.00")),
        (Decimal("-0.005"), Decimal("-0.01")),
        (Decimal("2.675"), Decimal("2.68")),
        (2.675, Decimal("2.68")),  # a float goes through its shortest repr, not its binary value
        ("1283.835", Decimal("1283.84")),
        (7, Decimal("7.00")),
    ],
)
def test_round_money_rounds_half_up_to_cents(value, expected):
    assert round_money(value) == expected


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (Decimal("1234.56"), "nl", "€ 1.234,56"),
        (Decimal("1234567.5"), "nl", "€ 1.234.567,50"),
        (Decimal("0"), "nl", "€ 0,00"),
        (Decimal("999.999"), "nl", "€ 1.000,00"),
        (Decimal("-12.3"), "nl", "€ -12,30"),
        (Decimal("1234.56"), "en", "€1,234.56"),
        (Decimal("1234.56"), "nl-nl", "€ 1.234,56"),
    ],
)
def test_format_eur(value, language, expected):
    assert format_eur(value, language) == expected


def test_format_eur_whole_euros_and_empty():
    assert format_eur(Decimal("11600.50"), "nl", decimals=0) == "€ 11.601"
    assert format_eur(None) == ""


def test_uprate_is_pinned_to_the_cent():
    # 1500 × 137.59 / 99.36 = 2077.1437… → 2077.14
    assert uprate(Decimal("1500"), 2014, 2026, INDEX) == Decimal("2077.14")
    # 14000 × 130.20 / 103.43 = 17623.5135… → 17623.51
    assert uprate(Decimal("14000"), 2018, 2024, INDEX) == Decimal("17623.51")
    assert uprate(Decimal("1283.83"), 2024, 2024, INDEX) == Decimal("1283.83")
    # Deflating works too: 137.59 in 2026 prices is 99.36 in 2014 prices.
    assert uprate(Decimal("137.59"), 2026, 2014, INDEX) == Decimal("99.36")


def test_uprate_refuses_a_year_missing_from_the_index():
    with pytest.raises(MissingIndexYear) as exc:
        uprate(Decimal("10"), 2011, 2026, INDEX)
    assert exc.value.year == 2011


def test_periodic_only_where_the_unit_allows_it():
    assert periodic(Decimal("1283.83"), "month") == Periodic(None, Decimal("1283.83"), Decimal("15405.96"))
    assert periodic(Decimal("14000"), "year") == Periodic(None, Decimal("1166.67"), Decimal("14000.00"))
    assert periodic(Decimal("7500"), "once") == Periodic(Decimal("7500.00"), None, None)
    # An hourly rate has no monthly figure until someone says how many hours.
    assert periodic(Decimal("18.02"), "hour") == Periodic(None, None, None)
    assert periodic(Decimal("18.02"), "hour", 10) == Periodic(None, Decimal("180.20"), Decimal("2162.40"))
    assert periodic(Decimal("262"), "day", Decimal("30.5")) == Periodic(
        None, Decimal("7991.00"), Decimal("95892.00")
    )
