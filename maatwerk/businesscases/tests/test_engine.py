"""Contract tests for the business-case engine (DESIGN.md, "Business-case engine").

Expected figures are computed by hand (closed formulas written out in the test) and pinned to the cent.
No Django needed.
"""

from __future__ import annotations

import io
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.businesscases import cli, engine
from maatwerk.businesscases.engine import PlanError, compute, simulate_net, to_decimal, validate

RATE = 0.0225
# Monthly discount factor at 2.25% a year: month m is worth MONTH_FACTOR ** m.
MONTH_FACTOR = (1 + RATE) ** (-1 / 12)


def make_plan(**overrides: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "horizon_months": 12,
        "discount_rate": 0.0,
        "draws": 2000,
        "seed": 1,
        "investments": [],
        "regular_route": [],
        "maatwerk_route": [],
    }
    plan.update(overrides)
    return plan


def tri(low: float, mode: float, high: float) -> dict[str, float]:
    return {"low": low, "mode": mode, "high": high}


def geometric(first: int, count: int, factor: float = MONTH_FACTOR) -> float:
    """Sum of factor**m for m = first … first+count-1, by the closed formula (not by looping)."""
    return factor**first * (1 - factor**count) / (1 - factor)


def expected(plan: dict[str, Any]) -> dict[str, Any]:
    return compute(plan)["expected"]


# --- expected values --------------------------------------------------------------------------------


def test_triangular_amount_counts_at_its_mean() -> None:
    plan = make_plan(regular_route=[{"amount": tri(100, 200, 600)}])
    assert expected(plan)["regular_route"] == 300.00  # (100 + 200 + 600) / 3


def test_probability_weights_the_amount() -> None:
    plan = make_plan(
        regular_route=[
            {"amount": 1000, "probability": 0.25},  # 250
            {"amount": 1000, "probability": tri(0.1, 0.2, 0.6)},  # mean p 0.3 -> 300
            {"amount": tri(100, 200, 600), "probability": tri(0.1, 0.2, 0.6)},  # 300 * 0.3 = 90
            {"amount": 999, "probability": 0},
        ]
    )
    assert expected(plan)["regular_route"] == 640.00


def test_monthly_flow_is_discounted_per_month() -> None:
    # 100 a month for 12 months from month 0 at 2.25% a year: 100 * sum(1.0225 ** (-m/12)), m = 0..11.
    plan = make_plan(
        horizon_months=36,
        discount_rate=RATE,
        regular_route=[{"amount": 100, "per": "month", "months": 12}],
    )
    assert 100 * geometric(0, 12) == pytest.approx(1187.85, abs=0.005)
    assert expected(plan)["regular_route"] == 1187.85


def test_monthly_flow_starting_later_is_discounted_from_its_start() -> None:
    plan = make_plan(
        horizon_months=36,
        discount_rate=RATE,
        regular_route=[{"amount": 100, "per": "month", "start_month": 2, "months": 12}],
    )
    assert 100 * geometric(2, 12) == pytest.approx(1183.45, abs=0.005)
    assert expected(plan)["regular_route"] == 1183.45


def test_once_flow_is_discounted_by_its_month() -> None:
    plan = make_plan(horizon_months=36, discount_rate=RATE, regular_route=[{"amount": 1000, "month": 12}])
    assert expected(plan)["regular_route"] == 978.00  # 1000 / 1.0225 = 977.995…


def test_yearly_amount_is_paid_as_a_twelfth_each_month() -> None:
    undiscounted = make_plan(regular_route=[{"amount": 1200, "per": "year"}])
    assert expected(undiscounted)["regular_route"] == 1200.00
    discounted = make_plan(
        horizon_months=36, discount_rate=RATE, regular_route=[{"amount": 1200, "per": "year"}]
    )
    assert 100 * geometric(0, 36) == pytest.approx(3485.71, abs=0.005)
    assert expected(discounted)["regular_route"] == 3485.71


def test_months_are_clipped_at_the_horizon() -> None:
    plan = make_plan(
        horizon_months=36, regular_route=[{"amount": 100, "per": "month", "start_month": 30, "months": 12}]
    )
    assert expected(plan)["regular_route"] == 600.00  # only months 30..35


def test_missing_months_means_until_the_horizon() -> None:
    plan = make_plan(regular_route=[{"amount": 100, "per": "month", "start_month": 10}])
    assert expected(plan)["regular_route"] == 200.00  # months 10 and 11


