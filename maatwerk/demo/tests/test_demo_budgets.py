from decimal import Decimal

import pytest

from maatwerk.budgets.models import Budget, Channel, Mandate
from maatwerk.budgets.services import balances
from maatwerk.demo.budgets import TEAM_MAATWERKBUDGET, ensure_budgets
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
