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
from maatwerk.demo.budgets import DEMO_SPENDS, TEAM_MAATWERKBUDGET, ensure_budgets, ensure_spends
from maatwerk.demo.organisation import ensure_organisation

pytestmark = pytest.mark.django_db


def test_demo_budgets_are_allocated_and_idempotent():
    ensure_organisation()
    made = ensure_budgets()
    assert made == 27  # two team budgets and one municipal budget in each of nine municipalities
    assert ensure_budgets() == 0
    team_budget = Budget.objects.filter(channel=Channel.MAATWERKBUDGET).first()
    assert balances(team_budget).available == TEAM_MAATWERKBUDGET
    # Bijzondere bijstand is only ever mandated to a named person.
    assert not Mandate.objects.filter(channel=Channel.BIJZONDERE_BIJSTAND, user__isnull=True).exists()
    assert Mandate.objects.filter(channel=Channel.MAATWERKBUDGET, max_amount=Decimal("500")).count() == 9


def test_demo_spends_show_each_step_of_the_payment_loop_and_are_idempotent():
    ensure_organisation()
    demo_cases.generate(seed=1)
    ensure_budgets()
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