def test_flow_starting_at_or_beyond_the_horizon_counts_nothing() -> None:
    plan = make_plan(
        regular_route=[
            {"amount": 100, "month": 12},
            {"amount": 100, "per": "month", "start_month": 40},
            {"amount": 7, "month": 11},  # last month inside the horizon does count
        ]
    )
    assert expected(plan)["regular_route"] == 7.00


def test_maatwerk_route_is_subtracted_from_the_regular_route() -> None:
    plan = make_plan(
        investments=[{"amount": 200}],
        regular_route=[{"amount": 1000}],
        maatwerk_route=[{"amount": 300}],
    )
    assert expected(plan) == {
        "investment": 200.00,
        "regular_route": 1000.00,
        "maatwerk_route": 300.00,
        "avoided": 700.00,
        "net": 500.00,
        "roi": 3.5,
    }


def test_deadweight_and_optimism_bias_shrink_the_avoided_cost() -> None:
    plan = make_plan(
        investments=[{"amount": 500}],
        regular_route=[{"amount": 1300}],
        maatwerk_route=[{"amount": 300}],
        deadweight=0.2,
        optimism_bias=0.1,
    )
    result = expected(plan)
    assert result["avoided"] == 720.00  # (1300 - 300) * 0.8 * 0.9
    assert result["net"] == 220.00
    assert result["roi"] == 1.44


def test_money_is_rounded_half_up_to_cents() -> None:
    plan = make_plan(regular_route=[{"amount": 0.125}, {"amount": 0.001}])
    assert expected(plan)["regular_route"] == 0.13  # 0.126 -> 0.13
    assert expected(make_plan(regular_route=[{"amount": 0.125}]))["regular_route"] == 0.13  # tie goes up


def test_roi_is_rounded_to_four_decimals() -> None:
    plan = make_plan(investments=[{"amount": 3}], regular_route=[{"amount": 1}])
    assert expected(plan)["roi"] == 0.3333


def test_roi_is_none_without_investment() -> None:
    assert expected(make_plan(regular_route=[{"amount": 100}]))["roi"] is None
    never_made = make_plan(investments=[{"amount": 100, "probability": 0}], regular_route=[{"amount": 100}])
    assert expected(never_made)["roi"] is None


# --- per payer ----------------------------------------------------------------------------------------


def test_wrong_pocket_investor_loses_and_other_payer_saves() -> None:
    # The gemeente pays for debt help; the woningcorporatie avoids the eviction.
    plan = make_plan(
        investments=[{"amount": 5000, "payer": "gemeente"}],
        regular_route=[
            {"label": "Huisuitzetting", "amount": 8000, "month": 3, "payer": "woningcorporatie"},
            {
                "label": "Opvang",
                "amount": 1000,
                "per": "month",
                "start_month": 4,
                "months": 2,
                "payer": "gemeente",
            },
        ],
        maatwerk_route=[{"label": "Budgetbeheer", "amount": 100, "per": "month", "payer": "gemeente"}],
        deadweight=0.25,
    )
    result = compute(plan)
    assert result["by_payer"] == {
        # avoided: (2000 - 1200) * 0.75 = 600
        "gemeente": {"invests": 5000.00, "avoided": 600.00, "net": -4400.00},
        # avoided: 8000 * 0.75 = 6000
        "woningcorporatie": {"invests": 0.00, "avoided": 6000.00, "net": 6000.00},
    }
    assert result["expected"]["net"] == 1600.00
    assert sum(p["net"] for p in result["by_payer"].values()) == pytest.approx(result["expected"]["net"])


def test_payer_defaults_to_onbekend() -> None:
    result = compute(make_plan(regular_route=[{"amount": 10}]))
    assert result["by_payer"] == {"onbekend": {"invests": 0.0, "avoided": 10.0, "net": 10.0}}


# --- payback ------------------------------------------------------------------------------------------


def test_payback_month_is_first_month_cumulative_avoided_reaches_investment() -> None:
    plan = make_plan(investments=[{"amount": 1000}], regular_route=[{"amount": 300, "per": "month"}])
    assert compute(plan)["payback_month"] == 3  # 300, 600, 900, 1200


def test_payback_counts_an_exact_tie_as_reached() -> None:
    plan = make_plan(investments=[{"amount": 1200}], regular_route=[{"amount": 100, "per": "month"}])
    assert compute(plan)["payback_month"] == 11


def test_payback_uses_discounted_figures() -> None:
    # Undiscounted, 100 a month earns back 1000 in month 9; at 10% a year 100 * sum(d**m, m=0..9) = 966 < 1000
    # and the eleventh month brings it to 1058.
    d = 1.1 ** (-1 / 12)
    assert 100 * geometric(0, 10, d) < 1000 <= 100 * geometric(0, 11, d)
    plan = make_plan(
        discount_rate=0.1,
        investments=[{"amount": 1000}],
        regular_route=[{"amount": 100, "per": "month"}],
    )
    assert compute(plan)["payback_month"] == 10
    assert compute({**plan, "discount_rate": 0})["payback_month"] == 9


