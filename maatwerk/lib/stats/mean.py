"""The mean over households: one level (:func:`mean_interval`) and two (:func:`two_level_interval`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ._base import (
    _BLOCK_CELLS,
    _NORMAL,
    _WIDENED,
    DEFAULT_RESAMPLES,
    MAX_CELLS,
    NOTE_ANALYTIC,
    NOTE_CONSTANT,
    NOTE_SMALL_N,
    NOTE_WIDENED,
    SMALL_N,
    Interval,
    StatsInputError,
    TwoLevelInterval,
    _count,
    _level,
    _rng,
    _values,
    t_ppf,
)

# --- the mean: BCa ∪ Hall ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Moments:
    """What the analytic interval needs: n, mean, standard error, skewness (of one household's value)."""

    n: int
    mean: float
    se: float
    skew: float


def _moments(values: np.ndarray) -> _Moments:
    n = values.size
    mean = float(values.mean())
    if values.min() == values.max():
        # Tested on the values, not the deviations: the mean of equal values such as 0.1 can round off
        # them, and a deviation of 1e-17 would give a meaningless interval instead of "no spread".
        return _Moments(n, float(values[0]), 0.0, 0.0)
    dev = values - mean
    scale = float(np.max(np.abs(dev)))
    dev = dev / scale  # in [-1, 1], so that neither tiny nor huge values under- or overflow the moments
    m2 = float(np.mean(dev**2))
    m3 = float(np.mean(dev**3))
    sd = scale * math.sqrt(m2 * n / (n - 1)) if n > 1 else 0.0
    return _Moments(n, mean, sd / math.sqrt(n), m3 / m2**1.5)


def _hall(m: _Moments, level: float) -> tuple[float, float]:
    """Hall's (1992) skewness-corrected t interval for the mean."""
    q = t_ppf((1 + level) / 2, max(m.n - 1, 1))
    root_n = math.sqrt(m.n)
    c = m.skew / (3 * root_n)
    shift = m.skew / (6 * root_n)

    def g_inverse(y: float) -> float:
        if abs(c) < 1e-12:
            return y - shift
        return (math.copysign(abs(1 + 3 * c * (y - shift)) ** (1 / 3), 1 + 3 * c * (y - shift)) - 1) / c

    return m.mean - m.se * g_inverse(q), m.mean - m.se * g_inverse(-q)


def _bca(replicates: np.ndarray, m: _Moments, level: float) -> tuple[float, float]:
    """BCa limits from the replicate means; the acceleration of the mean is skewness / (6 sqrt n)."""
    b = replicates.size
    below = np.count_nonzero(replicates < m.mean) + 0.5 * np.count_nonzero(replicates == m.mean)
    z0 = _NORMAL.inv_cdf(min(max(below / b, 0.5 / b), 1 - 0.5 / b))
    a = m.skew / (6 * math.sqrt(m.n))
    z = _NORMAL.inv_cdf((1 + level) / 2)
    shares = []
    for z_alpha in (-z, z):
        zz = z0 + z_alpha
        denominator = 1 - a * zz
        shares.append(_NORMAL.cdf(z0 + zz / denominator) if denominator > 0 else float(zz > 0))
    low, high = np.quantile(replicates, shares)
    return float(low), float(high)


def _combine(
    m: _Moments, replicates: np.ndarray | None, level: float
) -> tuple[float, float, str, bool, list]:
    """The union of BCa and Hall (or Hall alone without replicates), with the notes it needs."""
    notes = []
    if m.se == 0:
        notes.append(NOTE_CONSTANT)
        return m.mean, m.mean, "constant", False, notes
    hall_low, hall_high = _hall(m, level)
    if replicates is None:
        notes.append(NOTE_ANALYTIC)
        return hall_low, hall_high, "hall-t", False, notes
    bca_low, bca_high = _bca(replicates, m, level)
    low, high = min(bca_low, hall_low), max(bca_high, hall_high)
    widened = (high - low) > (1 + _WIDENED) * (bca_high - bca_low)
    if widened:
        notes.append(NOTE_WIDENED)
    return low, high, "bca+hall-t", widened, notes


def _resampled_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    n = values.size
    out = np.empty(resamples)
    rows = max(1, _BLOCK_CELLS // n)
    for start in range(0, resamples, rows):
        stop = min(resamples, start + rows)
        out[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


def _resamples(resamples, n: int, max_cells: int) -> int | None:
    """How many bootstrap replicates to draw, or None when the analytic interval is to be used."""
    b = _count(resamples, "resamples", minimum=100)
    return b if b * n <= max_cells else None


def mean_interval(
    values: Iterable,
    level: float = 0.95,
    *,
    rng,
    resamples: int = DEFAULT_RESAMPLES,
    max_cells: int = MAX_CELLS,
) -> Interval:
    """The mean over households with its interval: BCa bootstrap, widened to Hall's skewness-corrected t
    interval where that is wider (see :mod:`maatwerk.lib.stats`). Needs at least two values."""
    level = _level(level)
    x = _values(values, "values", minimum=2)
    generator = _rng(rng)
    m = _moments(x)
    b = _resamples(resamples, m.n, max_cells)
    replicates = _resampled_means(x, b, generator) if b is not None and m.se > 0 else None
    return _mean_result(m, replicates, level)


def _mean_result(m: _Moments, replicates: np.ndarray | None, level: float) -> Interval:
    """The interval of the mean from its moments and bootstrap replicates (None: Hall's interval alone);
    also what `mean_interval_from_sums` returns."""
    low, high, method, widened, notes = _combine(m, replicates, level)
    if m.n < SMALL_N:
        notes.insert(0, NOTE_SMALL_N)
    return Interval(
        n=m.n,
        estimate=m.mean,
        low=low,
        high=high,
        level=level,
        method=method,
        widened=widened,
        notes=tuple(notes),
    )


# --- two levels: households, and the uncertainty of each household's business case -----------------------


def two_level_interval(
    draws_per_household: Sequence,
    level: float = 0.95,
    *,
    rng,
    resamples: int = DEFAULT_RESAMPLES,
    max_cells: int = MAX_CELLS,
) -> TwoLevelInterval:
    """The mean per household of a figure that is itself uncertain for each household, e.g. the net of
    its business case, given as that household's Monte Carlo draws (one 1-D array per household; the
    lengths may differ).

    ``estimate`` is the mean over households of their expected value (the mean of their draws).
    The interval is that of the mean outcome of households like these. Each bootstrap replicate redraws
    the households (between: which households) and, for each household drawn, one of its Monte Carlo
    draws (within: how its case turns out); the limits are BCa from those replicate means united with
    Hall's interval on the same two-level variance (between + mean within) and skewness, exactly as
    :func:`mean_interval`, which it equals when every household's draws are all alike. The draws are
    taken as independent between households: an error all business cases share (one wrong unit cost in
    the catalogue) is not in the interval; the optimism-bias haircut is the place for that.

    ``chance_positive`` is the WSIPP-style "chance that benefits exceed costs" for the mean case: the
    share of the replicate means above zero (pass the net, not the avoided cost). It says how sure we can
    be that these households' help pays off on average, not that one household's does; that is
    ``household_chance_positive``, the mean over households of the share of their draws above zero.

    ``total`` is the sum over these households of their expected value. Its interval is over the
    business cases' uncertainty only (one draw per household, all households, each replicate): the
    households are the ones counted, not a sample. What other households would yield is
    :func:`prediction_total`'s question.

    The work grows with the number of draws (all are read once) and with B × n; for the national
    dashboard a few dozen draws per household are plenty (100,000 households of 1,000 draws each take
    half a minute, of 20 draws under half a second).
    """
    level = _level(level)
    generator = _rng(rng)
    if isinstance(draws_per_household, str | bytes) or not isinstance(draws_per_household, Sequence):
        raise StatsInputError("draws_per_household", "must be a list with one array of draws per household")
    if len(draws_per_household) < 2:
        raise StatsInputError("draws_per_household", "needs at least two households")
    arrays = [_values(d, f"draws_per_household[{i}]") for i, d in enumerate(draws_per_household)]
    n = len(arrays)
    lengths = np.array([a.size for a in arrays])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    flat = np.concatenate(arrays)
    means = np.add.reduceat(flat, offsets) / lengths
    # A household whose draws are all alike has exactly its value and no spread, whatever the rounding
    # of their mean (otherwise a within variance of 1e-26 turns an exact total into a "normal" one).
    alike = np.minimum.reduceat(flat, offsets) == np.maximum.reduceat(flat, offsets)
    means[alike] = flat[offsets[alike]]
    mean = float(means.mean())
    # Moments of one household's outcome, drawn as the bootstrap draws it (a household, then one of its
    # draws), in units of the largest deviation so that they neither under- nor overflow.
    scale = float(np.max(np.abs(flat - mean)))
    if flat.min() == flat.max():  # as in _moments
        mean = float(flat[0])
        m = _Moments(n, mean, 0.0, 0.0)
        within_var = np.zeros(n)
    else:
        within = (flat - np.repeat(means, lengths)) / scale  # 0 for the households all alike
        within_var = np.add.reduceat(within**2, offsets) / lengths
        within_m3 = np.add.reduceat(within**3, offsets) / lengths
        dev = (means - mean) / scale
        m2 = float(np.mean(dev**2) + within_var.mean())
        m3 = float(np.mean(dev**3 + 3 * dev * within_var + within_m3))
        se = scale * math.sqrt((float(np.var(dev, ddof=1)) + float(within_var.mean())) / n)
        m = _Moments(n, mean, se, m3 / m2**1.5 if m2 > 0 else 0.0)
        within_var = within_var * scale**2
    se = m.se
    household_chance = float(np.mean(np.add.reduceat((flat > 0).astype(float), offsets) / lengths))

    b = _resamples(resamples, n, max_cells)
    replicates = None
    if b is not None and se > 0:
        replicates = np.empty(b)
        rows = max(1, _BLOCK_CELLS // n)
        for start in range(0, b, rows):
            stop = min(b, start + rows)
            # The households first, as mean_interval draws them: with no spread within, the same seed gives
            # the same interval (in one block; across blocks the draws within interleave).
            chosen = generator.integers(0, n, size=(stop - start, n))
            pick = _pick(chosen, lengths, generator)
            replicates[start:stop] = flat[offsets[chosen] + pick].mean(axis=1)
    low, high, method, widened, notes = _combine(m, replicates, level)
    if n < SMALL_N:
        notes.insert(0, NOTE_SMALL_N)
    if replicates is not None:
        chance = float(np.mean(replicates > 0))
    else:
        chance = _NORMAL.cdf(mean / se) if se > 0 else float(mean > 0)

    total = _fixed_total(flat, offsets, lengths, means, within_var, level, b, generator)
    return TwoLevelInterval(
        n=n,
        estimate=mean,
        low=low,
        high=high,
        level=level,
        method="two-level " + method,
        widened=widened,
        notes=tuple(notes),
        total=total,
        chance_positive=chance,
        household_chance_positive=household_chance,
    )


def _pick(chosen: np.ndarray, lengths: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """One draw index per chosen household, uniform over that household's own draws."""
    if np.all(lengths == 1):
        return np.zeros(chosen.shape, dtype=np.int64)
    pick = (generator.random(chosen.shape) * lengths[chosen]).astype(np.int64)
    return np.minimum(pick, lengths[chosen] - 1)  # guards the (theoretical) rounding up to the length


def _fixed_total(flat, offsets, lengths, means, within_var, level, b, generator) -> Interval:
    n = means.size
    estimate = float(means.sum())
    if not np.any(within_var > 0):
        return Interval(n=n, estimate=estimate, low=estimate, high=estimate, level=level, method="exact")
    if b is None:
        # Many households: the sum of their outcomes is close to normal.
        half = _NORMAL.inv_cdf((1 + level) / 2) * math.sqrt(float(within_var.sum()))
        return Interval(
            n=n, estimate=estimate, low=estimate - half, high=estimate + half, level=level, method="normal"
        )
    sums = np.empty(b)
    households = np.arange(n)
    rows = max(1, _BLOCK_CELLS // n)
    for start in range(0, b, rows):
        stop = min(b, start + rows)
        chosen = np.broadcast_to(households, (stop - start, n))
        sums[start:stop] = flat[offsets[chosen] + _pick(chosen, lengths, generator)].sum(axis=1)
    low, high = np.quantile(sums, [(1 - level) / 2, (1 + level) / 2])
    return Interval(
        n=n, estimate=estimate, low=float(low), high=float(high), level=level, method="monte-carlo"
    )
