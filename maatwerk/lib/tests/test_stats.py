"""The dashboard statistics on plain data: coverage by simulation, known values, edge cases, bad input.

The coverage tests draw skewed synthetic savings per household, a mixture that looks like what business
cases avoid: 80 % small savings (lognormal, median EUR 500), 10 % large ones (lognormal, median
EUR 20,000: an eviction or an out-of-home placement avoided) and 10 % losses (minus a lognormal with
median EUR 1,000: help that did not pay back). Its mean is known exactly (``TRUE_MEAN``, about EUR 2,812)
and its skewness is about 4. Each test repeats 1,000 samples with a fixed seed; with 1,000 repetitions
a measured coverage has a standard error of about 0.7 percentage point.

Repeat the measurements (prints every coverage in the test names' order):
``.venv/bin/pytest -q -p no:xdist maatwerk/lib/tests/test_stats.py -k coverage -s``
"""

import math
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.lib import stats

REPETITIONS = 1000


def _lognormal_mean(median: float, sigma: float) -> float:
    return median * math.exp(sigma * sigma / 2)


P_LARGE, P_LOSS = 0.10, 0.10
SMALL, LARGE, LOSS = (500.0, 1.0), (20000.0, 0.5), (1000.0, 0.5)
TRUE_MEAN = (
    (1 - P_LARGE - P_LOSS) * _lognormal_mean(*SMALL)
    + P_LARGE * _lognormal_mean(*LARGE)
    - P_LOSS * _lognormal_mean(*LOSS)
)


def savings(rng: np.random.Generator, size: int) -> np.ndarray:
    u = rng.random(size)
    small = rng.lognormal(math.log(SMALL[0]), SMALL[1], size)
    large = rng.lognormal(math.log(LARGE[0]), LARGE[1], size)
    loss = -rng.lognormal(math.log(LOSS[0]), LOSS[1], size)
    return np.where(u < P_LARGE, large, np.where(u < P_LARGE + P_LOSS, loss, small))


def test_the_synthetic_savings_have_the_stated_mean_and_are_skewed():
    x = savings(np.random.default_rng(0), 1_000_000)
    assert x.mean() == pytest.approx(TRUE_MEAN, rel=0.01)
    assert 0.05 < np.mean(x < 0) < 0.15
    skew = np.mean((x - x.mean()) ** 3) / x.std() ** 3
    assert skew > 3


