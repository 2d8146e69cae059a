"""The engine's bounds on hostile or absurd plans: every one a PlanError naming the field, never a crash."""

import json
import time

import pytest

from maatwerk.businesscases import cli, engine
from maatwerk.lib import money


def plan(**changes) -> dict:
    base = {
        "horizon_months": 36,
        "draws": 500,
        "investments": [{"label": "Kinderopvang", "amount": 6500}],
        "regular_route": [{"label": "Bijstand", "amount": 1283.83, "per": "month", "months": 12}],
        "maatwerk_route": [],
    }
    base.update(changes)
    return base


def field_of(bad) -> str:
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(bad)
    return caught.value.field


def test_the_engine_bound_is_the_projects_one_maximum_for_money() -> None:
    assert engine.MAX_AMOUNT == float(money.MAX_AMOUNT) == 9_999_999.99


@pytest.mark.parametrize("amount", [1e308, 1e11, money.MAX_AMOUNT + 1, 10_000_000])
def test_an_amount_above_the_maximum_is_refused_naming_the_flow(amount) -> None:
    bad = plan(investments=[{"amount": float(amount)}])
    assert field_of(bad) == "investments[0].amount"
    bad = plan(regular_route=[{"amount": float(amount), "per": "month"}])
    assert field_of(bad) == "regular_route[0].amount"


def test_a_route_amount_below_minus_the_maximum_is_refused() -> None:
    assert field_of(plan(maatwerk_route=[{"amount": -1e308}])) == "maatwerk_route[0].amount"


def test_a_triangular_point_above_the_maximum_is_named() -> None:
    bad = plan(regular_route=[{"amount": {"low": 1, "mode": 2, "high": 1e12}}])
    assert field_of(bad) == "regular_route[0].amount.high"


def test_the_largest_amount_is_accepted() -> None:
    result = engine.compute(plan(investments=[{"amount": float(money.MAX_AMOUNT)}]))
    assert result["expected"]["investment"] == float(money.MAX_AMOUNT)


def test_message_says_the_maximum_in_dutch() -> None:
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(plan(investments=[{"amount": 1e11}]))
    assert caught.value.message == "mag hoogstens € 9.999.999,99 zijn"


def test_totals_beyond_what_a_column_holds_are_refused_naming_the_route() -> None:
    # Each amount is allowed, but 200 of them every month for 50 years add up to more than 10**10.
    flows = [{"amount": 9_000_000, "per": "month"}] * engine.MAX_FLOWS
    bad = plan(horizon_months=600, draws=10, regular_route=flows)
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(bad)
    assert caught.value.field == "regular_route"
    assert "9.999.999.999,99" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"horizon_months": -1}, "horizon_months"),
        ({"regular_route": [{"amount": 1, "per": "month", "months": -3}]}, "regular_route[0].months"),
        ({"regular_route": [{"amount": 1, "per": "month", "months": 10**12}]}, "regular_route[0].months"),
        ({"regular_route": [{"amount": 1, "start_month": -1}]}, "regular_route[0].start_month"),
        ({"regular_route": [{"amount": 1, "start_month": 10**30}]}, "regular_route[0].start_month"),
        ({"investments": [{"amount": 1, "month": 10**30}]}, "investments[0].month"),
        ({"seed": 2**64}, "seed"),
        ({"draws": 10**20}, "draws"),
    ],
)
def test_negative_or_absurd_months_and_counts_are_refused(changes, field) -> None:
    assert field_of(plan(**changes)) == field


def test_many_draws_over_many_flows_are_refused_before_simulating() -> None:
    flows = [{"amount": {"low": 1, "mode": 2, "high": 3}, "probability": 0.5}] * engine.MAX_FLOWS
    bad = plan(draws=engine.MAX_DRAWS, investments=flows, regular_route=flows, maatwerk_route=flows)
    started = time.perf_counter()
    with pytest.raises(engine.PlanError) as caught:
        engine.compute(bad)
    assert caught.value.field == "draws"
    assert time.perf_counter() - started < 1  # refused, not simulated (which takes seconds)
    assert "600 regels" in caught.value.message


def test_a_million_draws_of_a_small_plan_are_still_allowed() -> None:
    assert engine.validate(plan(draws=engine.MAX_DRAWS)).draws == engine.MAX_DRAWS


def test_a_hundred_thousand_flows_are_refused_by_their_count() -> None:
    assert field_of(plan(regular_route=[{"amount": 1}] * 100_000)) == "regular_route"


# --- parse_json: the text of a plan -------------------------------------------------------------------


def test_json_nested_a_hundred_thousand_deep_is_refused_without_recursion_error() -> None:
    text = '{"horizon_months": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(engine.PlanError) as caught:
        engine.parse_json(text)
    assert caught.value.field == "plan"
    assert "te diep genest" in caught.value.message


def test_json_nested_deeper_than_a_plan_but_parseable_is_refused_too() -> None:
    text = '{"investments": [{"label": ' + "[" * 500 + "]" * 500 + ', "amount": 1}]}'
    with pytest.raises(engine.PlanError, match="te diep genest"):
        engine.parse_json(text)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_although_pythons_json_reads_them(constant) -> None:
    with pytest.raises(engine.PlanError) as caught:
        engine.parse_json('{"horizon_months": 12, "investments": [{"amount": ' + constant + "}]}")
    assert caught.value.field == "plan"
    assert constant in caught.value.message


def test_invalid_utf8_bytes_are_refused() -> None:
    with pytest.raises(engine.PlanError, match="UTF-8"):
        engine.parse_json(b'{"horizon_months": "\xff"}')


def test_a_valid_plan_parses_unchanged() -> None:
    assert engine.parse_json(json.dumps(plan())) == plan()


def test_check_depth_accepts_a_plan_with_triangular_amounts() -> None:
    engine.check_depth(plan(regular_route=[{"amount": {"low": 1, "mode": 2, "high": 3}}]))


# --- check_result: what is already stored -------------------------------------------------------------


def test_check_result_accepts_what_compute_returns() -> None:
    engine.check_result(engine.compute(plan()))


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("expected", "investment"), 1e11, "expected.investment"),
        (("expected", "net"), float("inf"), "expected.net"),
        (("simulation", "net", "p5"), float("nan"), "simulation.net.p5"),
        (("simulation", "net", "p95"), 1e300, "simulation.net.p95"),
        (("expected", "roi"), "veel", "expected.roi"),
    ],
)
def test_check_result_names_a_figure_no_page_can_show(path, value, field) -> None:
    result = engine.compute(plan())
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(engine.PlanError) as caught:
        engine.check_result(result)
    assert caught.value.field == field


def test_check_result_refuses_a_result_of_the_wrong_shape() -> None:
    with pytest.raises(engine.PlanError) as caught:
        engine.check_result({"expected": []})
    assert caught.value.field == "result"


# --- the command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"horizon_months": ' + "[" * 100_000 + "]" * 100_000 + "}", "te diep genest"),
        ('{"horizon_months": 12, "investments": [{"amount": NaN}]}', "NaN"),
        (
            '{"horizon_months": 12, "investments": [{"amount": 1e308}]}',
            "investments[0].amount: mag hoogstens",
        ),
    ],
)
def test_cli_refuses_hostile_plans_with_a_message(tmp_path, capsys, text, expected) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    assert cli.main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("fout: ") and expected in err
