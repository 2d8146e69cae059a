"""Price-level arithmetic on plain data (no Django): uprating with a price index, and unit conversion.

The index is a mapping ``year → index number`` (CBS CPI, all households, annual average, 2015 = 100).
An amount in prices of ``from_year`` becomes ``amount × index[to_year] / index[from_year]`` in prices
of ``to_year``, rounded to cents once, at the end.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .money import round_money, to_decimal

# Units an amount can be "per". Kept here as plain strings so the engine and Django share one list.
PER_ONCE, PER_HOUR, PER_DAY, PER_MONTH, PER_YEAR = "once", "hour", "day", "month", "year"
PERIODS = (PER_ONCE, PER_HOUR, PER_DAY, PER_MONTH, PER_YEAR)


class MissingIndexYear(KeyError):
    """The price index has no figure for a year that uprating needs."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        return f"no price index figure for {self.year}"


def latest_year(index: Mapping[int, Decimal]) -> int:
    if not index:
        raise ValueError("the price index is empty")
    return max(index)


def uprate_factor(from_year: int, to_year: int, index: Mapping[int, Decimal]) -> Decimal:
    for year in (from_year, to_year):
        if year not in index:
            raise MissingIndexYear(year)
    return to_decimal(index[to_year]) / to_decimal(index[from_year])


def uprate(amount, from_year: int, to_year: int, index: Mapping[int, Decimal]) -> Decimal:
    """``amount`` in prices of ``from_year`` expressed in prices of ``to_year``, rounded to cents.

    Works both ways (a later ``from_year`` deflates). Raises :class:`MissingIndexYear` when either
    year is not in the index: an amount is never silently left un-indexed.
    """
    amount = to_decimal(amount)
    if from_year == to_year:
        return round_money(amount)
    return round_money(amount * uprate_factor(from_year, to_year, index))


@dataclass(frozen=True)
class Periodic:
    """An amount expressed per month and per year where the unit allows it.

    ``one_off`` is set for ``once`` amounts; ``per_month``/``per_year`` are ``None`` when they cannot be
    known honestly (an hourly or daily rate without a number of hours or days per month).
    """

    one_off: Decimal | None
    per_month: Decimal | None
    per_year: Decimal | None


def periodic(amount, per: str, units_per_month=None) -> Periodic:
    """Convert ``amount`` per ``per`` to per month and per year.

    ``units_per_month`` is the number of hours or days per month for ``hour``/``day`` rates; without it
    those rates have no monthly figure. A year has exactly twelve months; nothing else is assumed.
    """
    amount = to_decimal(amount)
    if per not in PERIODS:
        raise ValueError(f"unknown unit: {per!r}")
    if per == PER_ONCE:
        return Periodic(one_off=round_money(amount), per_month=None, per_year=None)
    if per == PER_MONTH:
        return Periodic(None, round_money(amount), round_money(amount * 12))
    if per == PER_YEAR:
        return Periodic(None, round_money(amount / 12), round_money(amount))
    if units_per_month is None:
        return Periodic(None, None, None)
    units = to_decimal(units_per_month)
    if units < 0:
        raise ValueError("the number of hours or days per month cannot be negative")
    monthly = amount * units
    return Periodic(None, round_money(monthly), round_money(monthly * 12))
