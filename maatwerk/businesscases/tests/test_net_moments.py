"""The simulated net as the dashboards read it: quantiles, variance, third moment and the weakest grade."""

import importlib

import numpy as np
import pytest
from django.apps import apps

from maatwerk.businesscases import engine, services
from maatwerk.businesscases.evaluation import weakest_grade
from maatwerk.businesscases.models import NET_QUANTILES, BusinessCaseVersion

from .factories import case_for, childcare_plan

# One saving of EUR 1,000 that happens with chance one half, nothing else, no discounting: the net of a
# draw is 0 or 1,000, each about half the time.
COIN_PLAN = {
    "horizon_months": 12,
    "discount_rate": 0.0,
    "draws": 20_000,
    "investments": [],
    "regular_route": [{"label": "Ontruiming", "amount": 1000, "probability": 0.5, "payer": "gemeente"}],
    "maatwerk_route": [],
}


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def test_compute_with_draws_gives_the_same_result_as_compute():
    result, draws = engine.compute_with_draws(childcare_plan())
    assert result == engine.compute(childcare_plan())
    assert draws.shape == (engine.validate(childcare_plan()).draws,)
    assert result["simulation"]["net"]["mean"] == pytest.approx(draws.mean(), abs=0.01)


def test_a_coin_flip_saving_has_about_half_its_quantiles_at_each_value():
    _result, draws = engine.compute_with_draws(COIN_PLAN)
    summary = engine.net_summary(draws, NET_QUANTILES)
    quantiles = summary["net_draws"]
    assert len(quantiles) == NET_QUANTILES
    assert quantiles == sorted(quantiles)
    zeros, thousands = quantiles.count(0.0), quantiles.count(1000.0)
    assert zeros + thousands >= NET_QUANTILES - 1  # at most the middle one interpolates between them
    assert 9 <= zeros <= 11 and 9 <= thousands <= 11
    # population variance p(1-p)·1000² and a third moment near zero (symmetric)
    assert summary["net_var"] == pytest.approx(250_000, rel=0.02)
    assert abs(summary["net_m3"]) < 0.05 * 1000**3 * 0.25


def test_net_summary_uses_midpoint_quantiles_and_population_moments():
    draws = np.arange(1, 101, dtype=float)  # 1 … 100
    summary = engine.net_summary(draws, 4)
    assert summary["net_draws"] == [
        13.38,  # 13.375 half up, as every euro figure of the engine
        38.13,
        62.88,
        87.63,
    ]
    assert [float(np.quantile(draws, q)) for q in (0.125, 0.375, 0.625, 0.875)] == [
        13.375,
        38.125,
        62.875,
        87.625,
    ]
    assert summary["net_var"] == pytest.approx(np.var(draws))  # divided by n, not n - 1
    skewed = np.array([0.0, 0.0, 0.0, 10.0])
    assert engine.net_summary(skewed, 2)["net_m3"] == pytest.approx(np.mean((skewed - 2.5) ** 3))
    assert engine.net_summary(skewed, 2)["net_m3"] > 0


def test_a_saved_version_keeps_the_quantiles_and_moments_of_its_draws(world, case):
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    _result, draws = engine.compute_with_draws(version.plan)
    expected = engine.net_summary(draws, NET_QUANTILES)
    version.refresh_from_db()
    assert version.net_draws == expected["net_draws"]
    assert version.net_var == pytest.approx(expected["net_var"])
    assert version.net_m3 == pytest.approx(expected["net_m3"])
    assert version.net_draws[0] <= float(version.expected_net) <= version.net_draws[-1]


@pytest.mark.parametrize(
    ("codes", "grade"),
    [
        ([], ""),
        (["PW_NORM_ALL_2024H1"], "A"),
        (["PW_NORM_ALL_2024H1", "KOT_MAX_DAGOPVANG"], "B"),
        (["KOT_MAX_DAGOPVANG", "HUISUITZ_MAATSCH", "PW_NORM_ALL_2024H1"], "C"),
    ],
    ids=["none", "A", "B", "C"],
)
def test_a_saved_version_keeps_the_weakest_grade_of_the_catalogue_items_it_uses(world, case, codes, grade):
    flows = [{"label": c, "amount": 100, "cost_code": c, "payer": "gemeente"} for c in codes]
    version = services.save_version(case, by=world.alice, plan=childcare_plan(regular_route=flows))
    assert BusinessCaseVersion.objects.get(pk=version.pk).weakest_grade == grade


def test_weakest_grade_counts_d_as_worst_and_ignores_what_is_no_grade():
    assert (
        weakest_grade({"X": {"confidence": "A"}, "Y": {"confidence": "D"}, "Z": {"confidence": "B"}}) == "D"
    )
    assert weakest_grade({"X": {"confidence": "?"}, "Y": {}, "Z": "not a source"}) == ""


def test_the_migration_fills_versions_saved_before_also_frozen_ones(world, case):
    flows = [{"label": "x", "amount": 100, "cost_code": "KOT_MAX_DAGOPVANG", "payer": "gemeente"}]
    first = services.save_version(case, by=world.alice, plan=childcare_plan(regular_route=flows))
    services.freeze_version(first, by=world.alice, reason="U-000001 goedgekeurd")
    second = services.save_version(case, by=world.alice, plan=childcare_plan())
    saved = {v.pk: (v.net_draws, v.net_var, v.net_m3, v.weakest_grade) for v in (first, second)}
    # As they were before 0004's columns were filled (a plain queryset: the model refuses frozen rows).
    from django.db.models import QuerySet

    QuerySet(model=BusinessCaseVersion).update(net_draws=[], net_var=None, net_m3=None, weakest_grade="")
    migration = importlib.import_module("maatwerk.businesscases.migrations.0005_fill_net_moments")

    class Editor:
        class connection:
            alias = "default"

    migration.fill_net_moments(apps, Editor)
    for version in BusinessCaseVersion.objects.filter(pk__in=saved):
        draws, var, m3, grade = saved[version.pk]
        assert version.net_draws == draws and len(draws) == NET_QUANTILES
        assert version.net_var == pytest.approx(var) and version.net_m3 == pytest.approx(m3)
        assert version.weakest_grade == grade
    assert BusinessCaseVersion.objects.get(pk=first.pk).weakest_grade == "B"
