from decimal import Decimal

import pytest

from maatwerk.budgets.models import (
    BatchStatus,
    Budget,
    Channel,
    Mandate,
    PaymentBatch,
    SpendRequest,
    SpendStatus,
)
from maatwerk.budgets.services import balances
from maatwerk.demo import cases as demo_cases
from maatwerk.demo.budgets import (
    DEMO_SPENDS,
    LADDER,
    TEAM_MAATWERKBUDGET,
    ensure_budgets,
    ensure_ladder,
    ensure_spends,
)
from maatwerk.demo.organisation import ensure_organisation

pytestmark = pytest.mark.django_db


def test_demo_budgets_are_allocated_and_idempotent():
    ensure_organisation()
    made = ensure_budgets()
    assert made == 27  # two team budgets and one municipal budget in each of nine municipalities
    assert ensure_budgets() == 0
    team_budget = Budget.objects.filter(channel=Channel.MAATWERKBUDGET).first()
    assert balances(team_budget).available == TEAM_MAATWERKBUDGET
    assert ensure_ladder() == 9 * len(LADDER)
    assert ensure_ladder() == 0
    # Bijzondere bijstand is only ever mandated to a named person.
    assert not Mandate.objects.filter(channel=Channel.BIJZONDERE_BIJSTAND, user__isnull=True).exists()
    assert Mandate.objects.filter(channel=Channel.MAATWERKBUDGET, max_amount=Decimal("500")).count() == 9


def test_demo_spends_show_each_step_of_the_payment_loop_and_are_idempotent():
    ensure_organisation()
    demo_cases.generate(seed=1)
    ensure_budgets()
    ensure_ladder()
    made = ensure_spends()
    assert made == 9 * len(DEMO_SPENDS)
    assert ensure_spends() == 0
    statuses = SpendRequest.objects.values_list("status", flat=True)
    assert sorted(set(statuses)) == sorted({SpendStatus.PAID, SpendStatus.APPROVED, SpendStatus.REQUESTED})
    assert [b.status for b in PaymentBatch.objects.all()] == [BatchStatus.PAID] * 9
    paid = SpendRequest.objects.filter(status=SpendStatus.PAID).select_related("budget").first()
    committed = sum(Decimal(amount) for amount, *_rest, fate in DEMO_SPENDS if fate == "approved")
    budget = balances(paid.budget)
    assert budget.paid == Decimal(DEMO_SPENDS[0][0])
    assert budget.committed == committed
    assert budget.available == TEAM_MAATWERKBUDGET - budget.paid - committed


def test_the_demo_tells_the_eur_6500_story_in_zaanstad_routed_to_the_manager_after_a_check():
    from maatwerk.budgets import rules
    from maatwerk.demo import story

    ensure_organisation()
    demo_cases.generate(seed=1)
    ensure_budgets()
    ensure_ladder()
    assert story.ensure_story() == 1
    assert story.ensure_story() == 0
    spend = SpendRequest.objects.get(purpose=story.PURPOSE)
    assert spend.amount == Decimal("6500.00") and spend.municipality.name == "Zaanstad"
    assert spend.needs_legality_check and spend.business_case_version and spend.value_triangle
    assert spend.approver_mandate.title == "Manager sociaal domein"
    assert spend.approver_mandate.user.username == "zaanstad.policy"
    assert "Manager sociaal domein" in rules.next_step(spend)
    # In every municipality the ladder covers the story, and something above it.
    for municipality_id in Budget.objects.values_list("municipality_id", flat=True).distinct():
        way = rules.route(
            municipality_id=municipality_id,
            team_id=None,
            channel=Channel.MAATWERKBUDGET,
            amount=Decimal("6500.00"),
            requested_by=None,
        )
        assert way.refusal is None and way.approvers
