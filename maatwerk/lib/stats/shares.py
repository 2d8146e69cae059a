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
from .mean import _combine, _Moments

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
    distribution, missing = dict.fromkeys(GRADES, 0), 0
    for i, g in enumerate(grades):
        if g is None:
            missing += 1
            continue
        if isinstance(g, bool) or not isinstance(g, int | np.integer) or g not in GRADES:
            raise StatsInputError(f"grades[{i}]", "must be a whole grade from 1 to 10, or None")
        distribution[int(g)] += 1
    return _grade_summary(distribution, missing, level)


def mean_grade_from_counts(counts, no_grade: int = 0, *, level: float = 0.95) -> GradeSummary:
    """:func:`mean_grade` from the number of respondents per grade (``{grade: count}`` for grades 1-10, or
    a list or array of ten counts for grades 1 to 10) and ``no_grade``, those who gave none: the same
    summary as :func:`mean_grade` of the list those counts stand for (the counts are all the data there
    is, and mean_grade never bootstraps, so this holds at every n)."""
    level = _level(level)
    if isinstance(counts, dict):
        for grade in counts:
            if isinstance(grade, bool) or not isinstance(grade, int | np.integer) or grade not in GRADES:
                raise StatsInputError("counts", "must count whole grades from 1 to 10")
        pairs = [(g, counts.get(g, 0)) for g in GRADES]
    elif isinstance(counts, list | tuple | np.ndarray):
        if len(counts) != len(GRADES):
            raise StatsInputError("counts", "must hold ten counts, for grades 1 to 10")
        pairs = list(zip(GRADES, counts, strict=True))
    else:
        raise StatsInputError("counts", "must be a dict of grade to count or a list of ten counts")
    distribution = {g: _count(c, f"counts[{g}]", minimum=0) for g, c in pairs}
    if not any(distribution.values()):
        raise StatsInputError("counts", "hold no grade at all")
    return _grade_summary(distribution, _count(no_grade, "no_grade", minimum=0), level)


def _grade_summary(distribution: dict[int, int], missing: int, level: float) -> GradeSummary:
    notes = []
    if missing:
        notes.append(NOTE_NO_GRADE)
    n = sum(distribution.values())
    if not n:
        raise StatsInputError("grades", "hold no grade at all")
    grades = np.array([g for g in GRADES if distribution[g]], dtype=float)
    weights = np.array([distribution[g] for g in GRADES if distribution[g]], dtype=float)
    mean = float(np.dot(grades, weights) / n)
    if n == 1:
        low, high, method = 1.0, 10.0, "none (one grade)"
        notes.insert(0, NOTE_FEW_GRADES)
    else:
        m = _weighted_moments(grades, weights, n, mean)
        low, high, method, _, more = _combine(m, None, level)
        more = [note for note in more if note != NOTE_ANALYTIC]
        notes[:0] = ([NOTE_FEW_GRADES] if n < SMALL_N else []) + more
        low, high = max(1.0, low), min(10.0, high)
    return GradeSummary(
        n=n,
        estimate=mean,
        low=low,
        high=high,
        level=level,
        method=method,
        notes=tuple(notes),
        distribution=distribution,
        no_grade=missing,
    )


def _weighted_moments(grades: np.ndarray, weights: np.ndarray, n: int, mean: float) -> _Moments:
    """:func:`mean._moments` of the grades each repeated ``weights`` times, without repeating them."""
    dev = grades - mean
    scale = float(np.max(np.abs(dev)))
    if scale == 0:
        return _Moments(n, mean, 0.0, 0.0)
    dev = dev / scale
    m2 = float(np.dot(weights, dev**2) / n)
    m3 = float(np.dot(weights, dev**3) / n)
    sd = scale * math.sqrt(m2 * n / (n - 1))
    return _Moments(n, mean, sd / math.sqrt(n), m3 / m2**1.5)