def _mean_coverage(n: int, resamples: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(REPETITIONS):
        result = stats.mean_interval(savings(rng, n), rng=rng, resamples=resamples)
        hits += result.low <= TRUE_MEAN <= result.high
    return hits / REPETITIONS


def test_mean_interval_coverage_at_30_households_is_at_least_92_percent():
    # Measured: 0.950 (BCa ∪ Hall, B = 4,000, the default). BCa alone covers about 0.91 here and is
    # widened in nearly every sample; a percentile bootstrap or a plain t interval about 0.86.
    coverage = _mean_coverage(30, stats.DEFAULT_RESAMPLES, seed=30)
    print(f"mean, n=30: coverage {coverage:.3f}")
    assert coverage >= 0.92


def test_mean_interval_coverage_at_300_households_is_at_least_94_percent():
    # Measured: 0.963 with B = 1,000 to keep the test fast (4,000 is the default; the limits move by
    # less than the repetition noise). BCa alone covers about 0.945.
    coverage = _mean_coverage(300, 1000, seed=300)
    print(f"mean, n=300: coverage {coverage:.3f}")
    assert coverage >= 0.94


def _total_coverage(n: int, n_new: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(REPETITIONS):
        result = stats.prediction_total(savings(rng, n), n_new, rng=rng, resamples=1000)
        hits += result.low <= savings(rng, n_new).sum() <= result.high
    return hits / REPETITIONS


def test_prediction_interval_coverage_from_30_to_300_households_is_nominal():
    # "If 30 cases save this much, what do 300 save?" Measured: 0.954 (B = 1,000). Here the uncertainty of
    # the mean dominates: 300 × the mean interval covers about 0.94, 300 × a plain t interval 0.84.
    coverage = _total_coverage(30, 300, seed=3300)
    print(f"total, 30 -> 300: coverage {coverage:.3f}")
    assert 0.93 <= coverage <= 0.97


def test_prediction_interval_coverage_from_300_to_300_households_is_nominal():
    # Here the spread between new households weighs as much as the uncertainty of the mean. Measured: 0.950;
    # 300 × the mean interval, which leaves the spread out, covers only about 0.84.
    coverage = _total_coverage(300, 300, seed=300300)
    print(f"total, 300 -> 300: coverage {coverage:.3f}")
    assert 0.93 <= coverage <= 0.97


# --- mean_interval ----------------------------------------------------------------------------------------


def test_mean_interval_is_reproducible_with_the_same_seed():
    x = savings(np.random.default_rng(1), 50)
    assert stats.mean_interval(x, rng=7) == stats.mean_interval(x, rng=np.random.default_rng(7))


def test_mean_interval_of_skewed_small_sample_is_widened_and_says_so():
    result = stats.mean_interval(savings(np.random.default_rng(2), 20), rng=1)
    assert result.widened
    assert stats.NOTE_WIDENED in result.notes
    assert stats.NOTE_SMALL_N in result.notes
    assert result.note.startswith("Fewer than 30")
    # Skewed to the right: the interval reaches further above the mean than below it.
    assert result.high - result.estimate > result.estimate - result.low


def test_mean_interval_of_symmetric_data_is_close_to_the_t_interval():
    x = np.random.default_rng(3).normal(1000, 200, 400)
    result = stats.mean_interval(x, rng=3)
    half = stats.t_ppf(0.975, 399) * x.std(ddof=1) / math.sqrt(400)
    assert result.low == pytest.approx(x.mean() - half, rel=0.005)
    assert result.high == pytest.approx(x.mean() + half, rel=0.005)
    assert not result.widened
    assert result.notes == ()


def test_mean_interval_takes_decimals():
    result = stats.mean_interval([Decimal("10.50"), Decimal("12.25"), Decimal("99.99")], rng=1)
    assert result.estimate == pytest.approx((10.50 + 12.25 + 99.99) / 3)


def test_mean_interval_of_equal_values_has_no_width_and_says_why():
    result = stats.mean_interval([250, 250, 250], rng=1)
    assert (result.low, result.estimate, result.high) == (250, 250, 250)
    assert stats.NOTE_CONSTANT in result.notes


def test_mean_interval_of_equal_values_that_do_not_add_up_exactly_is_still_constant():
    # The mean of seven times 0.1 rounds to 0.09999999999999999: no spread all the same.
    result = stats.mean_interval([0.1] * 7, rng=1)
    assert (result.method, result.low, result.estimate, result.high) == ("constant", 0.1, 0.1, 0.1)


def test_mean_interval_of_many_households_skips_the_bootstrap():
    x = savings(np.random.default_rng(4), 20_000)
    fast = stats.mean_interval(x, rng=1)  # 20,000 × 4,000 resampled values is above MAX_CELLS
    assert fast.method == "hall-t"
    assert stats.NOTE_ANALYTIC in fast.notes
    full = stats.mean_interval(x, rng=1, max_cells=10**9, resamples=1000)
    assert full.method == "bca+hall-t"
    assert fast.low == pytest.approx(full.low, rel=0.01)
    assert fast.high == pytest.approx(full.high, rel=0.01)


finite = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(min_value=-1e6, max_value=1e6))
def test_mean_interval_holds_the_mean_and_moves_with_a_shift(values, shift):
    result = stats.mean_interval(values, rng=11, resamples=200)
    span = max(1.0, max(abs(v) for v in values))
    assert result.low <= result.estimate + 1e-9 * span
    assert result.estimate <= result.high + 1e-9 * span
    shifted = stats.mean_interval([v + shift for v in values], rng=11, resamples=200)
    tolerance = 1e-6 * (span + abs(shift)) + 1e-9 * (result.high - result.low)
    assert shifted.low == pytest.approx(result.low + shift, abs=tolerance)
    assert shifted.high == pytest.approx(result.high + shift, abs=tolerance)


def test_t_quantiles_match_the_tables():
    for df, p, expected in [
        (1, 0.975, 12.7062),
        (2, 0.975, 4.3027),
        (29, 0.975, 2.0452),
        (10, 0.995, 3.1693),
    ]:
        assert stats.t_ppf(p, df) == pytest.approx(expected, abs=1e-4)
    assert stats.t_ppf(0.025, 3) == pytest.approx(-3.1824, abs=1e-4)
    assert stats.t_ppf(0.975, 1000) == pytest.approx(1.9623, abs=1e-4)
    # The two methods meet at 200 degrees of freedom without a jump.
    assert stats.t_ppf(0.975, 200) - stats.t_ppf(0.975, 201) == pytest.approx(6.0e-5, abs=1e-5)


# --- two_level_interval -----------------------------------------------------------------------------------


def test_two_level_without_spread_within_equals_the_one_level_interval():
    x = savings(np.random.default_rng(5), 40)
    one = stats.mean_interval(x, rng=9)
    # Households with 1, 5 or 100 identical draws each: only the variation between households is left.
    two = stats.two_level_interval([np.full(1 + (i % 3) * 50, v) for i, v in enumerate(x)], rng=9)
    assert two.estimate == pytest.approx(one.estimate, rel=1e-12)
    assert two.low == pytest.approx(one.low, rel=1e-9)
    assert two.high == pytest.approx(one.high, rel=1e-9)
    assert two.widened == one.widened
    assert (two.total.low, two.total.estimate, two.total.high) == pytest.approx((x.sum(),) * 3)
    # Draws all alike are the household's value exactly, however their mean rounds: the total is exact.
    assert two.total.method == "exact"
    assert two.total.low == two.total.high


def test_two_level_with_large_spread_within_is_wider():
    rng = np.random.default_rng(6)
    x = savings(rng, 40)
    flat = stats.two_level_interval([np.full(200, v) for v in x], rng=9)
    spread = stats.two_level_interval([v + rng.normal(0, 20_000, 200) for v in x], rng=9)
    assert spread.high - spread.low > 1.5 * (flat.high - flat.low)
    assert spread.total.high - spread.total.low > 0


def test_two_level_total_interval_holds_the_sum_of_these_households_outcomes():
    # Each household's case turns out as one of its draws; the sum of those lies in the interval of the
    # total about 95 % of the time (the households stay the same: only their outcomes vary).
    rng = np.random.default_rng(7)
    draws = [
        rng.normal(m, s, 500) for m, s in zip(rng.normal(0, 1000, 25), rng.uniform(0, 3000, 25), strict=True)
    ]
    result = stats.two_level_interval(draws, rng=1)
    realised = np.array([[rng.choice(d) for d in draws] for _ in range(2000)]).sum(axis=1)
    inside = np.mean((result.total.low <= realised) & (realised <= result.total.high))
    assert 0.93 <= inside <= 0.97
    assert result.total.estimate == pytest.approx(sum(d.mean() for d in draws))


def test_two_level_chance_positive_is_about_the_mean_case_not_one_household():
    rng = np.random.default_rng(8)
    # 60 households whose net is positive on average but negative in 40 % of draws.
    draws = [rng.choice([-1000.0, 2000.0], size=400, p=[0.4, 0.6]) for _ in range(60)]
    result = stats.two_level_interval(draws, rng=2)
    assert result.household_chance_positive == pytest.approx(0.6, abs=0.03)
    assert result.chance_positive > 0.99  # the mean over 60 such households is almost surely positive
    losing = stats.two_level_interval([d - 2000 for d in draws], rng=2)
    assert losing.chance_positive < 0.01


def test_two_level_of_many_households_uses_the_analytic_interval():
    rng = np.random.default_rng(9)
    draws = [rng.normal(100, 50, 10) for _ in range(20_000)]
    result = stats.two_level_interval(draws, rng=1)
    assert result.method == "two-level hall-t"
    assert result.total.method == "normal"
    assert result.low < 100 < result.high


# --- proportion_interval ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table II, method 3.
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_matches_the_published_values(successes, n, low, high):
    result = stats.proportion_interval(successes, n)
    assert (round(result.low, 4), round(result.high, 4)) == (low, high)
    assert result.method == "wilson"


def test_wilson_interval_at_zero_and_all_successes_reaches_the_edge():
    none = stats.proportion_interval(0, 12)
    every = stats.proportion_interval(12, 12)
    assert (none.estimate, none.low) == (0.0, 0.0) and 0 < none.high < 0.3
    assert (every.estimate, every.high) == (1.0, 1.0) and 0.7 < every.low < 1
    assert every.low == pytest.approx(1 - none.high)


def test_wilson_interval_refuses_no_households():
    with pytest.raises(stats.StatsInputError, match="^n: must be at least 1") as error:
        stats.proportion_interval(0, 0)
    assert error.value.field == "n"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_share_and_mirrors(pair):
    successes, n = pair
    result = stats.proportion_interval(successes, n)
    assert 0 <= result.low <= result.estimate <= result.high <= 1
    mirror = stats.proportion_interval(n - successes, n)
    assert mirror.low == pytest.approx(1 - result.high, abs=1e-12)


# --- prediction_total -------------------------------------------------------------------------------------


def test_prediction_total_is_wider_than_n_times_the_mean_interval():
    x = savings(np.random.default_rng(10), 100)
    result = stats.prediction_total(x, 300, rng=1)
    assert result.estimate == pytest.approx(300 * x.mean())
    assert result.low < 300 * result.per_household.low
    assert result.high > 300 * result.per_household.high
    assert result.warnings == ()


def test_prediction_total_warns_for_few_or_selected_cases_and_far_reaches():
    x = savings(np.random.default_rng(11), 20)
    result = stats.prediction_total(x, 300, rng=1, selected=True)
    assert result.warnings == (stats.WARNING_SMALL_N, stats.WARNING_SELECTED, stats.WARNING_FAR)
    assert "selected" in result.warning


def test_haircut_lowers_savings_and_keeps_losses():
    x = [1000.0, -500.0, 3000.0, 200.0]
    plain = stats.prediction_total(x, 10, rng=1)
    cut = stats.prediction_total(x, 10, rng=1, haircut=0.4)
    assert cut.per_household.estimate == pytest.approx((600 - 500 + 1800 + 120) / 4)
    assert cut.high < plain.high
    assert cut.haircut == 0.4


def test_haircut_by_grade_grows_as_the_evidence_weakens():
    assert [stats.haircut_for_grade(g) for g in "ABCD"] == [0.0, 0.15, 0.40, 0.50]
    assert stats.haircut_for_grade(None) == stats.GRADE_HAIRCUT["D"]
    assert stats.haircut_for_grade(" b ") == 0.15
    with pytest.raises(stats.StatsInputError, match="^grade:"):
        stats.haircut_for_grade("E")


def test_haircut_grades_cover_the_catalogue_and_agree_with_the_business_case_default():
    # lib may not import the domain apps, so the fractions are written twice; this keeps them together.
    from maatwerk.businesscases.evaluation import OPTIMISM_BIAS_BY_GRADE
    from maatwerk.catalogue.models import Confidence

    assert {c.value for c in Confidence} <= set(stats.GRADE_HAIRCUT)
    assert {g: stats.GRADE_HAIRCUT[g] for g in OPTIMISM_BIAS_BY_GRADE} == OPTIMISM_BIAS_BY_GRADE


# --- mean_grade -------------------------------------------------------------------------------------------


def test_mean_grade_counts_each_grade_and_those_who_gave_none():
    grades = [8, 9, 10, None, 7, 8, 9, 9, None, 6]
    result = stats.mean_grade(grades)
    assert (result.n, result.no_grade, result.respondents) == (8, 2, 10)
    assert result.estimate == pytest.approx(66 / 8)
    assert result.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 1, 8: 2, 9: 3, 10: 1}
    assert 1 <= result.low < result.estimate < result.high <= 10
    assert result.notes == (stats.NOTE_FEW_GRADES, stats.NOTE_NO_GRADE)