def test_payback_waits_for_the_investment() -> None:
    # Savings that start before the money is spent have not paid anything back yet.
    plan = make_plan(
        investments=[{"amount": 500, "month": 4}], regular_route=[{"amount": 1000, "per": "month"}]
    )
    assert compute(plan)["payback_month"] == 4


def test_payback_never_within_horizon_is_none() -> None:
    plan = make_plan(investments=[{"amount": 10_000}], regular_route=[{"amount": 100, "per": "month"}])
    assert compute(plan)["payback_month"] is None


def test_payback_applies_deadweight() -> None:
    plan = make_plan(
        investments=[{"amount": 1000}],
        regular_route=[{"amount": 300, "per": "month"}],
        deadweight=0.5,
    )
    assert compute(plan)["payback_month"] == 6  # 150 a month credited: 1050 after 7 months


def test_payback_without_investment_is_zero() -> None:
    assert compute(make_plan(regular_route=[{"amount": 100}]))["payback_month"] == 0


# --- the childcare example from the design ------------------------------------------------------------

CHILDCARE = {
    "horizon_months": 36,
    "discount_rate": 0.0225,
    "draws": 10000,
    "seed": 1,
    "investments": [{"label": "Kinderopvang", "amount": 6500, "month": 0, "payer": "gemeente"}],
    "regular_route": [
        {
            "label": "Bijstand",
            "amount": 1283.83,
            "per": "month",
            "start_month": 2,
            "months": 12,
            "probability": 0.9,
            "payer": "gemeente",
            "cost_code": "PW_NORM_ALL_2024H1",
        }
    ],
    "maatwerk_route": [],
    "deadweight": 0.0,
    "optimism_bias": 0.0,
}


def test_childcare_example_pays_off() -> None:
    bijstand_if_it_happens = 1283.83 * geometric(2, 12)  # 12 months from month 2, discounted
    assert bijstand_if_it_happens == pytest.approx(15193.51, abs=0.005)
    result = compute(CHILDCARE)
    assert result["expected"] == {
        "investment": 6500.00,
        "regular_route": 13674.16,  # 0.9 * 15193.51
        "maatwerk_route": 0.00,
        "avoided": 13674.16,
        "net": 7174.16,
        "roi": 2.1037,
    }
    assert result["payback_month"] == 7
    assert result["by_payer"] == {"gemeente": {"invests": 6500.00, "avoided": 13674.16, "net": 7174.16}}
    # Two outcomes only: bijstand avoided (p 0.9, net 15193.51 - 6500) or not (net -6500).
    simulation = result["simulation"]
    assert simulation["net"]["p5"] == -6500.00
    assert simulation["net"]["p50"] == simulation["net"]["p95"] == 8693.51
    # Share of positive draws ~ Binomial(10000, 0.9) / 10000: standard error 0.003.
    assert abs(simulation["p_net_positive"] - 0.9) <= 3 * math.sqrt(0.9 * 0.1 / 10000)


def test_monthly_series_are_cumulative_and_end_at_the_totals() -> None:
    result = compute(CHILDCARE)
    monthly = result["monthly"]
    assert set(monthly) == {"regular_route", "maatwerk_incl_investment"}
    assert len(monthly["regular_route"]) == len(monthly["maatwerk_incl_investment"]) == 36
    assert monthly["regular_route"][:3] == [0.0, 0.0, 1151.17]  # 1283.83 * 0.9 * d**2
    assert monthly["regular_route"] == sorted(monthly["regular_route"])
    assert monthly["regular_route"][-1] == result["expected"]["regular_route"]
    assert monthly["maatwerk_incl_investment"] == [6500.0] * 36


# --- simulation ---------------------------------------------------------------------------------------

UNCERTAIN = make_plan(
    horizon_months=36,
    discount_rate=RATE,
    draws=20_000,
    investments=[
        {"amount": tri(5500, 6500, 8000)},
        {"amount": tri(250, 300, 400), "per": "month", "start_month": 1, "months": 12, "probability": 0.8},
    ],
    regular_route=[
        {
            "amount": 1283.83,
            "per": "month",
            "start_month": 2,
            "months": 24,
            "probability": tri(0.6, 0.85, 0.95),
        },
        {"amount": tri(6000, 8000, 12000), "month": 4, "probability": 0.3, "payer": "woningcorporatie"},
        {"amount": tri(2000, 3000, 7000), "per": "year", "probability": tri(0.1, 0.2, 0.6)},
    ],
    maatwerk_route=[
        {"amount": 1283.83, "per": "month", "start_month": 2, "months": 6, "probability": 0.9},
        {"amount": tri(3000, 5000, 9000), "per": "year", "probability": 0.3},
    ],
    deadweight=0.1,
    optimism_bias=0.15,
)


