"""Fixtures shared by the budgets tests."""

import pytest

from .factories import make_budget, make_case, standard_mandates


@pytest.fixture
def setup(world):
    """Eindhoven's standard mandates (lars decides special assistance), a case of team A and a budget of
    EUR 1,000 for it: (world, case, budget)."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a)
    budget = make_budget(world, amount="1000.00")
    return world, case, budget
