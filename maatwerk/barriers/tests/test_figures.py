from decimal import Decimal

import pytest

from maatwerk.barriers import queries, services
from maatwerk.barriers.models import Barrier
from maatwerk.businesscases.models import BusinessCase, BusinessCaseVersion

from .factories import case_for, childcare_barrier

pytestmark = pytest.mark.django_db


def version(case, by, number, net):
    bc, _ = BusinessCase.objects.get_or_create(case=case)
    return BusinessCaseVersion.objects.create(
        business_case=bc,
        number=number,
        plan={},
        result={"expected": {"net": float(net)}},
        hourly_rate=Decimal("80"),
        investment=Decimal("1000"),
        expected_net=net,
        p_net_positive=Decimal("0.9"),
        created_by=by,
    )


def test_cost_at_stake_is_latest_business_case_net_else_the_entered_amount(world):
    first = case_for(world)
    barrier = childcare_barrier(world, case=first, cost=Decimal("500.00"))
    second = case_for(world, by=world.bob, team=world.team_b, name="Visser", first_name="Kees", bsn="")
    services.link_case(barrier, second, by=world.bob, cost_at_stake=Decimal("250.00"))

    def total():
        return queries.with_figures(Barrier.objects.filter(pk=barrier.pk)).get().cost_at_stake

    assert total() == Decimal("750.00")  # no business cases yet: the amounts entered
    version(first, world.alice, 1, Decimal("9000.00"))
    version(first, world.alice, 2, Decimal("12000.00"))
    assert total() == Decimal("12250.00")  # latest version of the first case, entered amount of the second
    rows = queries.national_rows(Barrier.objects.all())
    assert rows[0].cost_at_stake == Decimal("12250.00") and rows[0].households_hit == 2
    assert [link.cost for link in queries.own_links(world.alice, barrier)] == [Decimal("12000.00")]


def test_barrier_without_links_costs_zero(world):
    barrier = childcare_barrier(world)
    assert queries.with_figures(Barrier.objects.filter(pk=barrier.pk)).get().cost_at_stake == Decimal("0")