def test_simulation_is_reproducible_for_a_seed() -> None:
    assert compute(UNCERTAIN) == compute(UNCERTAIN)
    assert np.array_equal(simulate_net(UNCERTAIN), simulate_net(UNCERTAIN))


def test_simulation_differs_for_another_seed() -> None:
    one = compute(UNCERTAIN)
    other = compute({**UNCERTAIN, "seed": 2})
    assert one["expected"] == other["expected"]
    assert one["simulation"]["net"]["mean"] != other["simulation"]["net"]["mean"]
    assert not np.array_equal(simulate_net(UNCERTAIN), simulate_net({**UNCERTAIN, "seed": 2}))


CONVERGENCE_DRAWS = 50_000


def _standard_error(net: np.ndarray) -> float:
    return float(net.std(ddof=1)) / math.sqrt(net.size)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_mean_converges_to_expected_net(seed: int) -> None:
    # The mean of n independent draws is within 3 standard errors (sd / sqrt(n)) of the true mean with
    # probability 99.7%; the seeds are fixed, so the test is deterministic. The next test shows the band is
    # narrow enough to expose a simulation that disagrees with the exact calculation.
    plan = {**UNCERTAIN, "draws": CONVERGENCE_DRAWS, "seed": seed}
    net = simulate_net(plan)
    assert net.shape == (CONVERGENCE_DRAWS,)
    assert abs(net.mean() - compute(plan)["expected"]["net"]) <= 3 * _standard_error(net)


def _modified(change: Any) -> dict[str, Any]:
    plan = json.loads(json.dumps({**UNCERTAIN, "draws": CONVERGENCE_DRAWS}))
    change(plan)
    return plan


PLAUSIBLE_BUGS = {
    "deadweight and optimism bias ignored": lambda p: p.update(deadweight=0, optimism_bias=0),
    "no discounting": lambda p: p.update(discount_rate=0),
    "a probability ignored": lambda p: p["regular_route"][1].update(probability=1),
    "mode of a triangular probability used as its mean": lambda p: p["regular_route"][2].update(
        probability=0.2
    ),
}


@pytest.mark.parametrize("bug", PLAUSIBLE_BUGS)
def test_convergence_band_is_narrow_enough_to_expose_a_bug(bug: str) -> None:
    # A simulation carrying this bug would centre on the buggy expected net. If that lies more than 6
    # standard errors away, its mean falls outside the 3-standard-error band above (all but surely).
    plan = _modified(lambda p: None)
    band = 3 * _standard_error(simulate_net(plan))
    shift = compute(_modified(PLAUSIBLE_BUGS[bug]))["expected"]["net"] - compute(plan)["expected"]["net"]
    assert abs(shift) > 2 * band


def test_summary_statistics_describe_the_draws() -> None:
    result = compute(UNCERTAIN)["simulation"]
    net = simulate_net(UNCERTAIN)
    cents = [float(to_decimal(x)) for x in (net.mean(), *np.percentile(net, [5, 50, 95]))]
    assert list(result["net"].values()) == cents
    # Positive means positive to the cent.
    assert result["p_net_positive"] == float(to_decimal(np.mean(net >= 0.005), 4))
    assert result["net"]["p5"] < result["net"]["p50"] < result["net"]["p95"]


def test_triangular_amount_draws_follow_the_triangular_distribution() -> None:
    plan = make_plan(draws=10_000, regular_route=[{"amount": tri(100, 200, 600)}])
    net = simulate_net(plan)
    assert net.min() >= 100 and net.max() <= 600
    # Inverse CDF of triangular(100, 200, 600): F(mode) = 0.2, so the 5th percentile lies left of the mode,
    # 100 + sqrt(0.05 * 500 * 100) = 150, and the median right of it, 600 - sqrt(0.5 * 500 * 400) = 283.77.
    # Sample-quantile standard error is sqrt(q(1-q)/n) / density: about 1.1 at p5 and 1.6 at the median.
    assert np.percentile(net, 5) == pytest.approx(150.0, abs=3 * 1.1)
    assert np.percentile(net, 50) == pytest.approx(600 - math.sqrt(100_000), abs=3 * 1.6)