def test_mean_grade_interval_stays_on_the_scale():
    result = stats.mean_grade([10] * 30 + [9, 1])
    assert result.high <= 10
    assert stats.mean_grade([7]).low == 1 and stats.mean_grade([7]).high == 10


@pytest.mark.parametrize("bad", [0, 11, 7.5, "8", True])
def test_mean_grade_refuses_what_is_no_grade(bad):
    with pytest.raises(stats.StatsInputError, match=r"^grades\[1\]:"):
        stats.mean_grade([8, bad])


def test_mean_grade_refuses_only_missing_grades():
    with pytest.raises(stats.StatsInputError, match="^grades:"):
        stats.mean_grade([None, None])


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: stats.mean_interval([], rng=1), "values"),
        (lambda: stats.mean_interval([5.0], rng=1), "values"),
        (lambda: stats.mean_interval([1.0, float("nan")], rng=1), "values"),
        (lambda: stats.mean_interval([1.0, float("inf")], rng=1), "values"),
        (lambda: stats.mean_interval([1.0, "x"], rng=1), "values"),
        (lambda: stats.mean_interval([1.0, 2.0], 1.0, rng=1), "level"),
        (lambda: stats.mean_interval([1.0, 2.0], 0, rng=1), "level"),
        (lambda: stats.mean_interval([1.0, 2.0], 95, rng=1), "level"),
        (lambda: stats.mean_interval([1.0, 2.0], rng=None), "rng"),
        (lambda: stats.mean_interval([1.0, 2.0], rng=1, resamples=10), "resamples"),
        (lambda: stats.two_level_interval([], rng=1), "draws_per_household"),
        (lambda: stats.two_level_interval([[1.0]], rng=1), "draws_per_household"),
        (lambda: stats.two_level_interval([[1.0], []], rng=1), "draws_per_household[1]"),
        (lambda: stats.two_level_interval([[1.0], [float("nan")]], rng=1), "draws_per_household[1]"),
        (lambda: stats.two_level_interval([[1.0], [2.0]], -0.5, rng=1), "level"),
        (lambda: stats.proportion_interval(3, 2), "successes"),
        (lambda: stats.proportion_interval(-1, 2), "successes"),
        (lambda: stats.proportion_interval(1.5, 2), "successes"),
        (lambda: stats.proportion_interval(1, 2, level=float("nan")), "level"),
        (lambda: stats.prediction_total([], 10, rng=1), "values"),
        (lambda: stats.prediction_total([1.0, 2.0], 0, rng=1), "n_new"),
        (lambda: stats.prediction_total([1.0, 2.0], 10, rng=1, haircut=1.0), "haircut"),
        (lambda: stats.prediction_total([1.0, 2.0], 10, 1.5, rng=1), "level"),
        (lambda: stats.mean_grade([8], level=2), "level"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, field):
    with pytest.raises(ValueError, match=f"^{re.escape(field)}: ") as error:
        call()
    assert error.value.field == field
