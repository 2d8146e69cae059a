"""What new households would yield: the prediction interval of their total and the optimism-bias haircut."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ._base import (
    _BLOCK_CELLS,
    _NORMAL,
    DEFAULT_RESAMPLES,
    MAX_CELLS,
    SMALL_N,
    WARNING_FAR,
    WARNING_SELECTED,
    WARNING_SMALL_N,
    Interval,
    PredictionTotal,
    StatsInputError,
    _count,
    _level,
    _rng,
    _values,
)
from .mean import mean_interval

# --- the total of new households --------------------------------------------------------------------------

# Optimism-bias haircut by the weakest confidence grade of the catalogue items the business cases used. Our
# own choice, modelled on the HM Treasury Green Book's optimism-bias adjustment (estimates are marked down
# by how little evidence backs them). The same fractions as the business-case default
# (maatwerk.businesscases.evaluation.OPTIMISM_BIAS_BY_GRADE, which lib may not import). "D" is for a
# figure without a catalogue grade at all: treated as weaker than an indication.
GRADE_HAIRCUT = {"A": 0.0, "B": 0.15, "C": 0.40, "D": 0.50}


def haircut_for_grade(grade: str | None) -> float:
    """The optimism-bias haircut for the weakest catalogue grade used (``None``: no catalogue items used,
    so nothing backs the figures and the heaviest haircut applies)."""
    if grade is None:
        return GRADE_HAIRCUT["D"]
    key = str(grade).strip().upper()
    if key not in GRADE_HAIRCUT:
        raise StatsInputError("grade", f"must be one of {', '.join(GRADE_HAIRCUT)}")
    return GRADE_HAIRCUT[key]


def prediction_total(
    values: Iterable,
    n_new: int,
    level: float = 0.95,
    *,
    rng,
    haircut: float = 0.0,
    selected: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
    max_cells: int = MAX_CELLS,
) -> PredictionTotal:
    """Prediction interval for the total of ``n_new`` new households, from the figures of ``values``
    (one per household seen, e.g. the expected net of each business case).

    The total of new households differs from ``n_new × mean`` twice over: the mean itself is uncertain
    (parameter uncertainty, which grows with n_new²) and the new households differ from each other (their
    spread, which grows with n_new). The two are independent and combined by MOVER (Zou & Donner 2008):
    each limit is ``n_new × mean ∓ sqrt(d_mean² + d_spread²)`` with, on each side separately,
    ``d_mean`` = n_new × the distance from the mean to the limit of :func:`mean_interval` (BCa ∪ Hall,
    so skewness widens the upper side) and ``d_spread`` = the distance to the limit of the sum of n_new
    draws from the households seen (bootstrap, centred, scaled up by sqrt(n / (n − 1)) for the spread a
    sample understates; the normal with a skewness term when n_new is too large to draw).

    ``haircut`` (optimism bias, see :func:`haircut_for_grade`) lowers every saving by that fraction
    before anything is computed; losses are kept whole, so a haircut never makes the figures look better.
    If the values already carry the business cases' own optimism bias, pass 0 rather than count it twice.
    ``selected=True`` says the cases were selected (e.g. only closed cases with a business case); the
    ``warnings`` then say so, as they do when fewer than 30 households are seen.
    """
    level = _level(level)
    x = _values(values, "values", minimum=2)
    n_new = _count(n_new, "n_new", minimum=1)
    haircut = _haircut(haircut)
    generator = _rng(rng)
    x = np.where(x > 0, x * (1 - haircut), x)
    per_household = mean_interval(x, level, rng=generator, resamples=resamples, max_cells=max_cells)
    b = _count(resamples, "resamples", minimum=100)
    if b * n_new > max_cells:
        n = x.size
        mean = float(x.mean())
        dev = x - mean
        m2, m3 = float(np.mean(dev**2)), float(np.mean(dev**3))
        spread, how = _spread_from_moments(n, m2, m3, n_new, level), "cornish-fisher sum"
    else:
        spread, how = _spread_of_sum(x, n_new, level, b, generator), "bootstrap sum"
    return _prediction(per_household, x.size, n_new, haircut, selected, spread, how)


def _haircut(haircut) -> float:
    try:
        value = float(haircut)
    except (TypeError, ValueError):
        raise StatsInputError("haircut", "must be a number") from None
    if not 0 <= value < 1:
        raise StatsInputError("haircut", "must lie in [0, 1)")
    return value


def _prediction(
    per_household: Interval,
    n: int,
    n_new: int,
    haircut: float,
    selected: bool,
    spread: tuple[float, float],
    how: str,
) -> PredictionTotal:
    """MOVER: the mean's and the spread's distances to each limit, combined as independent."""
    centre = n_new * per_household.estimate
    mean_low = n_new * (per_household.estimate - per_household.low)
    mean_high = n_new * (per_household.high - per_household.estimate)
    spread_low, spread_high = spread
    low = centre - math.hypot(mean_low, spread_low)
    high = centre + math.hypot(mean_high, spread_high)

    warnings = []
    if n < SMALL_N:
        warnings.append(WARNING_SMALL_N)
    if selected:
        warnings.append(WARNING_SELECTED)
    if n_new > 10 * n:
        warnings.append(WARNING_FAR)
    return PredictionTotal(
        n=n,
        estimate=centre,
        low=low,
        high=high,
        level=per_household.level,
        method=f"mover({per_household.method}, {how})",
        widened=per_household.widened,
        notes=per_household.notes,
        n_new=n_new,
        haircut=haircut,
        per_household=per_household,
        warnings=tuple(warnings),
    )


def _spread_from_moments(n: int, m2: float, m3: float, n_new: int, level: float) -> tuple[float, float]:
    """The spread of the sum of n_new values by Cornish-Fisher, from the central moments of the n seen
    (dividing by n): the variance scaled up by n / (n − 1), the skewness that of a sum of n_new
    (γ / sqrt n_new)."""
    if m2 <= 0:
        return 0.0, 0.0
    sd = math.sqrt(m2 * n / (n - 1))
    gamma = m3 / m2**1.5 / math.sqrt(n_new)
    scale = sd * math.sqrt(n_new)
    z = _NORMAL.inv_cdf((1 + level) / 2)
    low = -z + (z * z - 1) * gamma / 6
    high = z + (z * z - 1) * gamma / 6
    return -low * scale, high * scale


def _spread_of_sum(x, n_new, level, resamples, generator) -> tuple[float, float]:
    """How far the sum of n_new new values falls below and above n_new × their mean, at ``level``: the sum
    of n_new draws from the deviations of the households seen (centred, scaled up by sqrt(n / (n − 1)))."""
    n = x.size
    dev = (x - float(x.mean())) * math.sqrt(n / (n - 1))
    if not np.any(dev):
        return 0.0, 0.0
    alpha = (1 - level) / 2
    sums = np.empty(resamples)
    rows = max(1, _BLOCK_CELLS // n_new)
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        sums[start:stop] = dev[generator.integers(0, n, size=(stop - start, n_new))].sum(axis=1)
    low, high = np.quantile(sums, [alpha, 1 - alpha])
    return max(0.0, -float(low)), max(0.0, float(high))
