"""Shares and grades: Wilson's interval for a proportion, the summary of client grades."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ._base import (
    _NORMAL,
    NOTE_ANALYTIC,
    NOTE_FEW_GRADES,
    NOTE_NO_GRADE,
    NOTE_SMALL_N,
    SMALL_N,
    GradeSummary,
    Interval,
    StatsInputError,
    _count,
    _level,
)
from .mean import _combine, _moments

# --- a share ----------------------------------------------------------------------------------------------


def proportion_interval(successes: int, n: int, level: float = 0.95) -> Interval:
    """The share ``successes / n`` with Wilson's score interval (Wilson 1927), which keeps its coverage
    near the nominal level for small n and for shares near 0 or 1, where the textbook p ± z·se fails."""
    level = _level(level)
    n = _count(n, "n", minimum=1)
    successes = _count(successes, "successes", minimum=0)
    if successes > n:
        raise StatsInputError("successes", "must not exceed n")
    p = successes / n
    z = _NORMAL.inv_cdf((1 + level) / 2)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(
        n=n,
        estimate=p,
        low=low,
        high=high,
        level=level,
        method="wilson",
        notes=(NOTE_SMALL_N,) if n < SMALL_N else (),
    )


# --- client grades ----------------------------------------------------------------------------------------

GRADES = range(1, 11)


def mean_grade(grades: Iterable, *, level: float = 0.95) -> GradeSummary:
    """Client grades 1-10 (whole numbers; ``None`` for a respondent who gave none): the mean of those who
    gave one with Hall's skewness-corrected t interval (grades pile up near the top, which skews them
    to the left), clipped to the scale; the count per grade; and how many gave no grade. Deterministic:
    no bootstrap, so no rng."""
    level = _level(level)
    given, missing = [], 0
    for i, g in enumerate(grades):
        if g is None:
            missing += 1
            continue
        if isinstance(g, bool) or not isinstance(g, int | np.integer) or g not in GRADES:
            raise StatsInputError(f"grades[{i}]", "must be a whole grade from 1 to 10, or None")
        given.append(int(g))
    distribution = {g: given.count(g) for g in GRADES}
    notes = []
    if missing:
        notes.append(NOTE_NO_GRADE)
    if not given:
        raise StatsInputError("grades", "hold no grade at all")
    x = np.asarray(given, dtype=float)
    if x.size == 1:
        low, high, method = 1.0, 10.0, "none (one grade)"
        notes.insert(0, NOTE_FEW_GRADES)
    else:
        m = _moments(x)
        low, high, method, _, more = _combine(m, None, level)
        more = [note for note in more if note != NOTE_ANALYTIC]
        notes[:0] = ([NOTE_FEW_GRADES] if m.n < SMALL_N else []) + more
        low, high = max(1.0, low), min(10.0, high)
    return GradeSummary(
        n=x.size,
        estimate=float(x.mean()),
        low=low,
        high=high,
        level=level,
        method=method,
        notes=tuple(notes),
        distribution=distribution,
        no_grade=missing,
    )
