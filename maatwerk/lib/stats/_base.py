"""What the statistics share: the result types, the notes, the input checks and Student's t."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

DEFAULT_RESAMPLES = 4000
# Resampled values (B × n) above which the bootstrap gives way to its analytic counterpart: 2**25 cells
# take about a third of a second on one core, and at n above 8,000 BCa and Hall's interval agree.
MAX_CELLS = 2**25
# The largest n at which mean_interval with the default resamples still bootstraps: above it, it and the
# other functions use their analytic intervals, which the *_from_sums functions compute from sums alone.
BOOTSTRAP_MAX_N = MAX_CELLS // DEFAULT_RESAMPLES
# Resampled values handled at once, so that memory stays bounded (8 MiB of indices).
_BLOCK_CELLS = 2**20
# Below this n a figure is "small" and says so (the usual rule of thumb for a mean's normal approximation).
SMALL_N = 30
# The union with Hall's interval is called a widening when it is this much wider than the BCa interval.
_WIDENED = 0.05

_NORMAL = NormalDist()

# Notes and warnings are English msgids: the page passes each through gettext (lib has no Django), and
# since they hold no numbers the same sentence is one catalogue entry wherever it appears.
NOTE_SMALL_N = "Fewer than 30 households: the interval is rough."
NOTE_WIDENED = (
    "The interval was widened beyond the bootstrap interval because the figures are skewed "
    "(a few large values): at this number of households the bootstrap alone would be too narrow."
)
NOTE_ANALYTIC = "Computed with the skewness-corrected t interval instead of the bootstrap, for speed."
NOTE_CONSTANT = "All households have the same value: the data show no spread to estimate an interval from."
WARNING_SMALL_N = (
    "Fewer than 30 households: a total for many more households rests on very few cases and can be far off."
)
WARNING_SELECTED = (
    "These cases were selected (for example only closed cases with a business case): new households may "
    "differ from them, and the interval does not include that."
)
WARNING_FAR = "The prediction reaches more than ten times the households it is based on."
NOTE_FEW_GRADES = "Fewer than 30 grades: the interval is rough."
NOTE_NO_GRADE = "Respondents who gave no grade are not in the mean; they may judge differently."


class StatsInputError(ValueError):
    """Input a statistic cannot be computed from. ``field`` names the argument; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, kw_only=True)
class Interval:
    n: int
    estimate: float
    low: float
    high: float
    level: float
    method: str
    widened: bool = False
    notes: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """The notes as one English text ("" when there is nothing to say)."""
        return " ".join(self.notes)


@dataclass(frozen=True, kw_only=True)
class TwoLevelInterval(Interval):
    """The per-household mean (``estimate``, ``low``, ``high``) and the sum over these households."""

    total: Interval
    # Share of bootstrap replicates (households and their outcomes redrawn) whose mean is above zero.
    chance_positive: float
    # Mean over the households of the share of their own draws above zero: the chance for one household.
    household_chance_positive: float


@dataclass(frozen=True, kw_only=True)
class PredictionTotal(Interval):
    """Prediction interval for the total of ``n_new`` new households (``estimate`` is n_new × the mean)."""

    n_new: int
    haircut: float
    per_household: Interval  # the mean after the haircut, with its interval
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> str:
        return " ".join(self.warnings)


@dataclass(frozen=True, kw_only=True)
class GradeSummary(Interval):
    distribution: dict[int, int] = field(default_factory=dict)  # grade 1..10 -> how many gave it
    no_grade: int = 0  # respondents who gave no grade (None)

    @property
    def respondents(self) -> int:
        return self.n + self.no_grade


# --- input checks -----------------------------------------------------------------------------------------


def _level(level: float) -> float:
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise StatsInputError("level", "must be a number between 0 and 1") from None
    if not 0 < value < 1:
        raise StatsInputError("level", f"must lie strictly between 0 and 1, not {level!r}")
    return value


def _values(values: Iterable, name: str, *, minimum: int = 1) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        if values.ndim != 1:
            raise StatsInputError(name, "must be one-dimensional")
        array = values.astype(float)  # a copy: the caller's array is never changed
    else:
        try:
            array = np.asarray([float(v) for v in values], dtype=float)
        except (TypeError, ValueError):
            raise StatsInputError(name, "must hold numbers only") from None
    if array.size < minimum:
        raise StatsInputError(
            name, "must not be empty" if minimum == 1 else f"needs at least {minimum} values"
        )
    if not np.all(np.isfinite(array)):
        raise StatsInputError(name, "must not hold NaN or infinity")
    return array


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    raise StatsInputError("rng", "must be a numpy Generator or an int seed")


def _count(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise StatsInputError(name, "must be a whole number")
    if value < minimum:
        raise StatsInputError(name, f"must be at least {minimum}")
    return int(value)


# --- distributions ----------------------------------------------------------------------------------------


def _t_cdf(x: float, df: int) -> float:
    """Student's t distribution function for whole ``df``: the exact finite series (Abramowitz & Stegun
    26.7.3-4) up to 200 degrees of freedom, the normal with a Cornish-Fisher-sized error beyond."""
    theta = math.atan(abs(x) / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2:  # odd
        term, total = 1.0, 0.0
        if df > 1:
            total = term = math.cos(theta)
            for k in range(3, df - 1, 2):
                term *= cos2 * (k - 1) / k
                total += term
        inside = 2 / math.pi * (theta + sin * total)  # P(|T| < |x|)
    else:
        term = total = 1.0
        for k in range(2, df - 1, 2):
            term *= cos2 * (k - 1) / k
            total += term
        inside = sin * total
    return 0.5 + math.copysign(inside / 2, x)


def t_ppf(p: float, df: int) -> float:
    """Quantile of Student's t with whole ``df`` ≥ 1 (scipy is not a dependency)."""
    if not 0 < p < 1:
        raise StatsInputError("p", "must lie strictly between 0 and 1")
    z = _NORMAL.inv_cdf(p)
    if df > 200:
        # Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5): error below 1e-9 here.
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
        return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    # Bisection on the exact distribution function, in a bracket found by doubling.
    low, high = -1.0, 1.0
    while _t_cdf(high, df) < p:
        high *= 2
    while _t_cdf(low, df) > p:
        low *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if _t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-12 * max(1.0, abs(mid)):
            break
    return (low + high) / 2