def test_triangular_probability_sets_how_often_a_flow_happens() -> None:
    plan = make_plan(draws=10_000, regular_route=[{"amount": 1, "probability": tri(0.1, 0.2, 0.6)}])
    share = float(np.mean(simulate_net(plan) > 0))
    assert abs(share - 0.3) <= 3 * math.sqrt(0.3 * 0.7 / 10_000)


def test_degenerate_triangular_values_are_constants() -> None:
    plan = make_plan(regular_route=[{"amount": tri(5, 5, 5), "probability": tri(1, 1, 1)}])
    assert set(simulate_net(plan).tolist()) == {5.0}
    assert expected(plan)["regular_route"] == 5.00


def test_break_even_draws_are_not_counted_as_positive() -> None:
    # In floating point 0.1 + 0.2 - 0.3 is 5.6e-17, not 0: that is break-even, not a positive net.
    plan = make_plan(investments=[{"amount": 0.3}], regular_route=[{"amount": 0.1}, {"amount": 0.2}])
    result = compute(plan)
    assert result["expected"]["net"] == 0.0
    assert result["simulation"]["p_net_positive"] == 0.0
    assert result["payback_month"] == 0


def test_default_draws_and_seed() -> None:
    plan = make_plan(regular_route=[{"amount": tri(1, 2, 3)}])
    del plan["draws"], plan["seed"]
    assert simulate_net(plan).shape == (engine.DEFAULT_DRAWS,)
    assert compute(plan) == compute({**plan, "seed": engine.DEFAULT_SEED})


# --- output shape -------------------------------------------------------------------------------------


def test_output_has_the_contract_keys() -> None:
    result = compute(CHILDCARE)
    assert list(result) == ["expected", "simulation", "payback_month", "by_payer", "monthly"]
    assert list(result["expected"]) == [
        "investment",
        "regular_route",
        "maatwerk_route",
        "avoided",
        "net",
        "roi",
    ]
    assert list(result["simulation"]) == ["net", "p_net_positive"]
    assert list(result["simulation"]["net"]) == ["mean", "p5", "p50", "p95"]
    json.dumps(result, allow_nan=False)  # plain JSON, no numpy types or NaN


def test_money_in_the_output_has_at_most_two_decimals() -> None:
    result = compute(UNCERTAIN)
    money = [
        *(v for k, v in result["expected"].items() if k != "roi"),
        *result["simulation"]["net"].values(),
        *(v for payer in result["by_payer"].values() for v in payer.values()),
        *result["monthly"]["regular_route"],
        *result["monthly"]["maatwerk_incl_investment"],
    ]
    for value in money:
        assert type(value) is float
        assert Decimal(repr(value)).as_tuple().exponent >= -2, value


def test_to_decimal_rounds_half_up_to_cents() -> None:
    assert to_decimal(2.675) == Decimal("2.68")  # as written, not its binary neighbour 2.67499…
    assert to_decimal(1.005) == Decimal("1.01")
    assert to_decimal(-1.005) == Decimal("-1.01")
    assert str(to_decimal(-0.001)) == "0.00"
    assert to_decimal(7) == Decimal("7.00")
    assert to_decimal(np.float64(0.125)) == Decimal("0.13")
    assert to_decimal(2.10365, places=4) == Decimal("2.1037")


def test_null_optional_fields_mean_not_given() -> None:
    explicit = make_plan(
        regular_route=[{"amount": 10, "per": "once", "month": 0, "probability": 1, "payer": "onbekend"}]
    )
    nulls = make_plan(
        regular_route=[
            {"amount": 10, "per": None, "month": None, "probability": None, "payer": None, "months": None}
        ],
        discount_rate=None,
        deadweight=None,
    )
    assert compute(nulls) == compute(explicit)


def test_month_and_start_month_are_aliases() -> None:
    with_month = make_plan(regular_route=[{"amount": 10, "month": 3}])
    with_start = make_plan(regular_route=[{"amount": 10, "start_month": 3}])
    both = make_plan(regular_route=[{"amount": 10, "start_month": 3, "month": 3}])
    assert validate(with_month) == validate(with_start) == validate(both)


# --- validation ---------------------------------------------------------------------------------------


def _set(path: str, value: Any) -> dict[str, Any]:
    """A valid plan with one value replaced; path like "regular_route.0.probability"."""
    plan = make_plan(
        investments=[{"amount": 100}],
        regular_route=[{"amount": 100, "per": "month", "probability": 0.5}],
        maatwerk_route=[{"amount": 10}, {"amount": 20}],
    )
    *parents, last = path.split(".")
    target: Any = plan
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return plan


