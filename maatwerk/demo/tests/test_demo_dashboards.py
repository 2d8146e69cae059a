"""The synthetic data the learning dashboards count: business cases, spends with a kind, and the ledger."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import delete_demo_case_files
from maatwerk.budgets.models import Budget, Kind, LedgerEntry, SpendRequest, SpendStatus
from maatwerk.budgets.services import open_commitment
from maatwerk.businesscases import engine
from maatwerk.businesscases.models import NET_QUANTILES, BusinessCaseVersion
from maatwerk.cases.models import Case, Status
from maatwerk.demo import business, spends
from maatwerk.demo import cases as demo_cases
from maatwerk.demo.organisation import ensure_organisation
from maatwerk.lib import ledger

pytestmark = pytest.mark.django_db

PLAN_ON = [Status.PLAN, Status.EXECUTION, Status.CLOSED, Status.AFTERCARE]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_organisation()
    # One load per test is most of this file's time: each test below checks a whole area of it.
    call_command("demo", households=700, seed=5, verbosity=0)


def _synthetic_spends():
    """The bulk-written spends (the services' demo spends and the story have purposes of their own)."""
    purposes = [purpose for purpose, *_ in spends.PURPOSES.values()]
    return SpendRequest.objects.filter(purpose__in=purposes).values_list("pk", flat=True)


def test_demo_business_cases_have_the_intended_shares_and_show_on_their_page(demo, client):
    cases = Case.objects.filter(status__in=PLAN_ON)
    share = cases.filter(business_case__isnull=False).count() / cases.count()
    assert 0.37 <= share <= 0.53
    early = Case.objects.exclude(status__in=PLAN_ON).filter(business_case__isnull=False)
    assert not early.exclude(household__name="El Idrissi").exists()  # but the story's own business case
    # some lose money, a few save a lot
    versions = BusinessCaseVersion.objects.exclude(business_case__case__household__name="El Idrissi")
    negative = versions.filter(expected_net__lt=0).count() / versions.count()
    assert 0.06 <= negative <= 0.2
    nets = sorted(float(v) for v in versions.values_list("expected_net", flat=True))
    median, top = nets[len(nets) // 2], nets[-1]
    assert top > 5 * median  # skewed: the eviction plans
    assert set(versions.values_list("weakest_grade", flat=True)) == {"B", "C"}
    assert {v.created_by_id for v in versions.select_related("business_case__case")} <= set(
        Case.objects.values_list("lead_worker_id", flat=True)
    )
    for v in versions.select_related("business_case__case")[:50]:
        assert v.created_by_id == v.business_case.case.lead_worker_id
    version = versions.first()
    case = version.business_case.case
    client.force_login(case.lead_worker)
    page = client.get(reverse("businesscases:version", args=[case.pk, version.number]))
    assert page.status_code == 200


def test_a_demo_version_is_its_template_scaled_by_one_factor():
    templates = business.computed_templates()
    template = templates[5][1][0]  # the eviction plan
    row = business.version_row(template, 1.5, business_case_id=1, by_id=1, at=None)
    assert row["expected_net"] == engine.to_decimal(template.net * 1.5)
    assert row["investment"] == engine.to_decimal(template.investment * 1.5)
    assert row["net_draws"] == [round(q * 1.5, 2) for q in template.net_draws]
    assert row["net_var"] == pytest.approx(template.net_var * 2.25)
    assert row["net_m3"] == pytest.approx(template.net_m3 * 3.375)
    assert row["roi"] == template.roi and row["p_net_positive"] == template.p_net_positive
    # Linear: the engine on the scaled plan gives the scaled figures (to the cent, up to rounding).
    result, draws = engine.compute_with_draws(row["plan"])
    assert result["expected"]["net"] == pytest.approx(float(row["expected_net"]), abs=0.05)
    summary = engine.net_summary(draws, NET_QUANTILES)
    assert summary["net_draws"] == pytest.approx(row["net_draws"], abs=0.05)
    assert summary["net_var"] == pytest.approx(row["net_var"], rel=1e-6)
    assert row["result"]["simulation"]["net"]["p95"] == pytest.approx(
        result["simulation"]["net"]["p95"], abs=0.05
    )


def test_every_scenario_has_a_template_and_the_loss_templates_lose():
    templates = business.computed_templates()
    assert len(templates) == len(demo_cases.SCENARIOS)
    losing = [t for _weights, options in templates for t in options if t.net < 0]
    assert len(losing) == 3 and all(t.grade for _w, options in templates for t in options)


def test_demo_spends_have_the_scenarios_kind_and_the_ledger_holds(demo, client):
    past_intake = Case.objects.exclude(status=Status.INTAKE)
    synthetic = SpendRequest.objects.filter(pk__in=_synthetic_spends())
    share = synthetic.values("case").distinct().count() / past_intake.count()
    assert 0.24 <= share <= 0.36
    assert not synthetic.filter(case__status=Status.INTAKE).exists()
    amounts = [a for a in synthetic.values_list("amount", flat=True)]
    assert min(amounts) >= 150 and max(amounts) <= 6000
    statuses = list(synthetic.values_list("status", flat=True))
    assert statuses.count(SpendStatus.PAID) + statuses.count(SpendStatus.APPROVED) > 0.75 * len(statuses)
    kinds = set(synthetic.values_list("kind", flat=True))
    assert kinds == set(Kind.values)
    assert synthetic.filter(kind=Kind.OTHER).count() < 0.1 * len(statuses)
    # the kind follows the scenario: arrears of rent and energy come from the early-signal cases
    early_signal = demo_cases.SCENARIOS[5].vastloper
    assert not synthetic.filter(kind=Kind.ENERGY).exclude(case__vastloper=early_signal).exists()
    # each spend sits in its case's team budget
    for s in synthetic.select_related("budget", "case")[:100]:
        assert s.budget.team_id == s.case.team_id == s.team_id
    spend = synthetic.select_related("case").first()
    client.force_login(spend.case.lead_worker)
    assert client.get(reverse("budgets:spend", args=[spend.pk])).status_code == 200

    # the services' demo spends and the story have a kind
    from maatwerk.demo import story
    from maatwerk.demo.budgets import DEMO_SPENDS

    assert SpendRequest.objects.get(purpose=story.PURPOSE).kind == Kind.CHILDCARE
    for _amount, purpose, kind, *_rest in DEMO_SPENDS:
        assert set(SpendRequest.objects.filter(purpose=purpose).values_list("kind", flat=True)) == {kind}

    # the ledger holds and no budget goes below zero
    for budget in Budget.objects.all():
        balances = budget.balances()
        assert balances.available >= 0, budget
        assert balances.committed >= 0
    for spend in SpendRequest.objects.filter(pk__in=_synthetic_spends()).order_by("pk")[:300]:
        own = ledger.balances(LedgerEntry.objects.filter(spend=spend).as_rows())
        if spend.status == SpendStatus.PAID:
            assert (own.paid, own.committed) == (spend.amount, Decimal(0))
        elif spend.status == SpendStatus.APPROVED:
            assert open_commitment(spend) == spend.amount and own.paid == 0
        else:
            assert not LedgerEntry.objects.filter(spend=spend).exists()
    # the budget's totals are the sums of its spends
    budget = Budget.objects.filter(team__isnull=False).order_by("pk").first()
    paid = sum(s.amount for s in SpendRequest.objects.filter(budget=budget, status=SpendStatus.PAID))
    assert budget.balances().paid == paid


def _snapshot():
    versions = BusinessCaseVersion.objects.order_by("business_case__case_id").values_list(
        "business_case__case__household__name", "expected_net", "net_draws", "note"
    )
    return list(versions)


def test_demo_business_cases_and_planned_spends_are_deterministic_for_a_seed(settings):
    ensure_organisation()
    first_plan: list = []
    demo_cases.generate(80, seed=9, planned_spends=first_plan)
    first = _snapshot()
    delete_demo_case_files()
    second_plan: list = []
    demo_cases.generate(80, seed=9, planned_spends=second_plan)
    assert _snapshot() == first and first
    assert [(p.scenario, p.opened_on) for p in first_plan] == [(p.scenario, p.opened_on) for p in second_plan]
