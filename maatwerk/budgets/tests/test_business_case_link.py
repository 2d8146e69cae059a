from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maatwerk.budgets import services
from maatwerk.businesscases.models import BusinessCase, BusinessCaseVersion, ValueTriangle

from .factories import make_budget, make_case, request, standard_mandates


def make_version(case, by):
    bc = BusinessCase.objects.create(case=case)
    return BusinessCaseVersion.objects.create(
        business_case=bc,
        number=1,
        plan={},
        result={},
        hourly_rate=Decimal("80"),
        investment=Decimal("300"),
        expected_net=Decimal("1200"),
        p_net_positive=Decimal("0.9"),
        created_by=by,
    )


@pytest.fixture
def setup(world):
    standard_mandates(world.eindhoven)
    make_budget(world, amount="1000.00")
    return world, make_case(world.team_a)


def test_approval_freezes_the_business_case_version(setup):
    world, case = setup
    version = make_version(case, world.alice)
    spend = request(world.alice, case, "300.00", business_case_version=version)
    services.approve_spend(spend, by=world.dave)
    version.refresh_from_db()
    assert version.frozen and spend.reference in version.frozen_reason


def test_deviation_needs_a_value_triangle_of_the_same_case(setup):
    world, case = setup
    with pytest.raises(ValidationError) as exc:
        request(world.alice, case, deviates_from_policy=True)
    assert "value_triangle" in exc.value.message_dict
    other = make_case(world.team_a, "Pietersen")
    triangle = ValueTriangle.objects.create(
        case=other, engagement="x", legitimacy="y", judgement="z", verdict="yes", created_by=world.alice
    )
    with pytest.raises(ValidationError):
        request(world.alice, case, deviates_from_policy=True, value_triangle=triangle)
    mine = ValueTriangle.objects.create(
        case=case, engagement="x", legitimacy="y", judgement="z", verdict="yes", created_by=world.alice
    )
    assert request(world.alice, case, deviates_from_policy=True, value_triangle=mine).value_triangle == mine