class _Delete:
    """Marks a key to remove; a fixed repr keeps test ids identical across pytest-xdist workers."""

    def __repr__(self) -> str:
        return "DELETE"


_DELETE = _Delete()

BAD_PLANS = [
    # (path to replace, bad value, field named in the error)
    ("horizon_months", _DELETE, "horizon_months"),
    ("horizon_months", 0, "horizon_months"),
    ("horizon_months", -12, "horizon_months"),
    ("horizon_months", 601, "horizon_months"),
    ("horizon_months", 12.0, "horizon_months"),
    ("horizon_months", "12", "horizon_months"),
    ("horizon_months", True, "horizon_months"),
    ("discount_rate", -0.01, "discount_rate"),
    ("discount_rate", 1, "discount_rate"),
    ("discount_rate", "2%", "discount_rate"),
    ("discount_rate", float("nan"), "discount_rate"),
    ("discount_rate", True, "discount_rate"),
    ("draws", 0, "draws"),
    ("draws", 1_000_001, "draws"),
    ("draws", 100.5, "draws"),
    ("seed", -1, "seed"),
    ("seed", "1", "seed"),
    ("seed", False, "seed"),
    ("deadweight", 1.0, "deadweight"),
    ("deadweight", -0.1, "deadweight"),
    ("optimism_bias", 1.5, "optimism_bias"),
    ("optimism_bias", "veel", "optimism_bias"),
    ("horizon", 36, "horizon"),
    ("investments", "kinderopvang", "investments"),
    ("investments", {"amount": 1}, "investments"),
    ("regular_route", [{"amount": 1}] * (engine.MAX_FLOWS + 1), "regular_route"),
    ("investments.0", 100, "investments[0]"),
    ("investments.0.amount", -1, "investments[0].amount"),
    ("investments.0.amount", tri(-1, 0, 5), "investments[0].amount.low"),
    ("regular_route.0.amount", _DELETE, "regular_route[0].amount"),
    ("regular_route.0.amount", "100", "regular_route[0].amount"),
    ("regular_route.0.amount", True, "regular_route[0].amount"),
    ("regular_route.0.amount", float("inf"), "regular_route[0].amount"),
    ("regular_route.0.amount", 10**400, "regular_route[0].amount"),
    ("regular_route.0.amount", [1, 2, 3], "regular_route[0].amount"),
    ("regular_route.0.amount", tri(300, 200, 600), "regular_route[0].amount"),
    ("regular_route.0.amount", tri(100, 700, 600), "regular_route[0].amount"),
    ("regular_route.0.amount", {"low": 1, "mode": 2}, "regular_route[0].amount.high"),
    ("regular_route.0.amount", {"low": 1, "mode": 2, "high": "3"}, "regular_route[0].amount.high"),
    ("regular_route.0.amount", {"low": 1, "mode": 2, "high": 3, "max": 4}, "regular_route[0].amount.max"),
    ("regular_route.0.probability", 1.5, "regular_route[0].probability"),
    ("regular_route.0.probability", -0.1, "regular_route[0].probability"),
    ("regular_route.0.probability", "0.5", "regular_route[0].probability"),
    ("regular_route.0.probability", True, "regular_route[0].probability"),
    ("regular_route.0.probability", tri(0.5, 0.9, 1.2), "regular_route[0].probability.high"),
    ("regular_route.0.probability", tri(-0.5, 0.1, 0.2), "regular_route[0].probability.low"),
    ("regular_route.0.per", "week", "regular_route[0].per"),
    ("regular_route.0.per", 12, "regular_route[0].per"),
    ("regular_route.0.start_month", -1, "regular_route[0].start_month"),
    ("regular_route.0.start_month", 1.5, "regular_route[0].start_month"),
    ("regular_route.0.month", "3", "regular_route[0].month"),
    ("regular_route.0.months", 0, "regular_route[0].months"),
    ("regular_route.0.months", 2.5, "regular_route[0].months"),
    ("regular_route.0.payer", "", "regular_route[0].payer"),
    ("regular_route.0.payer", "   ", "regular_route[0].payer"),
    ("regular_route.0.payer", 5, "regular_route[0].payer"),
    ("regular_route.0.label", 5, "regular_route[0].label"),
    ("regular_route.0.cost_code", ["PW"], "regular_route[0].cost_code"),
    ("regular_route.0.probabilty", 0.5, "regular_route[0].probabilty"),
    ("maatwerk_route.1.amount", None, "maatwerk_route[1].amount"),
    ("maatwerk_route.1.months", 3, "maatwerk_route[1].months"),  # months with a one-off amount
]


