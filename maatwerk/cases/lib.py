"""Pure helpers for case files (no Django): bitmasks for multi-valued picklists, month arithmetic, BSN
generation and masking. BSNs are checked with python-stdnum (maatwerk.validation.is_valid_bsn)."""

import calendar
import datetime
import random
from collections.abc import Iterable


def to_mask(values: Iterable[int]) -> int:
    """Picklist values 1..31 → one integer with bit (value - 1) set for each."""
    mask = 0
    for value in values:
        value = int(value)
        if not 1 <= value <= 31:
            raise ValueError(f"picklist value out of range: {value}")
        mask |= 1 << (value - 1)
    return mask


def from_mask(mask: int) -> list[int]:
    return [bit + 1 for bit in range(31) if mask >> bit & 1]


def bit(value: int) -> int:
    return 1 << (int(value) - 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clipped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def synthetic_bsn(rng: random.Random) -> str:
    """A random 9-digit number that passes the 11-check. Generated, never taken from a list of people.

    Starts with 9 (no BSNs were issued with a leading 9 at the time of writing) to lower the chance of
    colliding with a real person's number in screenshots.
    """
    while True:
        head = "9" + "".join(str(rng.randrange(10)) for _ in range(7))
        partial = sum(int(d) * w for d, w in zip(head, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        last = partial % 11
        if last <= 9:
            return head + str(last)


def mask_bsn(bsn: str) -> str:
    """Show only the last three digits: ******123."""
    return ("*" * 6 + bsn[-3:]) if bsn else ""
