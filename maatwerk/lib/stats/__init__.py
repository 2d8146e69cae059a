"""Honest intervals for the learning dashboards: per-household figures in, estimates with n and interval out.

Pure module (stdlib and numpy, no Django). Every function takes plain numbers, one per household (floats,
ints or Decimals), and returns a frozen dataclass with ``n``, the ``estimate``, ``low`` and ``high`` (the
interval at ``level``), the ``method`` by name and ``notes``: fixed English sentences (msgids; the page
translates them), each saying why the figure should be read with care. Randomness only comes from the
``rng`` the caller passes (a :class:`numpy.random.Generator` or an int seed), so a page shows the same
interval on every load.

The mean (:func:`mean_interval`)
--------------------------------
Savings per household are skewed: many small ones, a few very large ones, some losses. A symmetric
interval is then too narrow on the side of the large savings, and so is a bootstrap at small n. The
interval is the union of two:

* the **BCa bootstrap** (bias-corrected and accelerated, Efron 1987): ``B`` resamples of the households,
  drawn as one ``(B, n)`` index array; the bias correction ``z0`` from the share of resampled means below
  the mean; the acceleration from the jackknife, which for the mean is exactly ``skewness / (6 sqrt n)``;
* **Hall's skewness-corrected t interval** (Hall 1992, "On the removal of skewness by transformation",
  JRSS B 54): the studentized mean ``T`` is mapped by the monotone cubic
  ``g(T) = T + c T² + c² T³ / 3 + γ / (6 sqrt n)``, ``c = γ / (3 sqrt n)``, ``γ`` the sample skewness,
  which is close to normal; the interval inverts ``g`` at the t quantiles (n − 1 degrees of freedom).

Simulated on skewed savings (80 % small, 10 % large, 10 % losses; ``test_stats.py``), BCa alone covers
the true mean in about 91 % of samples of 30 households and 94.5 % of 300, Hall's interval in about 96 %
at both, the union 95.0 % and 96.3 % in the tests. The union is reported; when it is more than 5 % wider
than the BCa interval, ``widened`` is set and a note says so. No interval can show what the sample did
not see: when large savings are rarer than about one in n households, most samples of n hold none and
every method misses (with 5 % large savings and n = 30 the coverage falls below 80 %). Above
``max_cells`` resampled values (n in the tens of thousands) the bootstrap is skipped and Hall's interval
alone is used: at that n the two agree, and the page must stay fast.

The other functions
-------------------
* :func:`two_level_interval`: the mean over households whose own figure is uncertain (Monte Carlo draws
  of their business case); see there for what the interval and ``chance_positive`` mean.
* :func:`prediction_total`: what ``n_new`` new households would yield in total, never ``n_new × mean``.
* :func:`proportion_interval`: Wilson's score interval for a share.
* :func:`mean_grade`: client grades 1–10 with their distribution and the number who gave none.

Many households: from sums (:mod:`.sums`)
------------------------------------------
The national dashboard cannot fetch a million households, but it can add up the precomputed table's sums.
Above :data:`BOOTSTRAP_MAX_N` households (8,388: ``MAX_CELLS // DEFAULT_RESAMPLES``) the functions above skip
the bootstrap anyway, and the analytic intervals they use need sums only. So a caller decides by n:

* ``n <= BOOTSTRAP_MAX_N``: fetch the per-household figures and call :func:`mean_interval`,
  :func:`two_level_interval`, :func:`prediction_total` (they bootstrap);
* ``n > BOOTSTRAP_MAX_N``: add up the sums and call :func:`mean_interval_from_sums` (with
  :class:`PowerSums`), :func:`two_level_from_sums` (the ``net_*`` columns of ``insights.Measures``) and
  :func:`prediction_total_from_sums` (the power sums of the positive and of the other values apart, because
  the haircut lowers savings only). They equal the functions above on the same data to rounding (1e-9
  in the tests; see :mod:`.sums` for the precision of float64 sums).

:func:`prediction_total` bootstraps the sum of ``n_new`` new households whenever ``n_new`` is at most
``BOOTSTRAP_MAX_N`` (even when n is large); :func:`prediction_total_from_sums` always uses the normal with a
skewness term (Cornish-Fisher) there, which covers as it should at n = 5,000 and n_new = 300 (the tests).
:func:`mean_grade` never bootstraps, so :func:`mean_grade_from_counts` (the grade_1..grade_10 counts and
no_grade) equals it at every n.
"""

from ._base import (
    BOOTSTRAP_MAX_N,
    DEFAULT_RESAMPLES,
    MAX_CELLS,
    NOTE_ANALYTIC,
    NOTE_CONSTANT,
    NOTE_FEW_GRADES,
    NOTE_NO_GRADE,
    NOTE_SMALL_N,
    NOTE_WIDENED,
    SMALL_N,
    WARNING_FAR,
    WARNING_SELECTED,
    WARNING_SMALL_N,
    GradeSummary,
    Interval,
    PredictionTotal,
    StatsInputError,
    TwoLevelInterval,
    t_ppf,
)
from .mean import mean_interval, two_level_interval
from .shares import mean_grade, mean_grade_from_counts, proportion_interval
from .sums import (
    PowerSums,
    mean_interval_from_sums,
    prediction_total_from_sums,
    split_by_sign,
    two_level_from_sums,
)
from .totals import GRADE_HAIRCUT, haircut_for_grade, prediction_total

__all__ = [
    "BOOTSTRAP_MAX_N",
    "PowerSums",
    "mean_grade_from_counts",
    "mean_interval_from_sums",
    "prediction_total_from_sums",
    "split_by_sign",
    "two_level_from_sums",
    "MAX_CELLS",
    "NOTE_ANALYTIC",
    "NOTE_CONSTANT",
    "NOTE_FEW_GRADES",
    "NOTE_NO_GRADE",
    "NOTE_SMALL_N",
    "NOTE_WIDENED",
    "SMALL_N",
    "WARNING_FAR",
    "WARNING_SELECTED",
    "WARNING_SMALL_N",
    "DEFAULT_RESAMPLES",
    "GRADE_HAIRCUT",
    "GradeSummary",
    "Interval",
    "PredictionTotal",
    "StatsInputError",
    "TwoLevelInterval",
    "haircut_for_grade",
    "mean_grade",
    "mean_interval",
    "prediction_total",
    "proportion_interval",
    "t_ppf",
    "two_level_interval",
]