@pytest.mark.parametrize(
    ("path", "value", "field"), BAD_PLANS, ids=[f"{p}={v!r:.30}" for p, v, _ in BAD_PLANS]
)
def test_invalid_input_names_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(PlanError) as caught:
        compute(_set(path, value))
    error = caught.value
    assert error.field == field
    assert str(error) == f"{field}: {error.message}"
    assert error.message and error.message[0].islower()  # reads as the rest of a sentence after the field
    assert isinstance(error, ValueError)


def test_the_valid_base_of_the_bad_plans_is_valid() -> None:
    # Guards the test above: each case must fail because of its one change, not because of the base plan.
    assert compute(_set("horizon_months", 12))["expected"]["investment"] == 100.00


def test_error_messages_are_dutch_and_specific() -> None:
    cases = {
        "regular_route.0.probability": (
            1.5,
            ("regular_route[0].probability: moet tussen 0 en 1 liggen (0,9 betekent 90 %)"),
        ),
        "horizon_months": (0, "horizon_months: moet tussen 1 en 600 liggen"),
        "regular_route.0.per": ("week", "regular_route[0].per: moet eenmalig, per maand of per jaar zijn"),
        "regular_route.0.amount": (True, "regular_route[0].amount: moet een getal zijn, of een spreiding"),
        "horizon": (36, "horizon: is geen veld van een plan"),
    }
    for path, (value, message) in cases.items():
        with pytest.raises(PlanError, match="^" + re.escape(message)):
            compute(_set(path, value))


def test_conflicting_month_and_start_month_are_rejected() -> None:
    with pytest.raises(PlanError) as caught:
        validate(make_plan(regular_route=[{"amount": 1, "start_month": 1, "month": 2}]))
    assert caught.value.field == "regular_route[0].month"


def test_plan_must_be_an_object() -> None:
    with pytest.raises(PlanError) as caught:
        compute([1, 2, 3])
    assert caught.value.field == "plan"


def test_negative_route_amounts_are_allowed() -> None:
    # Income (e.g. wages that replace benefits) may be entered as a negative cost on a route.
    plan = make_plan(maatwerk_route=[{"amount": -250, "per": "month", "months": 4}])
    assert expected(plan)["avoided"] == 1000.00


# --- command line -------------------------------------------------------------------------------------


def test_cli_prints_the_result_as_json(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(CHILDCARE), encoding="utf-8")
    assert cli.main([str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == compute(CHILDCARE)
    assert out.startswith('{\n  "expected": {')  # indented


def test_cli_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    plan = make_plan(regular_route=[{"label": "Huurachterstand", "amount": 10, "payer": "woningcorporatie"}])
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(plan)))
    assert cli.main(["-"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["by_payer"]["woningcorporatie"]["avoided"] == 10.0


def test_cli_keeps_non_ascii_payers_readable(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(make_plan(regular_route=[{"amount": 1, "payer": "Rijksoverheid – Belastingdienst"}]))
    )
    assert cli.main([str(path)]) == 0
    assert "Rijksoverheid – Belastingdienst" in capsys.readouterr().out


def test_cli_rejects_an_invalid_plan(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_set("regular_route.0.probability", 1.5)), encoding="utf-8")
    assert cli.main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "fout: regular_route[0].probability: moet tussen 0 en 1 liggen (0,9 betekent 90 %)\n"


def test_cli_rejects_invalid_json(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"horizon_months": 12,', encoding="utf-8")
    assert cli.main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"fout: {path}: is geen geldige JSON (regel 1")


def test_cli_rejects_a_missing_file(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "bestaat-niet.json"
    assert cli.main([str(missing)]) == 2
    assert capsys.readouterr().err == f"fout: {missing}: bestand niet gevonden\n"


@pytest.mark.parametrize("argv", [[], ["a.json", "b.json"]])
def test_cli_needs_exactly_one_plan(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    assert "gebruik:" in capsys.readouterr().err


# --- how the simulation draws, and the fast paths around it ---------------------------------------------


def test_a_triangular_amount_with_a_probability_draws_both_from_one_uniform() -> None:
    # One uniform number decides whether the flow happens and, rescaled, where in the triangle it lands.
    # Both must still follow their own distribution: the share that happens, and the amounts that do.
    draws = 20_000
    plan = make_plan(draws=draws, regular_route=[{"amount": tri(100, 200, 600), "probability": 0.3}])
    net = simulate_net(plan)
    happened = net[net != 0]
    assert abs(happened.size / draws - 0.3) <= 3 * math.sqrt(0.3 * 0.7 / draws)
    assert happened.min() >= 100 and happened.max() <= 600
    # Quantile standard errors for about 6,000 happening draws: sqrt(q(1-q)/n) / density, 1.4 at p5 and
    # 2.0 at the median (see the triangular test above for the quantiles themselves).
    assert np.percentile(happened, 5) == pytest.approx(150.0, abs=3 * 1.4)
    assert np.percentile(happened, 50) == pytest.approx(600 - math.sqrt(100_000), abs=3 * 2.0)


@pytest.mark.parametrize(
    "amount",
    [tri(0, 0, 100), tri(0, 100, 100), tri(-500, -200, -100), tri(1000, 1000.5, 1001)],
    ids=["mode at low", "mode at high", "negative", "narrow"],
)
@pytest.mark.parametrize("probability", [1.0, 0.45])
def test_triangle_shapes_keep_their_support_and_mean(amount: dict[str, float], probability: float) -> None:
    plan = make_plan(draws=CONVERGENCE_DRAWS, regular_route=[{"amount": amount, "probability": probability}])
    net = simulate_net(plan)
    happened = net[net != 0] if probability < 1 else net
    # Draws are computed in single precision: a draw may sit a millionth of the triangle's width outside.
    slack = 1e-6 * (amount["high"] - amount["low"])
    assert happened.min() >= amount["low"] - slack and happened.max() <= amount["high"] + slack
    mean = (amount["low"] + amount["mode"] + amount["high"]) / 3
    assert abs(net.mean() - probability * mean) <= 3 * _standard_error(net)


def test_many_flows_are_simulated_in_blocks_with_the_same_result() -> None:
    # 600 random flows do not fit one block of work arrays: the draws are split into blocks, the last one
    # shorter. The result must still be reproducible and centred on the exact expected net.
    flows = [
        {"amount": tri(50 + i, 80 + i, 200 + i), "probability": 0.2 + (i % 7) / 10, "payer": f"p{i % 3}"}
        for i in range(engine.MAX_FLOWS)
    ]
    plan = make_plan(
        draws=3_001,
        investments=[{"amount": tri(1, 2, 3 + i)} for i in range(engine.MAX_FLOWS)],
        regular_route=flows,
        maatwerk_route=flows[: engine.MAX_FLOWS // 2],
    )
    net = simulate_net(plan)
    assert net.shape == (3_001,)
    assert np.array_equal(net, simulate_net(plan))
    assert abs(net.mean() - compute(plan)["expected"]["net"]) <= 3 * _standard_error(net)


def test_reused_work_arrays_do_not_carry_anything_over() -> None:
    first = compute(UNCERTAIN)
    small = make_plan(draws=7, regular_route=[{"amount": tri(1, 2, 3), "probability": 0.5}])
    small_result = compute(small)
    compute({**UNCERTAIN, "draws": 60_000, "seed": 9})  # grows the work arrays
    assert compute(UNCERTAIN) == first
    assert compute(small) == small_result


def test_parallel_threads_get_the_same_results() -> None:
    # Work arrays are per thread; a web server computes business cases in several threads at once.
    plans = [{**UNCERTAIN, "seed": seed, "draws": 5_000 + 1_000 * seed} for seed in range(8)]
    sequential = [compute(plan) for plan in plans]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(compute, plans)) == sequential


TIES = st.builds(
    lambda units, cents, sign: float(f"{sign}{units}.{cents:02d}5"),
    st.integers(0, 10**9),
    st.integers(0, 99),
    st.sampled_from(["", "-"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | TIES | st.integers(-(10**6), 10**6),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([2, 4]),
)
def test_vectorised_rounding_equals_to_decimal(values: list[float], places: int) -> None:
    assert engine._cents(values, places) == [float(to_decimal(float(value), places)) for value in values]


def test_vectorised_rounding_rounds_ties_as_written() -> None:
    assert engine._cents([2.675, -2.675, 1.005, 0.125, -0.001, 1e20]) == [2.68, -2.68, 1.01, 0.13, 0.0, 1e20]
    assert str(engine._cents([-0.001])[0]) == "0.0"  # no negative zero


@pytest.mark.parametrize("size", [1, 2, 3, 20, 21, 1_000, 10_000])
def test_percentiles_equal_numpys(size: int) -> None:
    rng = np.random.default_rng(size)
    for values in (rng.normal(0, 30_000, size), np.round(rng.normal(0, 5, size))):
        assert engine._percentiles(values, (5, 50, 95)) == np.percentile(values, [5, 50, 95]).tolist()
